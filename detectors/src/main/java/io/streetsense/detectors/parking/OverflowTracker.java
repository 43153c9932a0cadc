package io.streetsense.detectors.parking;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.detectors.parking.BlockParkingState.Berth;
import io.streetsense.detectors.parking.BlockParkingState.VehicleAnchor;
import io.streetsense.detectors.parking.BlockParkingState.VehicleWatch;
import io.streetsense.detectors.parking.BlockParkingState.ZoneDecision;
import io.streetsense.detectors.presence.Sighting;
import io.streetsense.detectors.presence.ZoneObservation;
import io.streetsense.schemas.AlternativeParking;
import io.streetsense.schemas.Box;
import io.streetsense.schemas.CameraEvidence;
import io.streetsense.schemas.Evidence;
import io.streetsense.schemas.ParkingEvidence;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.ViolationType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The parking-overflow decision for one block, free of Flink so it can be tested event by event.
 * Fed the block's sensor messages and no-parking observations in event-time order, then asked to
 * {@link #evaluate} at each instant, it opens, updates and clears each parking zone's violation.
 *
 * <p><b>Open</b> when, for the zone's dwell without a break, at least {@code requiredOccupied}
 * berths are occupied by the word of <em>online</em> sensors and at least {@code vehicles} vehicles
 * stand in its no-parking zones as seen by <em>online</em> cameras (per no-parking zone the most
 * any one camera counts, so two cameras on one kerb do not double it).
 *
 * <p><b>Clear</b> once the condition has been seen false by online devices for {@code clearFor}:
 * either the berths are short of full even counting every silent or unknown berth as occupied, or
 * every no-parking zone is watched by an online camera that has seen too few vehicles since its
 * coverage began. Opening needs sustained overflow, clearing sustained witnessed absence, so the
 * violation does not flap; an offline camera or a silent sensor never clears anything.
 *
 * <p><b>Updated</b> when the evidence (occupied berths, counted vehicles, free berths of the
 * alternatives) differs from what the last event said, at most once per {@code updateEvery}.
 */
public final class OverflowTracker {
  private static final int MAX_ANCHORS = 32;

  private final String blockId;
  private final List<OverflowRule> rules;
  private final Map<String, String> zoneOfSensor = new HashMap<>();
  private final Map<String, List<String>> sensorsOfZone = new HashMap<>();
  private final Map<String, Integer> capacityOfZone = new HashMap<>();
  private final Set<String> noParkingZones = new HashSet<>();
  private final long cameraOfflineMillis;
  private final long sensorOfflineMillis;
  private final long updateEveryMillis;
  private final double maxDrift = OverflowRule.VEHICLE_MAX_DRIFT;
  private final long standingMillis = OverflowRule.VEHICLE_STANDING.toMillis();
  private final long graceMillis = OverflowRule.VEHICLE_GRACE.toMillis();
  private final long hiddenGraceMillis = OverflowRule.VEHICLE_HIDDEN_GRACE.toMillis();
  private final long togetherMillis = OverflowRule.VEHICLES_TOGETHER.toMillis();

  public OverflowTracker(
      BlockMap block, long cameraOfflineMillis, long sensorOfflineMillis, long updateEveryMillis) {
    this.blockId = block.id();
    this.rules = OverflowRule.forBlock(block);
    this.cameraOfflineMillis = cameraOfflineMillis;
    this.sensorOfflineMillis = sensorOfflineMillis;
    this.updateEveryMillis = updateEveryMillis;
    for (OverflowRule rule : rules) {
      noParkingZones.addAll(rule.noParking());
      List<String> parkingZones = new ArrayList<>(rule.alternatives());
      parkingZones.add(rule.zoneId());
      for (String zoneId : parkingZones) {
        block.zone(zoneId).ifPresent(zone -> capacityOfZone.put(zoneId, zone.capacity().orElse(0)));
        List<String> sensors = new ArrayList<>();
        block
            .sensorsInZone(zoneId)
            .forEach(
                sensor -> {
                  zoneOfSensor.put(sensor.id(), zoneId);
                  sensors.add(sensor.id());
                });
        sensorsOfZone.put(zoneId, sensors);
      }
    }
  }

  /** Whether the block has any parking zone with an overflow rule. */
  public boolean hasRules() {
    return !rules.isEmpty();
  }

  /** Whether the sensor's berth takes part in an overflow rule, as zone or alternative. */
  public boolean usesSensor(String sensorId) {
    return zoneOfSensor.containsKey(sensorId);
  }

  /** Whether the zone is a no-parking zone of some parking zone's rule. */
  public boolean usesNoParkingZone(String zoneId) {
    return noParkingZones.contains(zoneId);
  }

  /**
   * Applies a sensor message (in event-time order). A repeated (sensor, seq) counts once: with the
   * messages in event-time order, a duplicate is always next to its original.
   *
   * @return false when the message was a duplicate
   */
  public boolean applySensor(BlockParkingState state, ParkingSensorEvent event) {
    if (!usesSensor(event.getSensorId())) {
      return true;
    }
    Berth berth = state.berths.get(event.getSensorId());
    if (berth != null && berth.seq == event.getSeq()) {
      return false;
    }
    if (berth == null) {
      berth = new Berth();
      state.berths.put(event.getSensorId(), berth);
    }
    berth.occupied = event.getOccupied(); // a heartbeat states the berth too: it corrects
    berth.seq = event.getSeq();
    berth.lastSeenAt = event.getEventTime().toEpochMilli();
    return true;
  }

  /** Applies one camera frame's view of a no-parking zone (in event-time order). */
  public void applyObservation(BlockParkingState state, ZoneObservation observation) {
    if (!usesNoParkingZone(observation.zoneId)) {
      return;
    }
    long now = observation.eventTime;
    String key = observation.zoneId + "/" + observation.cameraId;
    VehicleWatch watch = state.watches.get(key);
    if (watch == null) {
      watch = new VehicleWatch();
      watch.zoneId = observation.zoneId;
      watch.cameraId = observation.cameraId;
      watch.coveredSince = now;
      state.watches.put(key, watch);
    } else if (now - watch.lastFrameAt > cameraOfflineMillis) {
      watch.anchors.clear(); // the camera was offline: what it saw before says nothing now
      watch.coveredSince = now;
    }
    watch.lastFrameAt = Math.max(watch.lastFrameAt, now);
    for (VehicleAnchor anchor : watch.anchors) {
      anchor.frames++;
    }
    List<Sighting> sightings = observation.sightings;
    VehicleAnchor[] matched = new VehicleAnchor[sightings.size()];
    // Anchors that have been there a standing time and are no twin of an older one beside them
    // take their sightings first, nearest pairs first; the others take what is left. An anchor sits
    // where its vehicle was first seen (a car pulling in: a little off where it settles), and a
    // passer-by crossing a parked car, or the car's own first frames, can leave a second anchor
    // nearer to where its boxes then fall. Matched by distance alone, the car's sightings split
    // between the two or moved over, each anchor then short of the presence or the standing time,
    // and the kerb count dipped or stayed short (5 of 898 overflows in a 30-minute load-test step,
    // each traced with `streetsense explain`). Two cars side by side are seen in the same frames:
    // neither is a twin, and they keep matching by distance.
    Set<VehicleAnchor> first = new HashSet<>();
    for (VehicleAnchor anchor : watch.anchors) {
      if (now - anchor.firstSeenAt >= standingMillis && !twinOfOlder(watch, anchor)) {
        first.add(anchor);
      }
    }
    match(watch, sightings, matched, anchor -> first.contains(anchor));
    match(watch, sightings, matched, anchor -> !first.contains(anchor));
    for (int i = 0; i < sightings.size(); i++) {
      Sighting sighting = sightings.get(i);
      VehicleAnchor anchor = matched[i];
      if (anchor == null) {
        anchor = new VehicleAnchor();
        anchor.x = sighting.groundX;
        anchor.y = sighting.groundY;
        anchor.firstSeenAt = now;
        anchor.frames = 1;
        watch.anchors.add(anchor);
      }
      anchor.hits++;
      anchor.lastSeenAt = now;
      anchor.track = sighting.track;
      anchor.frame = observation.frame;
      anchor.boxX = sighting.boxX;
      anchor.boxY = sighting.boxY;
      anchor.boxW = sighting.boxW;
      anchor.boxH = sighting.boxH;
    }
    // Neighbours seen in the same frame are two vehicles; a vehicle split into two anchors feeds
    // one or the other, hardly ever both (see standing()).
    for (VehicleAnchor a : watch.anchors) {
      if (a.lastSeenAt != now) {
        continue;
      }
      for (VehicleAnchor b : watch.anchors) {
        if (b != a && b.lastSeenAt == now && withinDrift(a, b)) {
          a.hitsWithNeighbour++;
          break;
        }
      }
    }
    long latest = latestStandingSighting(watch, now);
    VehicleWatch kerbWatch = watch;
    watch.anchors.removeIf(
        anchor ->
            now - anchor.lastSeenAt > graceMillis
                && !(stood(anchor, now) && stillThere(kerbWatch, anchor, now, latest)));
    if (watch.anchors.size() > MAX_ANCHORS) {
      // A crowded kerb: keep the candidates seen longest, which are the ones that can stand.
      watch.anchors.sort(
          Comparator.comparingInt((VehicleAnchor a) -> -a.hits)
              .thenComparingLong(a -> a.firstSeenAt));
      watch.anchors.subList(MAX_ANCHORS, watch.anchors.size()).clear();
    }
  }

  /**
   * Gives the frame's unmatched sightings to the anchors {@code eligible} says, closest pairs
   * within the drift first, one sighting per anchor per frame (two cars side by side stay two).
   * Ties go to the older anchor, then the earlier sighting, so the same frames always match the
   * same way.
   */
  private void match(
      VehicleWatch watch,
      List<Sighting> sightings,
      VehicleAnchor[] matched,
      Predicate<VehicleAnchor> eligible) {
    List<Pair> pairs = new ArrayList<>();
    for (VehicleAnchor anchor : watch.anchors) {
      if (!eligible.test(anchor)) {
        continue;
      }
      for (int i = 0; i < sightings.size(); i++) {
        Sighting sighting = sightings.get(i);
        double distance = Math.hypot(sighting.groundX - anchor.x, sighting.groundY - anchor.y);
        if (matched[i] == null && distance <= maxDrift) {
          pairs.add(new Pair(anchor, i, distance));
        }
      }
    }
    pairs.sort(
        Comparator.comparingDouble(Pair::distance)
            .thenComparingLong(pair -> pair.anchor().firstSeenAt)
            .thenComparingInt(Pair::sighting));
    Set<VehicleAnchor> taken = new HashSet<>();
    for (Pair pair : pairs) {
      if (matched[pair.sighting()] == null && taken.add(pair.anchor())) {
        matched[pair.sighting()] = pair.anchor();
      }
    }
  }

  /** A sighting of a frame (by its index) within the drift of an anchor. */
  private record Pair(VehicleAnchor anchor, int sighting, double distance) {}

  private boolean withinDrift(VehicleAnchor a, VehicleAnchor b) {
    return Math.hypot(a.x - b.x, a.y - b.y) <= maxDrift;
  }

  /**
   * Seen together with a neighbour within the drift in fewer than half of its frames: one vehicle's
   * second anchor, not a second vehicle beside the first (those are seen in the same frames).
   */
  private static boolean seenMostlyAlone(VehicleAnchor anchor) {
    return 2 * anchor.hitsWithNeighbour < anchor.hits;
  }

  /**
   * A younger anchor within the drift of an older one, seen together with a neighbour in fewer than
   * half of its frames: the older one's vehicle split in two, not a second vehicle.
   */
  private boolean twinOfOlder(VehicleWatch watch, VehicleAnchor anchor) {
    if (!seenMostlyAlone(anchor)) {
      return false;
    }
    for (VehicleAnchor older : watch.anchors) {
      if (older != anchor && older.firstSeenAt < anchor.firstSeenAt && withinDrift(anchor, older)) {
        return true;
      }
    }
    return false;
  }

  /** The block at one instant: counted per parking zone. */
  private record Occupancy(int occupied, int knownFree, int capacity) {}

  private record Vehicles(int count, boolean allWatched, long coveredSince) {}

  /**
   * Decides every parking zone of the block at {@code now}, after all events up to it were applied,
   * and drops what is no longer needed. Returns the violation events, by zone in map order.
   */
  public List<ViolationEvent> evaluate(BlockParkingState state, long now) {
    state.berths.values().removeIf(berth -> now - berth.lastSeenAt > sensorOfflineMillis);
    state.watches.values().removeIf(watch -> now - watch.lastFrameAt > cameraOfflineMillis);

    List<ViolationEvent> events = new ArrayList<>(1);
    for (OverflowRule rule : rules) {
      Occupancy occupancy = occupancy(state, rule.zoneId());
      Vehicles vehicles = vehicles(state, rule, now);
      boolean condition =
          occupancy.occupied() >= rule.requiredOccupied() && vehicles.count() >= rule.vehicles();
      ZoneDecision decision = state.zones.get(rule.zoneId());
      if (decision == null) {
        if (!condition) {
          continue; // a quiet zone stays stateless
        }
        decision = new ZoneDecision();
        state.zones.put(rule.zoneId(), decision);
      }
      if (condition) {
        if (decision.conditionSince == Long.MIN_VALUE) {
          decision.conditionSince = now;
        }
      } else {
        decision.conditionSince = Long.MIN_VALUE;
      }

      if (!decision.isOpen()) {
        if (condition && now - decision.conditionSince >= rule.dwell().toMillis()) {
          decision.violationId =
              blockId
                  + "/"
                  + rule.zoneId()
                  + "/"
                  + ViolationType.PARKING_OVERFLOW
                  + "/"
                  + decision.conditionSince;
          decision.detectedAt = decision.conditionSince;
          decision.lastConditionAt = now;
          decision.lastUpdateAt = now;
          decision.clearSince = Long.MIN_VALUE;
          events.add(
              event(state, rule, decision, ViolationEventKind.OPENED, now, occupancy, vehicles));
        }
      } else {
        if (condition) {
          decision.lastConditionAt = now;
          decision.clearSince = Long.MIN_VALUE;
        } else {
          witnessClear(rule, decision, occupancy, vehicles, now);
        }
        if (decision.clearSince != Long.MIN_VALUE
            && now - decision.clearSince >= rule.clearFor().toMillis()) {
          events.add(
              event(state, rule, decision, ViolationEventKind.CLEARED, now, occupancy, vehicles));
          decision.violationId = null;
          decision.clearSince = Long.MIN_VALUE;
        } else if (!signature(state, rule, occupancy, vehicles).equals(decision.lastEvidence)
            && now - decision.lastUpdateAt >= updateEveryMillis) {
          decision.lastUpdateAt = now;
          events.add(
              event(state, rule, decision, ViolationEventKind.UPDATED, now, occupancy, vehicles));
        }
      }
      if (!decision.isOpen() && decision.conditionSince == Long.MIN_VALUE) {
        state.zones.remove(rule.zoneId());
      }
    }

    // A watch matters while it tracks a vehicle, or while a violation it could clear is open.
    Set<String> watchedForClearing = new HashSet<>();
    for (OverflowRule rule : rules) {
      ZoneDecision decision = state.zones.get(rule.zoneId());
      if (decision != null && decision.isOpen()) {
        watchedForClearing.addAll(rule.noParking());
      }
    }
    state
        .watches
        .values()
        .removeIf(watch -> watch.anchors.isEmpty() && !watchedForClearing.contains(watch.zoneId));
    return events;
  }

  /** Whether the state holds nothing: the Flink function then drops it. */
  public static boolean isEmpty(BlockParkingState state) {
    return state.berths.isEmpty() && state.watches.isEmpty() && state.zones.isEmpty();
  }

  private void witnessClear(
      OverflowRule rule, ZoneDecision decision, Occupancy occupancy, Vehicles vehicles, long now) {
    // Every silent or unknown berth could be occupied: only known-free berths show it short.
    boolean berthsShowClear =
        occupancy.capacity() - occupancy.knownFree() < rule.requiredOccupied();
    boolean camerasShowClear = vehicles.allWatched() && vehicles.count() < rule.vehicles();
    if (!berthsShowClear && !camerasShowClear) {
      decision.clearSince = Long.MIN_VALUE; // not seen clear: an unwatched kerb proves nothing
      return;
    }
    long since = decision.clearSince == Long.MIN_VALUE ? now : decision.clearSince;
    if (!berthsShowClear) {
      since = Math.max(since, vehicles.coveredSince()); // coverage restarts after a camera outage
    }
    decision.clearSince = since;
  }

  private Occupancy occupancy(BlockParkingState state, String zoneId) {
    int occupied = 0;
    int knownFree = 0;
    for (String sensorId : sensorsOfZone.getOrDefault(zoneId, List.of())) {
      Berth berth = state.berths.get(sensorId); // present only while the sensor is online
      if (berth != null) {
        if (berth.occupied) {
          occupied++;
        } else {
          knownFree++;
        }
      }
    }
    return new Occupancy(occupied, knownFree, capacityOfZone.getOrDefault(zoneId, 0));
  }

  private Vehicles vehicles(BlockParkingState state, OverflowRule rule, long now) {
    int count = 0;
    boolean allWatched = true;
    long coveredSince = Long.MIN_VALUE;
    for (String zoneId : rule.noParking()) {
      int most = 0;
      long earliestCoverage = Long.MAX_VALUE;
      for (VehicleWatch watch : state.watches.values()) {
        if (!watch.zoneId.equals(zoneId)) {
          continue; // watches are offline-pruned in evaluate: every one left is online
        }
        earliestCoverage = Math.min(earliestCoverage, watch.coveredSince);
        most = Math.max(most, standing(watch, now).size());
      }
      if (earliestCoverage == Long.MAX_VALUE) {
        allWatched = false;
      } else {
        coveredSince = Math.max(coveredSince, earliestCoverage);
      }
      count += most;
    }
    return new Vehicles(count, allWatched, coveredSince);
  }

  private List<VehicleAnchor> standing(VehicleWatch watch, long now) {
    long latest = latestStandingSighting(watch, now);
    List<VehicleAnchor> candidates = new ArrayList<>();
    for (VehicleAnchor anchor : watch.anchors) {
      if (stood(anchor, now) && stillThere(watch, anchor, now, latest)) {
        candidates.add(anchor);
      }
    }
    // One vehicle, one count. A passing vehicle crossing a parked one in a frame starts a second
    // anchor beside it, and the two then share the parked car's sightings, each in some frames:
    // both can stand. Two vehicles close together in the image (one behind the other, far from
    // the camera) are seen in the same frames. So of two standing anchors within the drift, the
    // younger counts only if it was seen together with a neighbour in most of its frames.
    candidates.sort(Comparator.comparingLong((VehicleAnchor a) -> a.firstSeenAt));
    List<VehicleAnchor> standing = new ArrayList<>();
    for (VehicleAnchor anchor : candidates) {
      boolean twinOfOlder = false;
      for (VehicleAnchor older : standing) {
        if (withinDrift(anchor, older) && seenMostlyAlone(anchor)) {
          twinOfOlder = true;
          break;
        }
      }
      if (!twinOfOlder) {
        standing.add(anchor);
      }
    }
    return standing;
  }

  /** Stood long enough, seen in enough of the camera's frames since first seen. */
  private boolean stood(VehicleAnchor anchor, long now) {
    return now - anchor.firstSeenAt >= standingMillis
        && anchor.hits >= OverflowRule.VEHICLE_PRESENCE * anchor.frames;
  }

  /** The latest sighting of any vehicle that has stood on the watched kerb, or Long.MIN_VALUE. */
  private long latestStandingSighting(VehicleWatch watch, long now) {
    long latest = Long.MIN_VALUE;
    for (VehicleAnchor anchor : watch.anchors) {
      if (stood(anchor, now)) {
        latest = Math.max(latest, anchor.lastSeenAt);
      }
    }
    return latest;
  }

  /**
   * Still there though unseen: for the grace, or for the longer hidden grace when every vehicle
   * that stood there vanished with it (the kerb is hidden; a car that leaves goes alone), or for as
   * long as a twin beside it takes its sightings (see {@link #sightingsTakenByTwin}).
   */
  private boolean stillThere(
      VehicleWatch watch, VehicleAnchor anchor, long now, long latestStandingSighting) {
    long unseen = now - anchor.lastSeenAt;
    return unseen <= graceMillis
        || (unseen <= hiddenGraceMillis
            && latestStandingSighting - anchor.lastSeenAt <= togetherMillis)
        || sightingsTakenByTwin(watch, anchor, now);
  }

  /**
   * Whether a younger candidate within the drift took over this one's sightings, so the vehicle is
   * still seen, only matched elsewhere. A candidate sits where its vehicle was first seen; a
   * vehicle arriving is first seen a little off where it settles, and a passer-by crossing it (or
   * taking its candidate in one frame) can start a candidate nearer to where its boxes then fall.
   * From then on the parked vehicle feeds the newer candidate and starves its own: without this it
   * would stop counting after the grace, well before the newer one has stood, and the kerb count
   * would dip for a moment, restarting the overflow's dwell. The twin must have appeared while this
   * one was still seen, be seen now, and be seen without a neighbour in most of its frames (two
   * vehicles side by side are seen together; then this one left, and stops counting).
   */
  private boolean sightingsTakenByTwin(VehicleWatch watch, VehicleAnchor anchor, long now) {
    for (VehicleAnchor twin : watch.anchors) {
      if (twin != anchor
          && twin.firstSeenAt > anchor.firstSeenAt
          && twin.firstSeenAt <= anchor.lastSeenAt
          && now - twin.lastSeenAt <= graceMillis
          && seenMostlyAlone(twin)
          && withinDrift(twin, anchor)) {
        return true;
      }
    }
    return false;
  }

  private List<AlternativeParking> alternatives(BlockParkingState state, OverflowRule rule) {
    List<AlternativeParking> alternatives = new ArrayList<>();
    for (String zoneId : rule.alternatives()) {
      Occupancy occupancy = occupancy(state, zoneId);
      alternatives.add(new AlternativeParking(zoneId, occupancy.knownFree(), occupancy.capacity()));
    }
    return alternatives;
  }

  private String signature(
      BlockParkingState state, OverflowRule rule, Occupancy occupancy, Vehicles vehicles) {
    StringBuilder signature =
        new StringBuilder().append(occupancy.occupied()).append('|').append(vehicles.count());
    for (AlternativeParking alternative : alternatives(state, rule)) {
      signature
          .append('|')
          .append(alternative.getZoneId())
          .append(':')
          .append(alternative.getFree());
    }
    return signature.toString();
  }

  private ViolationEvent event(
      BlockParkingState state,
      OverflowRule rule,
      ZoneDecision decision,
      ViolationEventKind kind,
      long now,
      Occupancy occupancy,
      Vehicles vehicles) {
    decision.lastEvidence = signature(state, rule, occupancy, vehicles);
    ParkingEvidence parking =
        ParkingEvidence.newBuilder()
            .setOccupied(occupancy.occupied())
            .setCapacity(occupancy.capacity())
            .setVehiclesInNoParking(vehicles.count())
            .setAlternatives(alternatives(state, rule))
            .build();
    return ViolationEvent.newBuilder()
        .setViolationId(decision.violationId)
        .setKind(kind)
        .setType(ViolationType.PARKING_OVERFLOW)
        .setBlockId(blockId)
        .setZoneId(rule.zoneId())
        .setShopId(null)
        .setDetectedAt(Instant.ofEpochMilli(decision.detectedAt))
        .setEventTime(Instant.ofEpochMilli(now))
        .setDwellMillis(decision.lastConditionAt - decision.detectedAt)
        .setEvidence(new Evidence(cameraEvidence(state, rule, now), parking))
        .build();
  }

  /**
   * Per camera, the vehicles it counts as standing: one sample frame, track and box per vehicle
   * (same order); frames observed and with the object are those of the longest-standing one.
   */
  private List<CameraEvidence> cameraEvidence(
      BlockParkingState state, OverflowRule rule, long now) {
    List<CameraEvidence> cameras = new ArrayList<>();
    // Sorted by zone and camera so the same input always gives byte-identical events.
    for (VehicleWatch watch : new TreeMap<>(state.watches).values()) {
      if (!rule.noParking().contains(watch.zoneId)) {
        continue;
      }
      List<VehicleAnchor> standing = standing(watch, now);
      if (standing.isEmpty()) {
        continue;
      }
      List<Long> frames = new ArrayList<>();
      List<String> tracks = new ArrayList<>();
      List<Box> boxes = new ArrayList<>();
      long firstSeen = Long.MAX_VALUE;
      VehicleAnchor longest = standing.get(0);
      for (VehicleAnchor anchor : standing) {
        frames.add(anchor.frame);
        tracks.add(anchor.track);
        boxes.add(new Box(anchor.boxX, anchor.boxY, anchor.boxW, anchor.boxH));
        firstSeen = Math.min(firstSeen, anchor.firstSeenAt);
        if (anchor.frames > longest.frames) {
          longest = anchor;
        }
      }
      cameras.add(
          CameraEvidence.newBuilder()
              .setCameraId(watch.cameraId)
              .setFirstFrameAt(Instant.ofEpochMilli(firstSeen))
              .setLastFrameAt(Instant.ofEpochMilli(watch.lastFrameAt))
              .setFramesObserved(longest.frames)
              .setFramesWithObject(longest.hits)
              .setSampleFrames(frames)
              .setTracks(tracks)
              .setBoxes(boxes)
              .build());
    }
    return cameras;
  }

  // ---------------------------------------------------------------------------------------------
  // Read-only queries, for `streetsense explain` (package io.streetsense.detectors.explain): they
  // read the state the way evaluate() does and never change it. Ask them right after evaluate() at
  // the same instant: evaluate() is what drops silent berths and offline cameras.
  // ---------------------------------------------------------------------------------------------

  /** The block's overflow rules, in map order. */
  public List<OverflowRule> rules() {
    return rules;
  }

  /** The rule of a parking zone, or null when it has none. */
  public OverflowRule rule(String zoneId) {
    for (OverflowRule rule : rules) {
      if (rule.zoneId().equals(zoneId)) {
        return rule;
      }
    }
    return null;
  }

  /**
   * A vehicle candidate of one camera on one kerb.
   *
   * @param frames the camera's frames since it was first seen
   * @param hits those that showed it near where it was first seen
   * @param standing whether it counts now (stood {@link OverflowRule#VEHICLE_STANDING}, seen in
   *     {@link OverflowRule#VEHICLE_PRESENCE} of the frames, unseen at most {@link
   *     OverflowRule#VEHICLE_GRACE})
   */
  public record AnchorState(
      String track, long firstSeenAt, long lastSeenAt, int frames, int hits, boolean standing) {}

  /** One online camera's view of one kerb: since when it covers it, what it counts, why. */
  public record KerbState(
      String kerbId,
      String cameraId,
      long coveredSince,
      long lastFrameAt,
      int counted,
      List<AnchorState> anchors) {}

  /**
   * A parking zone's overflow condition at {@code now}.
   *
   * @param occupied berths occupied by the word of online sensors
   * @param knownFree berths online sensors report free
   * @param silentSensors sensors of the zone not heard from within the offline limit (or never)
   * @param vehicles vehicles counted on the zone's kerbs (per kerb the most any one camera counts)
   * @param allKerbsWatched whether every kerb has an online camera
   * @param conditionSince since when both parts have held, or {@code Long.MIN_VALUE}
   * @param violationId the open violation, or null
   * @param clearSince since when the condition has been seen false by online devices while open, or
   *     {@code Long.MIN_VALUE}
   */
  public record ZoneConditionState(
      OverflowRule rule,
      int occupied,
      int knownFree,
      int capacity,
      List<String> silentSensors,
      int vehicles,
      boolean allKerbsWatched,
      List<KerbState> kerbs,
      long conditionSince,
      String violationId,
      long detectedAt,
      long clearSince) {
    public boolean occupancyHolds() {
      return occupied >= rule.requiredOccupied();
    }

    public boolean vehiclesHold() {
      return vehicles >= rule.vehicles();
    }
  }

  /** The condition of a parking zone with an overflow rule at {@code now}; null without a rule. */
  public ZoneConditionState conditionState(BlockParkingState state, String zoneId, long now) {
    OverflowRule rule = rule(zoneId);
    if (rule == null) {
      return null;
    }
    Occupancy occupancy = occupancy(state, zoneId);
    Vehicles vehicles = vehicles(state, rule, now);
    List<String> silent = new ArrayList<>();
    for (String sensorId : sensorsOfZone.getOrDefault(zoneId, List.of())) {
      if (!state.berths.containsKey(sensorId)) {
        silent.add(sensorId);
      }
    }
    List<KerbState> kerbs = new ArrayList<>();
    for (VehicleWatch watch : new TreeMap<>(state.watches).values()) {
      if (!rule.noParking().contains(watch.zoneId)) {
        continue;
      }
      List<AnchorState> anchors = new ArrayList<>();
      List<VehicleAnchor> standing = standing(watch, now);
      for (VehicleAnchor anchor : watch.anchors) {
        anchors.add(
            new AnchorState(
                anchor.track,
                anchor.firstSeenAt,
                anchor.lastSeenAt,
                anchor.frames,
                anchor.hits,
                standing.contains(anchor)));
      }
      kerbs.add(
          new KerbState(
              watch.zoneId,
              watch.cameraId,
              watch.coveredSince,
              watch.lastFrameAt,
              standing.size(),
              anchors));
    }
    ZoneDecision decision = state.zones.get(zoneId);
    return new ZoneConditionState(
        rule,
        occupancy.occupied(),
        occupancy.knownFree(),
        occupancy.capacity(),
        silent,
        vehicles.count(),
        vehicles.allWatched(),
        kerbs,
        decision == null ? Long.MIN_VALUE : decision.conditionSince,
        decision == null ? null : decision.violationId,
        decision == null ? Long.MIN_VALUE : decision.detectedAt,
        decision == null ? Long.MIN_VALUE : decision.clearSince);
  }
}
