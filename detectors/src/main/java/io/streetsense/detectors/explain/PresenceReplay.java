package io.streetsense.detectors.explain;

import io.streetsense.detectors.explain.Recorder.Fact;
import io.streetsense.detectors.explain.Recorder.State;
import io.streetsense.detectors.presence.PresenceRule;
import io.streetsense.detectors.presence.PresenceTracker;
import io.streetsense.detectors.presence.PresenceTracker.CandidateView;
import io.streetsense.detectors.presence.PresenceTracker.OpenState;
import io.streetsense.detectors.presence.ZoneObservation;
import io.streetsense.detectors.presence.ZoneState;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays a presence zone's observations through the job's {@link PresenceTracker} exactly as
 * {@code PresenceDetector} applies them: grouped by event time, in its same-time order (camera,
 * frame), the state dropped whenever the zone goes quiet; and reads the tracker's condition after
 * every instant.
 */
final class PresenceReplay {
  private final PresenceTracker tracker;
  private final PresenceRule rule;
  private final List<String> cameras;
  private final long offlineAfter;
  private final Recorder recorder;

  /** A candidate missed in the latest frames is still reported this long. */
  private static final long CANDIDATE_MEMORY = 10_000;

  private ZoneState state = new ZoneState();
  private CandidateView lastCandidate;
  private long lastCandidateAt;
  private final Map<String, Long> lastFrameAt = new HashMap<>();

  // What the verdict needs, over the window.
  private boolean anySighting;
  private long sightingsWhileLegal;
  private CandidateView bestShare;
  private long bestShareAt;
  private long longestWatched;
  private long offlineInstants;
  private long instants;
  private OpenState openAtStart;
  private boolean startSeen;

  PresenceReplay(
      PresenceTracker tracker, List<String> cameras, long offlineAfter, Recorder recorder) {
    this.tracker = tracker;
    this.rule = tracker.rule();
    this.cameras = cameras;
    this.offlineAfter = offlineAfter;
    this.recorder = recorder;
  }

  /** {@code observations}: this zone's, sorted by event time, camera, frame; no duplicates. */
  void run(List<ZoneObservation> observations) {
    int i = 0;
    while (i < observations.size() || recorder.nextTick() != Long.MAX_VALUE) {
      long nextInput = i < observations.size() ? observations.get(i).eventTime : Long.MAX_VALUE;
      long tick = recorder.nextTick();
      if (nextInput <= tick) {
        long t = nextInput;
        while (i < observations.size() && observations.get(i).eventTime == t) {
          ZoneObservation observation = observations.get(i++);
          lastFrameAt.put(observation.cameraId, t);
          if (recorder.inWindow(t) && !observation.sightings.isEmpty()) {
            anySighting = true;
            if (rule.allowedAt(t)) {
              sightingsWhileLegal++;
            }
          }
          for (ViolationEvent event : tracker.observe(state, observation)) {
            recorder.event(t, event, eventText(event), Map.of("event", eventFields(event)));
          }
        }
        if (PresenceTracker.isQuiet(state)) {
          state = new ZoneState(); // what PresenceDetector does: a quiet zone holds no state
        }
        observe(t, t == tick);
      } else {
        observe(tick, true);
      }
    }
  }

  private void observe(long t, boolean tick) {
    if (!recorder.inWindow(t)) {
      recorder.state(t, false, state(t));
      return;
    }
    if (!startSeen) {
      startSeen = true;
      openAtStart = tracker.openState(state);
    }
    instants++;
    State current = state(t);
    recorder.state(t, tick, current);
  }

