package io.streetsense.detectors.explain;

import io.streetsense.detectors.explain.Recorder.Fact;
import io.streetsense.detectors.explain.Recorder.State;
import io.streetsense.detectors.parking.BlockParkingState;
import io.streetsense.detectors.parking.OverflowRule;
import io.streetsense.detectors.parking.OverflowTracker;
import io.streetsense.detectors.parking.OverflowTracker.AnchorState;
import io.streetsense.detectors.parking.OverflowTracker.KerbState;
import io.streetsense.detectors.parking.OverflowTracker.ZoneConditionState;
import io.streetsense.detectors.presence.ZoneObservation;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Replays a block's berth messages and kerb views through the job's {@link OverflowTracker} exactly
 * as {@code ParkingOverflowDetector} does: one evaluation at every instant with input (sensor
 * messages first, then views, each in the detector's same-time order) and at its housekeeping
 * timers (one {@code cameraOfflineAfter} after an evaluation that left state, none while the block
 * holds nothing); and reads one parking zone's condition after each.
 */
final class OverflowReplay {
  private final OverflowTracker tracker;
  private final OverflowRule rule;
  private final long housekeepingMillis;
  private final Recorder recorder;
  private BlockParkingState state = new BlockParkingState();
  private final Map<String, Long> lastFrameAt = new HashMap<>();
  private final Map<String, List<String>> kerbCameras;

  // What the verdict needs, over the window.
  private int maxOccupied;
  private long fullSince = Long.MIN_VALUE;
  private long longestFull;
  private int maxVehicles;
  private long longestCondition;
  private long longestConditionFrom = Long.MIN_VALUE;
  private long longestConditionTo;
  private long conditionEndedAt = Long.MIN_VALUE;
  private String conditionEndedBecause;
  private boolean lastCondition;
  private final Map<String, long[]> candidates =
      new HashMap<>(); // key → {maxStood, bestHits*1000/frames, standing}
  private long unwatchedInstants;
  private long instants;
  private ZoneConditionState atStart;
  private int maxSilent;

  OverflowReplay(
      OverflowTracker tracker,
      String zoneId,
      Map<String, List<String>> kerbCameras,
      long housekeepingMillis,
      Recorder recorder) {
    this.kerbCameras = kerbCameras;
    this.tracker = tracker;
    this.rule = tracker.rule(zoneId);
    this.housekeepingMillis = housekeepingMillis;
    this.recorder = recorder;
  }

  /** Both lists sorted by event time and the detector's same-time order; no duplicates. */
  void run(List<ParkingSensorEvent> sensors, List<ZoneObservation> views) {
    TreeSet<Long> timers = new TreeSet<>();
    sensors.forEach(e -> timers.add(e.getEventTime().toEpochMilli()));
    views.forEach(v -> timers.add(v.eventTime));
    int s = 0;
    int v = 0;
    while (!timers.isEmpty() || recorder.nextTick() != Long.MAX_VALUE) {
      long timer = timers.isEmpty() ? Long.MAX_VALUE : timers.first();
      long tick = recorder.nextTick();
      if (timer > tick) {
        observe(tick, true);
        continue;
      }
      timers.pollFirst();
      long t = timer;
      while (s < sensors.size() && sensors.get(s).getEventTime().toEpochMilli() == t) {
        tracker.applySensor(state, sensors.get(s++));
      }
      while (v < views.size() && views.get(v).eventTime == t) {
        ZoneObservation view = views.get(v++);
        lastFrameAt.put(view.cameraId, t);
        tracker.applyObservation(state, view);
      }
      for (ViolationEvent event : tracker.evaluate(state, t)) {
        if (event.getZoneId().equals(rule.zoneId())) {
          recorder.event(
              t, event, eventText(event), Map.of("event", PresenceReplay.eventFields(event)));
        }
      }
      if (t == state.housekeepingAt) {
        state.housekeepingAt = Long.MIN_VALUE;
      }
      if (OverflowTracker.isEmpty(state)) {
        state = new BlockParkingState(); // what the detector does: no state, no timer of its own
      } else if (state.housekeepingAt == Long.MIN_VALUE) {
        state.housekeepingAt = t + housekeepingMillis;
        if (state.housekeepingAt <= recorder.to) {
          // Not past the window: a violation still open there keeps the state (nothing has seen
          // it clear), and its housekeeping would tick on for ever.
          timers.add(state.housekeepingAt);
        }
      }
      observe(t, t == tick);
    }
  }

  private void observe(long t, boolean tick) {
    ZoneConditionState c = tracker.conditionState(state, rule.zoneId(), t);
    if (recorder.inWindow(t)) {
      collect(t, c);
    }
    recorder.state(t, tick, state(t, c));
  }

  private void collect(long t, ZoneConditionState c) {
    if (atStart == null) {
      atStart = c;
    }
    instants++;
    maxOccupied = Math.max(maxOccupied, c.occupied());
    maxVehicles = Math.max(maxVehicles, c.vehicles());
    maxSilent = Math.max(maxSilent, c.silentSensors().size());
    if (c.occupancyHolds()) {
      if (fullSince == Long.MIN_VALUE) {
        fullSince = t;
      }
      longestFull = Math.max(longestFull, t - fullSince);
    } else {
      fullSince = Long.MIN_VALUE;
    }
    if (!c.allKerbsWatched()) {
      unwatchedInstants++;
    }
    boolean condition = c.conditionSince() != Long.MIN_VALUE;
    if (condition && t - c.conditionSince() >= longestCondition) {
      longestCondition = t - c.conditionSince();
      longestConditionFrom = c.conditionSince();
      longestConditionTo = t;
    }
    if (lastCondition && !condition) {
      conditionEndedAt = t;
      conditionEndedBecause =
          !c.occupancyHolds()
              ? "berths occupied fell to " + c.occupied() + " of " + rule.requiredOccupied()
              : "the kerb count fell to " + c.vehicles() + " of " + rule.vehicles();
    }
    lastCondition = condition;
    for (KerbState kerb : c.kerbs()) {
      for (AnchorState anchor : kerb.anchors()) {
        String key = kerb.kerbId() + "/" + kerb.cameraId() + "/" + anchor.firstSeenAt();
        long[] stats = candidates.computeIfAbsent(key, k -> new long[] {0, 0, 0, 0});
        long stood = t - anchor.firstSeenAt(); // as the standing test measures it
        stats[0] = Math.max(stats[0], stood);
        stats[3] = Math.max(stats[3], anchor.lastSeenAt() - anchor.firstSeenAt());
        if (anchor.frames() > 0 && stood >= OverflowRule.VEHICLE_STANDING.toMillis()) {
          stats[1] = Math.max(stats[1], 1000L * anchor.hits() / anchor.frames());
        }
        if (anchor.standing()) {
          stats[2] = 1;
        }
      }
    }
  }

  /** Why a vehicle candidate counts or not, as the tracker's standing test decides. */
  static String why(AnchorState anchor, long now) {
    long standing = OverflowRule.VEHICLE_STANDING.toMillis();
    long grace = OverflowRule.VEHICLE_GRACE.toMillis();
    double presence = anchor.frames() == 0 ? 0 : (double) anchor.hits() / anchor.frames();
    long stood = now - anchor.firstSeenAt();
    long unseen = now - anchor.lastSeenAt();
    if (anchor.standing()) {
      return String.format(
          Locale.ROOT,
          "counts: stood %s, presence %.2f, last seen %s ago%s",
          Durations.of(stood),
          presence,
          Durations.of(unseen),
          unseen > grace ? " (hidden, or its sightings now fall nearer a newer candidate)" : "");
    }
    List<String> reasons = new ArrayList<>();
    if (stood < standing) {
      reasons.add("not standing long enough: stood " + stood / 1000 + " s of " + standing / 1000);
    }
    if (presence < OverflowRule.VEHICLE_PRESENCE) {
      reasons.add(
          String.format(
              Locale.ROOT, "presence %.2f of %.1f", presence, OverflowRule.VEHICLE_PRESENCE));
    }
    if (unseen > grace) {
      reasons.add(
          String.format(
              Locale.ROOT, "unseen for %.1f s > grace %d s", unseen / 1000.0, grace / 1000));
    }
    if (reasons.isEmpty()) {
      reasons.add("a twin of an older candidate beside it, seen apart from it: one vehicle");
    }
    return "does not count: " + String.join("; ", reasons);
  }

  private State state(long t, ZoneConditionState c) {
    Map<String, Fact> facts = new LinkedHashMap<>();
    Map<String, Object> fields = new LinkedHashMap<>();
    facts.put(
        "berths",
        new Fact(
            c.occupied() + "|" + c.knownFree() + "|" + c.silentSensors().size(),
            String.format(
                Locale.ROOT,
                "berths: %d occupied (online sensors) of the %d required, capacity %d; %d known"
                    + " free; %d silent%s",
                c.occupied(),
                rule.requiredOccupied(),
                c.capacity(),
                c.knownFree(),
                c.silentSensors().size(),
                c.silentSensors().isEmpty()
                    ? ""
                    : " (" + String.join(", ", c.silentSensors()) + ")")));
    fields.put("occupied", c.occupied());
    fields.put("requiredOccupied", rule.requiredOccupied());
    fields.put("capacity", c.capacity());
    fields.put("knownFree", c.knownFree());
    fields.put("silentSensors", c.silentSensors());

    List<Object> kerbFields = new ArrayList<>();
    for (String kerbId : rule.noParking()) {
      List<KerbState> watching = c.kerbs().stream().filter(k -> k.kerbId().equals(kerbId)).toList();
      for (String camera : kerbCameras.getOrDefault(kerbId, List.of())) {
        if (watching.stream().anyMatch(k -> k.cameraId().equals(camera))) {
          continue;
        }
        // The tracker keeps no watch of a camera without a vehicle candidate (nor an open
        // violation to clear): say whether the camera is there at all.
        Long last = lastFrameAt.get(camera);
        boolean online = last != null && last <= t && t - last <= housekeepingMillis;
        facts.put(
            "kerb " + kerbId + "/" + camera,
            new Fact(
                "0|false|" + online,
                "kerb "
                    + kerbId
                    + " by "
                    + camera
                    + (online
                        ? " (online): 0 vehicle(s) counted, no vehicle candidate"
                        : last == null
                            ? " (not heard from): nothing counted"
                            : " (OFFLINE, silent "
                                + Durations.of(t - last)
                                + "): nothing counted")));
      }
      for (KerbState kerb : watching) {
        StringBuilder text =
            new StringBuilder()
                .append("kerb ")
                .append(kerbId)
                .append(" by ")
                .append(kerb.cameraId())
                .append(" (covering since ")
                .append(recorder.clock(kerb.coveredSince()))
                .append("): ")
                .append(kerb.counted())
                .append(" vehicle(s) counted");
        List<Object> anchorFields = new ArrayList<>();
        // A moving vehicle leaves a candidate at every spot it passes: per track, the one seen
        // most (the others are named by their number).
        Map<String, AnchorState> byTrack = new LinkedHashMap<>();
        Map<String, Integer> spots = new HashMap<>();
        for (AnchorState anchor : kerb.anchors()) {
          spots.merge(anchor.track(), 1, Integer::sum);
          AnchorState kept = byTrack.get(anchor.track());
          if (kept == null
              || anchor.standing() && !kept.standing()
              || anchor.standing() == kept.standing() && anchor.hits() > kept.hits()) {
            byTrack.put(anchor.track(), anchor);
          }
        }
        boolean promising = false;
        for (AnchorState anchor : kerb.anchors()) {
          promising |=
              !anchor.standing()
                  && t - anchor.firstSeenAt() >= OverflowRule.VEHICLE_STANDING.toMillis() / 2
                  && anchor.hits() >= OverflowRule.VEHICLE_PRESENCE * anchor.frames();
        }
        for (AnchorState anchor : byTrack.values()) {
          int more = spots.get(anchor.track()) - 1;
          String why = why(anchor, t);
          text.append("\n  vehicle track ").append(anchor.track()).append(": ").append(why);
          if (more > 0) {
            text.append(" (and ").append(more).append(" more spot(s) it passed)");
          }
          Map<String, Object> a = new LinkedHashMap<>();
          a.put("track", anchor.track());
          a.put("firstSeenAt", recorder.clock(anchor.firstSeenAt()));
          a.put("stoodSeconds", (t - anchor.firstSeenAt()) / 1000);
          a.put("presence", anchor.frames() == 0 ? 0.0 : (double) anchor.hits() / anchor.frames());
          a.put("unseenSeconds", (t - anchor.lastSeenAt()) / 1000);
          a.put("counts", anchor.standing());
          a.put("why", why);
          anchorFields.add(a);
        }
        facts.put(
            "kerb " + kerbId + "/" + kerb.cameraId(),
            // A change: the count, or a vehicle halfway to standing (a passing car is neither).
            new Fact(kerb.counted() + "|" + promising + "|true", text.toString()));
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("kerb", kerbId);
        k.put("camera", kerb.cameraId());
        k.put("counted", kerb.counted());
        k.put("candidates", anchorFields);
        kerbFields.add(k);
      }
    }
    fields.put("kerbs", kerbFields);
    fields.put("vehicles", c.vehicles());
    fields.put("vehiclesRequired", rule.vehicles());

    boolean condition = c.conditionSince() != Long.MIN_VALUE;
    facts.put(
        "condition",
        new Fact(
            c.occupancyHolds() + "|" + c.vehiclesHold(),
            String.format(
                Locale.ROOT,
                "condition: berths %d/%d %s, vehicles %d/%d %s → %s",
                c.occupied(),
                rule.requiredOccupied(),
                c.occupancyHolds() ? "holds" : "short",
                c.vehicles(),
                rule.vehicles(),
                c.vehiclesHold() ? "holds" : "short",
                condition
                    ? "holds since "
                        + recorder.clock(c.conditionSince())
                        + " ("
                        + Durations.of(t - c.conditionSince())
                        + " of the "
                        + Durations.of(rule.dwell())
                        + " dwell)"
                    : "does not hold")));
    fields.put("condition", condition);
    fields.put("conditionSince", condition ? recorder.clock(c.conditionSince()) : null);
    if (c.violationId() == null) {
      facts.put("violation", new Fact("closed", "no violation open"));
    } else {
      facts.put(
          "violation",
          new Fact(
              c.violationId() + "|" + (c.clearSince() != Long.MIN_VALUE),
              "violation open (detected "
                  + recorder.clock(c.detectedAt())
                  + ")"
                  + (c.clearSince() == Long.MIN_VALUE
                      ? ""
                      : ": seen clear for "
                          + Durations.of(t - c.clearSince())
                          + " of the "
                          + Durations.of(rule.clearFor())
                          + " needed")));
    }
    fields.put("violationId", c.violationId());
    return new State(facts, fields);
  }

  private String eventText(ViolationEvent event) {
    String text =
        event.getKind()
            + " PARKING_OVERFLOW "
            + event.getViolationId()
            + ": condition since "
            + recorder.clock(event.getDetectedAt().toEpochMilli());
    if (event.getEvidence() != null && event.getEvidence().getParking() != null) {
      var p = event.getEvidence().getParking();
      text +=
          ", "
              + p.getOccupied()
              + "/"
              + p.getCapacity()
              + " berths occupied, "
              + p.getVehiclesInNoParking()
              + " vehicle(s) on the kerbs";
    }
    return text;
  }

  String verdict() {
    List<ViolationEvent> inWindow = new ArrayList<>();
    for (ViolationEvent event : recorder.events) {
      if (recorder.inWindow(event.getEventTime().toEpochMilli())) {
        inWindow.add(event);
      }
    }
    ViolationEvent opened =
        inWindow.stream()
            .filter(e -> e.getKind() == ViolationEventKind.OPENED)
            .findFirst()
            .orElse(null);
    ViolationEvent cleared =
        inWindow.stream()
            .filter(e -> e.getKind() == ViolationEventKind.CLEARED)
            .reduce((a, b) -> b)
            .orElse(null);
    String dwell = Durations.of(rule.dwell());
    StringBuilder verdict = new StringBuilder();
    if (opened != null) {
      verdict
          .append("order: PARKING_OVERFLOW OPENED at ")
          .append(recorder.clock(opened.getEventTime().toEpochMilli()))
          .append(": at least ")
          .append(rule.requiredOccupied())
          .append(" of ")
          .append(rule.capacity())
          .append(" berths occupied and at least ")
          .append(rule.vehicles())
          .append(" vehicle(s) standing on the kerbs, together from ")
          .append(recorder.clock(opened.getDetectedAt().toEpochMilli()))
          .append(" for the rule's ")
          .append(dwell)
          .append("; the work-order loop files an order for ")
          .append(opened.getViolationId())
          .append(" (or adds it as evidence to the zone's order if one is still open).");
    } else if (atStart != null && atStart.violationId() != null) {
      verdict
          .append("no new order: ")
          .append(atStart.violationId())
          .append(" was already open at the window's start; its order was filed then.");
    } else if (longestConditionFrom != Long.MIN_VALUE) {
      verdict
          .append("no order: both parts held together for ")
          .append(Durations.of(longestCondition))
          .append(" at most (from ")
          .append(recorder.clock(longestConditionFrom))
          .append(" to ")
          .append(recorder.clock(longestConditionTo))
          .append("); the rule needs ")
          .append(dwell);
      if (conditionEndedBecause != null) {
        verdict
            .append(". It last broke at ")
            .append(recorder.clock(conditionEndedAt))
            .append(": ")
            .append(conditionEndedBecause);
      }
      verdict.append(".");
    } else {
      verdict.append("no order: the condition never held. ");
      if (maxOccupied >= rule.requiredOccupied()) {
        verdict
            .append("The berths were full enough (")
            .append(rule.requiredOccupied())
            .append(" of ")
            .append(rule.capacity())
            .append(" occupied) for up to ")
            .append(Durations.of(longestFull))
            .append("; ");
      } else {
        verdict
            .append("At most ")
            .append(maxOccupied)
            .append(" berths were occupied by the word of online sensors; the rule needs ")
            .append(rule.requiredOccupied());
        if (maxSilent > 0) {
          verdict.append(" (up to ").append(maxSilent).append(" sensors silent)");
        }
        verdict.append("; ");
      }
      verdict
          .append("the kerbs counted at most ")
          .append(maxVehicles)
          .append(" of the ")
          .append(rule.vehicles())
          .append(" vehicles required");
      if (maxVehicles < rule.vehicles()) {
        verdict.append(": ").append(vehicleReason());
      }
      verdict.append(".");
    }
    if (cleared != null) {
      verdict
          .append(" CLEARED at ")
          .append(recorder.clock(cleared.getEventTime().toEpochMilli()))
          .append(".");
    }
    return verdict.toString();
  }

  private String vehicleReason() {
    if (candidates.isEmpty()) {
      String unwatched =
          unwatchedInstants == instants ? " (and no camera covered the kerbs with a vehicle)" : "";
      return "no vehicle was seen standing on " + String.join(", ", rule.noParking()) + unwatched;
    }
    long counted = candidates.values().stream().filter(s -> s[2] == 1).count();
    long longest = candidates.values().stream().mapToLong(s -> s[0]).max().orElse(0);
    long bestPresence = candidates.values().stream().mapToLong(s -> s[1]).max().orElse(0);
    long standing = OverflowRule.VEHICLE_STANDING.toMillis();
    String text =
        candidates.size()
            + " vehicle candidate(s) seen (a vehicle passing leaves one at each spot), "
            + counted
            + " ever counted";
    if (longest < standing) {
      long seenOver = candidates.values().stream().mapToLong(s -> s[3]).max().orElse(0);
      return text
          + "; none stood long enough: the longest stood "
          + longest / 1000
          + " s of "
          + standing / 1000
          + " (seen over "
          + seenOver / 1000
          + " s at most, then unseen past the "
          + OverflowRule.VEHICLE_GRACE.toSeconds()
          + " s grace)";
    }
    if (counted == 0) {
      return text
          + String.format(
              Locale.ROOT,
              "; those that stood %d s were seen in at most %.2f of the frames (needs %.1f)",
              standing / 1000,
              bestPresence / 1000.0,
              OverflowRule.VEHICLE_PRESENCE);
    }
    return text + ", never enough at the same time";
  }
}