  private State state(long t) {
    Map<String, Fact> facts = new LinkedHashMap<>();
    Map<String, Object> fields = new LinkedHashMap<>();

    List<String> online = new ArrayList<>();
    List<String> cameraTexts = new ArrayList<>();
    List<Object> cameraFields = new ArrayList<>();
    for (String camera : cameras) {
      Long last = lastFrameAt.get(camera);
      String status;
      if (last == null || last > t) {
        status = "not heard from";
      } else if (t - last > offlineAfter) {
        status = "OFFLINE (silent " + Durations.of(t - last) + ")";
      } else {
        status = "online";
        online.add(camera);
      }
      cameraTexts.add(camera + " " + status);
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("camera", camera);
      c.put("online", online.contains(camera));
      c.put("lastFrameAt", last == null ? null : recorder.clock(last));
      cameraFields.add(c);
    }
    if (online.isEmpty()) {
      offlineInstants += recorder.inWindow(t) ? 1 : 0;
    }
    facts.put(
        "cameras",
        new Fact(String.join(",", online), "cameras: " + String.join(", ", cameraTexts)));
    fields.put("cameras", cameraFields);

    boolean legal = rule.allowedAt(t);
    facts.put(
        "legal",
        new Fact(
            Boolean.toString(legal),
            legal
                ? "legal now ("
                    + (rule.type().name().equals("OUT_OF_DOORWAY_TRADING")
                        ? "outdoor permit"
                        : "market hours")
                    + "): objects count as clear"
                : "not legal now" + (rule.allowedWindows().isEmpty() ? " (never legal)" : "")));
    fields.put("legal", legal);

    CandidateView best = null;
    long watched = 0;
    for (String camera : online) {
      Long since = tracker.watchingSince(state, camera);
      if (since != null) {
        watched = Math.max(watched, t - since);
      }
      CandidateView candidate = tracker.bestCandidate(state, camera);
      if (candidate != null
          && (best == null
              || candidate.share() > best.share()
              || (candidate.share() == best.share()
                  && candidate.framesWithObject() > best.framesWithObject()))) {
        best = candidate;
      }
    }
    long dwell = rule.dwell().toMillis();
    long missedFor = 0;
    if (best != null) {
      lastCandidate = best;
      lastCandidateAt = t;
    } else if (lastCandidate != null
        && t - lastCandidateAt <= CANDIDATE_MEMORY
        && online.contains(lastCandidate.cameraId())) {
      // Missed in the latest frames (flicker, a passer-by in front): still the candidate.
      best = lastCandidate;
      missedFor = t - lastCandidateAt;
    }
    if (recorder.inWindow(t)) {
      longestWatched = Math.max(longestWatched, watched);
      if (best != null && (bestShare == null || best.share() > bestShare.share())) {
        bestShare = best;
        bestShareAt = t;
      }
    }
    // A candidate seen in a handful of frames is a passer-by: it changes nothing worth a line.
    boolean candidateSignificant = best != null && best.framesWithObject() >= 5;
    if (best == null) {
      facts.put("candidate", new Fact("none", "candidate: nothing relevant in view"));
      fields.put("candidate", null);
    } else {
      long candidateWatched = t - best.watchingSince();
      facts.put(
          "candidate",
          new Fact(
              candidateSignificant
                  ? "seen|" + (best.share() >= rule.presence()) + "|" + (candidateWatched >= dwell)
                  : "none",
              String.format(
                  java.util.Locale.ROOT,
                  "candidate: place (%.3f, %.3f) (first seen as track %s, %s) presence %.2f (%d of"
                      + " %d frames) vs the rule's %.2f; watched %s without an outage (dwell %s)%s",
                  best.x(),
                  best.y(),
                  best.firstTrack(),
                  best.cameraId(),
                  best.share(),
                  best.framesWithObject(),
                  best.framesObserved(),
                  rule.presence(),
                  Durations.of(candidateWatched),
                  Durations.of(dwell),
                  missedFor == 0 ? "" : "; not in the last " + Durations.of(missedFor))));
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("camera", best.cameraId());
      c.put("place", List.of(best.x(), best.y()));
      c.put("firstTrack", best.firstTrack());
      c.put("presence", best.share());
      c.put("framesWithObject", best.framesWithObject());
      c.put("framesObserved", best.framesObserved());
      c.put("presenceRequired", rule.presence());
      c.put("watchedSeconds", candidateWatched / 1000);
      c.put("dwellSeconds", dwell / 1000);
      fields.put("candidate", c);
    }

    OpenState open = tracker.openState(state);
    if (open == null) {
      facts.put("violation", new Fact("closed", "no violation open"));
      fields.put("violation", null);
    } else {
      String clearing =
          open.seenClearSince() == null
              ? "still seen"
              : "seen clear by "
                  + String.join(", ", open.locatedBy())
                  + " for "
                  + Durations.of(t - open.seenClearSince())
                  + " of the "
                  + Durations.of(rule.clearFor())
                  + " needed to clear";
      facts.put(
          "violation",
          new Fact(
              // Seen clear for a moment (one frame missing the object) is not a change: a
              // stretch of a tenth of the clear time (at least 10 s) is.
              open.violationId()
                  + "|"
                  + (open.seenClearSince() != null
                      && t - open.seenClearSince()
                          >= Math.max(10_000, rule.clearFor().toMillis() / 10)),
              "violation open since "
                  + recorder.clock(open.openedAt())
                  + " (detected "
                  + recorder.clock(open.detectedAt())
                  + "): "
                  + clearing));
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("violationId", open.violationId());
      v.put("openedAt", recorder.clock(open.openedAt()));
      v.put(
          "seenClearSeconds",
          open.seenClearSince() == null ? null : (t - open.seenClearSince()) / 1000);
      fields.put("violation", v);
    }
    return new State(facts, fields);
  }

  private String eventText(ViolationEvent event) {
    String text =
        event.getKind()
            + " "
            + event.getType()
            + " "
            + event.getViolationId()
            + ": detected "
            + recorder.clock(event.getDetectedAt().toEpochMilli())
            + ", dwell "
            + Durations.of(event.getDwellMillis());
    if (event.getEvidence() != null && !event.getEvidence().getCameras().isEmpty()) {
      var camera = event.getEvidence().getCameras().get(0);
      text +=
          ", "
              + camera.getCameraId()
              + " saw it in "
              + camera.getFramesWithObject()
              + " of "
              + camera.getFramesObserved()
              + " frames";
    }
    return text;
  }

  /** ", seen in 173 of 181 frames of JS-C-01" from the event's first camera, or nothing. */
  private static String evidenceText(ViolationEvent event) {
    if (event.getEvidence() == null || event.getEvidence().getCameras().isEmpty()) {
      return "";
    }
    var camera = event.getEvidence().getCameras().get(0);
    return ", seen in "
        + camera.getFramesWithObject()
        + " of "
        + camera.getFramesObserved()
        + " frames of "
        + camera.getCameraId();
  }

  static Map<String, Object> eventFields(ViolationEvent event) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("kind", event.getKind().name());
    fields.put("type", event.getType().name());
    fields.put("violationId", event.getViolationId());
    fields.put("detectedAt", event.getDetectedAt().toString());
    fields.put("eventTime", event.getEventTime().toString());
    fields.put("dwellMillis", event.getDwellMillis());
    return fields;
  }

  String verdict() {
    List<ViolationEvent> inWindow = new ArrayList<>();
    for (ViolationEvent event : recorder.events) {
      if (recorder.inWindow(event.getEventTime().toEpochMilli())) {
        inWindow.add(event);
      }
    }
    String type = rule.type().name();
    StringBuilder verdict = new StringBuilder();
    List<ViolationEvent> opened =
        inWindow.stream().filter(e -> e.getKind() == ViolationEventKind.OPENED).toList();
    List<ViolationEvent> cleared =
        inWindow.stream().filter(e -> e.getKind() == ViolationEventKind.CLEARED).toList();
    if (!opened.isEmpty()) {
      ViolationEvent first = opened.get(0);
      verdict
          .append("order: the ")
          .append(type)
          .append(" violation OPENED at ")
          .append(recorder.clock(first.getEventTime().toEpochMilli()))
          .append(": an object stood from ")
          .append(recorder.clock(first.getDetectedAt().toEpochMilli()))
          .append(evidenceText(first))
          .append(" for the ")
          .append(Durations.of(rule.dwell()))
          .append(" dwell (the rule needs ")
          .append(Durations.percent(rule.presence()))
          .append(" of one camera's frames); the work-order loop files an order for ")
          .append(first.getViolationId())
          .append(" (or adds it as evidence to the zone's order if one is still open).");
      if (opened.size() > 1) {
        verdict.append(" It opened ").append(opened.size()).append(" times in the window.");
      }
    } else if (openAtStart != null) {
      verdict
          .append("no new order: violation ")
          .append(openAtStart.violationId())
          .append(" was already open at the window's start (opened ")
          .append(recorder.clock(openAtStart.openedAt()))
          .append("); its order was filed then.");
    } else if (!anySighting) {
      verdict
          .append("no order: no ")
          .append(String.join("/", new java.util.TreeSet<>(rule.classes())))
          .append(" with confidence of at least ")
          .append(rule.minConf())
          .append(" stood in the zone in any camera's view between ")
          .append(recorder.clock(recorder.from))
          .append(" and ")
          .append(recorder.clock(recorder.to));
      if (offlineInstants > 0 && offlineInstants == instants) {
        verdict.append(" (no camera of the zone was online)");
      }
      verdict.append(".");
    } else if (bestShare == null) {
      verdict
          .append("no order: objects were there only while legal (")
          .append(sightingsWhileLegal)
          .append(" observations in the allowed windows), and legal objects count as clear.");
    } else {
      long dwell = rule.dwell().toMillis();
      verdict.append("no order: ");
      if (bestShare.share() < rule.presence()) {
        verdict.append(
            String.format(
                java.util.Locale.ROOT,
                "the best candidate (place %.3f, %.3f, first seen as track %s, %s at %s) was"
                    + " seen in at most %s of the camera's frames; the rule needs %s over the %s"
                    + " dwell",
                bestShare.x(),
                bestShare.y(),
                bestShare.firstTrack(),
                bestShare.cameraId(),
                recorder.clock(bestShareAt),
                Durations.percent(bestShare.share()),
                Durations.percent(rule.presence()),
                Durations.of(dwell)));
      } else {
        verdict
            .append("a candidate reached the presence (")
            .append(Durations.percent(bestShare.share()))
            .append(" at ")
            .append(recorder.clock(bestShareAt))
            .append(") but no camera watched the zone for the whole ")
            .append(Durations.of(dwell))
            .append(" dwell without an outage (longest ")
            .append(Durations.of(longestWatched))
            .append(")");
      }
      if (sightingsWhileLegal > 0) {
        verdict.append("; some objects stood only while legal");
      }
      verdict.append(".");
    }
    if (!cleared.isEmpty()) {
      verdict
          .append(" CLEARED at ")
          .append(recorder.clock(cleared.get(cleared.size() - 1).getEventTime().toEpochMilli()))
          .append(" after the zone was seen clear for ")
          .append(Durations.of(rule.clearFor()))
          .append(".");
    }
    return verdict.toString();
  }
}
