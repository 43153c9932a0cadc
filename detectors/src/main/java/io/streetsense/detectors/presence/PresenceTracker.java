package io.streetsense.detectors.presence;

import io.streetsense.blockmap.TimeWindow;
import io.streetsense.detectors.presence.ZoneState.CameraWindow;
import io.streetsense.detectors.presence.ZoneState.Candidate;
import io.streetsense.detectors.presence.ZoneState.OpenViolation;
import io.streetsense.schemas.Box;
import io.streetsense.schemas.CameraEvidence;
import io.streetsense.schemas.Evidence;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The presence decision for one zone, free of Flink so it can be tested frame by frame. Fed the
 * zone's observations in event-time order, it opens, updates and clears the zone's violation.
 *
 * <p><b>Open</b> when one camera has watched the zone for the rule's dwell and, for an object it
 * sees now, at least {@code presence} of its frames in the last dwell show an object within {@code
 * maxDrift} of where this one stands. Matching by position instead of tracker id survives tracker
 * id switches and flicker; a vendor who keeps moving never stays within the drift long enough.
 *
 * <p>The frames are not kept: each camera counts its frames per time bucket ({@link #BUCKETS} to a
 * dwell), and each place where a relevant object was seen (a candidate, fixed where first seen)
 * counts the frames that showed something within the drift of it, per bucket. The share is the
 * candidate's hits over the camera's frames in the current bucket and the {@code BUCKETS} before.
 * The state of a zone is bounded whatever the dwell, the frame rate or how long an object stands.
 *
 * <p><b>Clear</b> once the zone has been watched without the object for the rule's clear time, by
 * cameras that stayed online (no silence over {@code cameraOfflineAfter}): opening needs sustained
 * presence, clearing needs sustained absence, so a violation does not flap on noisy frames. An
 * offline camera never clears anything.
 */
public final class PresenceTracker {
  /**
   * Time buckets per dwell: the rule's time granularity is {@code dwell / BUCKETS} (15 s for a
   * 3-minute dwell, 25 s for 5 minutes). The share of frames is taken over the current bucket,
   * partly filled, and the {@code BUCKETS} before it: the last dwell and at most one bucket more.
   */
  public static final int BUCKETS = 12;

  /** Slots of a camera's and a candidate's ring: the current bucket and a dwell of full ones. */
  private static final int SLOTS = BUCKETS + 1;

  /**
   * Candidate positions kept per camera. A full camera makes room only by dropping a candidate that
   * nothing stands on (seen in under half of its frames of the last two buckets): the objects that
   * stand keep theirs, and one of them is all a violation needs.
   */
  public static final int MAX_CANDIDATES = 4;

  private static final int MAX_SAMPLE_FRAMES = 3;
  private static final int MAX_TRACKS = 4;

  private final PresenceRule rule;
  private final long dwellMillis;
  private final long bucketMillis;
  private final long clearForMillis;
  private final long offlineAfterMillis;
  private final long updateEveryMillis;

  // The last answer of rule.allowedAt and the event times it holds for: [from, until). Reading a
  // permit or market window means converting the instant to the block's wall clock, a time-zone
  // rules lookup per observation; the answer changes only at a window's boundary. Not state: a
  // cache of a pure function, rebuilt on demand.
  private long allowedFrom = Long.MAX_VALUE;
  private long allowedUntil = Long.MIN_VALUE;
  private boolean allowed;

  public PresenceTracker(PresenceRule rule, long offlineAfterMillis, long updateEveryMillis) {
    this.rule = rule;
    this.dwellMillis = rule.dwell().toMillis();
    this.bucketMillis = Math.max(1, (dwellMillis + BUCKETS - 1) / BUCKETS);
    this.clearForMillis = rule.clearFor().toMillis();
    this.offlineAfterMillis = offlineAfterMillis;
    this.updateEveryMillis = updateEveryMillis;
  }

  /** {@link PresenceRule#allowedAt}, answered from the last window boundary while it holds. */
  private boolean allowedAt(long now) {
    if (now >= allowedFrom && now < allowedUntil) {
      return allowed;
    }
    allowed = rule.allowedAt(now);
    allowedFrom = now;
    allowedUntil =
        rule.allowedWindows().isEmpty()
            ? Long.MAX_VALUE
            : TimeWindow.nextBoundaryAfter(
                    rule.allowedWindows(), Instant.ofEpochMilli(now), rule.timezone())
                .map(Instant::toEpochMilli)
                .orElse(Long.MAX_VALUE);
    return allowed;
  }

  /** The rule's time granularity: one time bucket. */
  public long bucketMillis() {
    return bucketMillis;
  }

  /**
   * Applies one observation (in event-time order) to the state and returns the violation events it
   * causes. A frame touches its camera's current bucket and the candidates it shows, nothing else.
   */
  public List<ViolationEvent> observe(ZoneState state, ZoneObservation observation) {
    long now = observation.eventTime;
    List<Sighting> sightings =
        allowedAt(now) ? List.of() : observation.sightings; // legal now: counts as clear
    if (state.open == null
        && sightings.isEmpty()
        && !state.cameras.containsKey(observation.cameraId)) {
      return List.of(); // a quiet zone stays stateless
    }

    // A frame delivered twice never gets here: Detectors drops copies for every detector.
    CameraWindow window = state.cameras.get(observation.cameraId);
    if (window == null) {
      window = new CameraWindow();
      window.watchingSince = now;
      state.cameras.put(observation.cameraId, window);
    } else if (now - window.lastFrameAt > offlineAfterMillis) {
      // This camera was offline (or its counts were dropped by an upgrade): what it saw before
      // says nothing about the dwell.
      window.frameCounts = null;
      window.candidates.clear();
      window.watchingSince = now;
    }
    window.lastFrameAt = now;
    Map<Candidate, Sighting> seenNow = count(window, sightings, now);

    List<ViolationEvent> events = new ArrayList<>(1);
    if (state.open == null) {
      Standing standing = standingObject(window, seenNow, now);
      if (standing != null) {
        open(state, window, standing, observation, now);
        events.add(event(state, ViolationEventKind.OPENED, now));
      }
    } else {
      boolean seen = seenByCamera(window, seenNow, sightings, observation, now);
      if (seen) {
        state.open.lastSeenAt = now;
        if (now - state.open.lastUpdateAt >= updateEveryMillis) {
          state.open.lastUpdateAt = now;
          events.add(event(state, ViolationEventKind.UPDATED, now));
        }
      } else if (window.anchored
          && now - Math.max(state.open.lastSeenAt, window.watchingSince) >= clearForMillis) {
        // Only a camera that has located the object can show it gone, and only by frames since
        // its last outage: another camera's empty view may simply not reach where it stands.
        events.add(event(state, ViolationEventKind.CLEARED, now));
        state.open = null;
        for (CameraWindow camera : state.cameras.values()) {
          resetEvidence(camera);
        }
      }
    }
    return events;
  }

  /** True when the zone holds nothing worth keeping: no open violation and nothing seen lately. */
  public static boolean isQuiet(ZoneState state) {
    if (state.open != null) {
      return false;
    }
    for (CameraWindow window : state.cameras.values()) {
      if (!window.candidates.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Moves the camera's ring to the bucket of {@code now}, counts the frame, and credits each
   * sighting to the nearest candidate within the drift that has none yet in this frame (or to a new
   * candidate where it stands). Returns the candidates seen in this frame with their sightings.
   */
  private Map<Candidate, Sighting> count(CameraWindow window, List<Sighting> sightings, long now) {
    long bucket = Math.floorDiv(now, bucketMillis);
    if (window.frameCounts == null) {
      window.frameCounts = new short[SLOTS];
      window.bucket = bucket;
    } else if (bucket > window.bucket) {
      long steps = Math.min(bucket - window.bucket, SLOTS);
      for (long i = 1; i <= steps; i++) {
        int slot = slot(window.bucket + i);
        window.frameCounts[slot] = 0;
        for (Candidate candidate : window.candidates) {
          candidate.hits[slot] = 0;
        }
      }
      window.bucket = bucket;
      window.candidates.removeIf(candidate -> sum(candidate.hits) == 0);
    }
    int slot = slot(window.bucket);
    window.frameCounts[slot] = increment(window.frameCounts[slot]);

    Map<Candidate, Sighting> seen = new IdentityHashMap<>();
    for (Sighting sighting : sightings) {
      Candidate nearest = null;
      double nearestDistance = Double.MAX_VALUE;
      for (Candidate candidate : window.candidates) {
        double distance = sighting.distanceTo(candidate.x, candidate.y);
        // One sighting per candidate and frame: two stalls side by side stay two.
        if (!seen.containsKey(candidate)
            && distance <= rule.maxDrift()
            && distance < nearestDistance) {
          nearest = candidate;
          nearestDistance = distance;
        }
      }
      if (nearest == null) {
        nearest = newCandidate(window, seen, sighting, now);
        if (nearest == null) {
          continue; // every candidate has an object standing on it
        }
      }
      nearest.hits[slot] = increment(nearest.hits[slot]);
      seen.put(nearest, sighting);
    }
    return seen;
  }

  /** A new candidate where {@code sighting} stands, or null when the camera has no room. */
  private Candidate newCandidate(
      CameraWindow window, Map<Candidate, Sighting> seen, Sighting sighting, long now) {
    if (window.candidates.size() >= MAX_CANDIDATES) {
      Candidate weakest = null;
      for (Candidate candidate : window.candidates) {
        if (!seen.containsKey(candidate)
            && !standsLately(window, candidate)
            && (weakest == null || sum(candidate.hits) < sum(weakest.hits))) {
          weakest = candidate;
        }
      }
      if (weakest == null) {
        return null;
      }
      window.candidates.remove(weakest);
    }
    Candidate candidate = new Candidate();
    candidate.x = (float) sighting.groundX;
    candidate.y = (float) sighting.groundY;
    candidate.firstSeenAt = now;
    candidate.firstTrack = sighting.track;
    candidate.hits = new short[SLOTS];
    window.candidates.add(candidate);
    return candidate;
  }

  /** Whether something was seen on the candidate in at least half the frames of two buckets. */
  private static boolean standsLately(CameraWindow window, Candidate candidate) {
    int current = slot(window.bucket);
    int previous = slot(window.bucket - 1);
    int frames = window.frameCounts[current] + window.frameCounts[previous];
    int hits = candidate.hits[current] + candidate.hits[previous];
    return frames > 0 && 2 * hits >= frames;
  }

  private static short increment(short count) {
    return count == Short.MAX_VALUE ? count : (short) (count + 1);
  }

  private static int sum(short[] counts) {
    int total = 0;
    for (short count : counts) {
      total += count;
    }
    return total;
  }

  private static int slot(long bucket) {
    return (int) Math.floorMod(bucket, (long) SLOTS);
  }

  /** An object standing in the camera's view for the dwell, or null. */
  private record Standing(
      Candidate candidate,
      Sighting sighting,
      long firstSeenAt,
      int framesObserved,
      int framesWithObject) {}

  private Standing standingObject(CameraWindow window, Map<Candidate, Sighting> seenNow, long now) {
    if (now - window.watchingSince < dwellMillis) {
      return null; // not watched for a whole dwell yet
    }
    int frames = sum(window.frameCounts);
    Standing best = null;
    // In the camera's candidate order, so the same input always picks the same one.
    for (Candidate candidate : window.candidates) {
      Sighting sighting = seenNow.get(candidate);
      if (sighting == null) {
        continue; // not seen now
      }
      int hits = sum(candidate.hits);
      long firstSeen = firstSeen(window, candidate);
      // Present for the dwell: seen there since its start (to the bucket), and in enough of the
      // frames since. The share alone would open a stall that stood 0.6 of the dwell in a zone a
      // camera was already watching (a cart stopping for two minutes of a three-minute dwell).
      if (now - firstSeen >= dwellMillis
          && (double) hits / frames >= rule.presence()
          && (best == null || hits > best.framesWithObject())) {
        best = new Standing(candidate, sighting, firstSeen, frames, hits);
      }
    }
    return best;
  }

  /**
   * When the candidate's object was first seen within the last dwell: its first sighting, or the
   * start of the oldest bucket in the window that shows it if that is later.
   */
  private long firstSeen(CameraWindow window, Candidate candidate) {
    for (long bucket = window.bucket - BUCKETS; bucket <= window.bucket; bucket++) {
      if (candidate.hits[slot(bucket)] > 0) {
        return Math.max(candidate.firstSeenAt, bucket * bucketMillis);
      }
    }
    return candidate.firstSeenAt;
  }

  private Sighting near(List<Sighting> sightings, double x, double y) {
    Sighting nearest = null;
    double nearestDistance = Double.MAX_VALUE;
    for (Sighting sighting : sightings) {
      double distance = sighting.distanceTo(x, y);
      if (distance <= rule.maxDrift() && distance < nearestDistance) {
        nearest = sighting;
        nearestDistance = distance;
      }
    }
    return nearest;
  }

  private void open(
      ZoneState state,
      CameraWindow window,
      Standing standing,
      ZoneObservation observation,
      long now) {
    OpenViolation open = new OpenViolation();
    open.detectedAt = standing.firstSeenAt();
    open.openedAt = now;
    open.lastSeenAt = now;
    open.lastUpdateAt = now;
    open.violationId =
        rule.blockId() + "/" + rule.zoneId() + "/" + rule.type() + "/" + open.detectedAt;
    state.open = open;
    anchor(window, standing, observation.frame, now);
  }

  private void anchor(CameraWindow window, Standing standing, long frame, long now) {
    window.anchored = true;
    window.anchorX = standing.candidate().x;
    window.anchorY = standing.candidate().y;
    window.firstSeenAt = standing.firstSeenAt();
    window.lastSeenAt = now;
    window.framesObserved = standing.framesObserved();
    window.framesWithObject = standing.framesWithObject();
    // Evidence: the track it was first seen under, and this frame.
    if (standing.candidate().firstTrack != null) {
      window.tracks.add(standing.candidate().firstTrack);
    }
    remember(window, frame, standing.sighting());
  }

  private boolean seenByCamera(
      CameraWindow window,
      Map<Candidate, Sighting> seenNow,
      List<Sighting> sightings,
      ZoneObservation observation,
      long now) {
    if (!window.anchored) {
      Standing standing = standingObject(window, seenNow, now);
      if (standing == null) {
        // Not located by this camera yet: any relevant object it sees keeps the zone from clearing.
        return !sightings.isEmpty();
      }
      anchor(window, standing, observation.frame, now);
      return true;
    }
    window.framesObserved++;
    Sighting match = near(sightings, window.anchorX, window.anchorY);
    if (match == null) {
      return false;
    }
    window.framesWithObject++;
    window.lastSeenAt = now;
    remember(window, observation.frame, match);
    return true;
  }

  /** Keeps a bounded sample of evidence: the first frames, then always the latest. */
  private static void remember(CameraWindow window, long frame, Sighting sighting) {
    int size = window.samples == null ? 0 : window.samples.length;
    int at = size;
    if (size >= MAX_SAMPLE_FRAMES) {
      at = size - 1;
    } else {
      window.samples =
          Arrays.copyOf(window.samples == null ? new long[0] : window.samples, size + 1);
      window.sampleBoxes =
          Arrays.copyOf(
              window.sampleBoxes == null ? new float[0] : window.sampleBoxes, 4 * (size + 1));
    }
    window.samples[at] = frame;
    window.sampleBoxes[4 * at] = (float) sighting.boxX;
    window.sampleBoxes[4 * at + 1] = (float) sighting.boxY;
    window.sampleBoxes[4 * at + 2] = (float) sighting.boxW;
    window.sampleBoxes[4 * at + 3] = (float) sighting.boxH;
    if (window.tracks.size() < MAX_TRACKS && !window.tracks.contains(sighting.track)) {
      window.tracks.add(sighting.track);
    }
  }

  /** A stored float as the decimal it was (0.46f as 0.46, not 0.46000000834465027). */
  private static double decimal(float value) {
    return Double.parseDouble(Float.toString(value));
  }

  private static void resetEvidence(CameraWindow window) {
    window.anchored = false;
    window.framesObserved = 0;
    window.framesWithObject = 0;
    window.samples = null;
    window.sampleBoxes = null;
    window.tracks.clear();
  }

  private ViolationEvent event(ZoneState state, ViolationEventKind kind, long now) {
    OpenViolation open = state.open;
    List<CameraEvidence> cameras = new ArrayList<>();
    // Sorted by camera id so the same input always gives byte-identical events.
    for (Map.Entry<String, CameraWindow> entry : new TreeMap<>(state.cameras).entrySet()) {
      CameraWindow window = entry.getValue();
      if (!window.anchored) {
        continue;
      }
      List<Long> frames = new ArrayList<>();
      List<Box> boxes = new ArrayList<>();
      for (int i = 0; window.samples != null && i < window.samples.length; i++) {
        frames.add(window.samples[i]);
        float[] b = window.sampleBoxes;
        boxes.add(
            new Box(
                decimal(b[4 * i]),
                decimal(b[4 * i + 1]),
                decimal(b[4 * i + 2]),
                decimal(b[4 * i + 3])));
      }
      cameras.add(
          CameraEvidence.newBuilder()
              .setCameraId(entry.getKey())
              .setFirstFrameAt(Instant.ofEpochMilli(window.firstSeenAt))
              .setLastFrameAt(Instant.ofEpochMilli(window.lastSeenAt))
              .setFramesObserved(window.framesObserved)
              .setFramesWithObject(window.framesWithObject)
              .setSampleFrames(frames)
              .setTracks(new ArrayList<>(window.tracks))
              .setBoxes(boxes)
              .build());
    }
    return ViolationEvent.newBuilder()
        .setViolationId(open.violationId)
        .setKind(kind)
        .setType(rule.type())
        .setBlockId(rule.blockId())
        .setZoneId(rule.zoneId())
        .setShopId(rule.shopId())
        .setDetectedAt(Instant.ofEpochMilli(open.detectedAt))
        .setEventTime(Instant.ofEpochMilli(now))
        .setDwellMillis(open.lastSeenAt - open.detectedAt)
        .setEvidence(new Evidence(cameras, null))
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // Read-only queries, for `streetsense explain` (package io.streetsense.detectors.explain): they
  // read the state the way the decision above does and never change it.
  // ---------------------------------------------------------------------------------------------

  /** The rule this tracker decides. */
  public PresenceRule rule() {
    return rule;
  }

  /**
   * A camera's best candidate place, measured as the opening decision measures it: the share of the
   * camera's frames over the last dwell (its bucket window) that showed an object within the drift
   * of the place.
   *
   * @param x where the place is (the ground point of its first sighting)
   * @param firstTrack the tracker id of the place's first sighting
   * @param watchingSince since when this camera has watched the zone without an outage
   * @param firstSeenAt when the object was first seen there within the last dwell
   * @param framesObserved the camera's frames over the last dwell
   * @param framesWithObject those showing something at the place
   */
  public record CandidateView(
      String cameraId,
      double x,
      double y,
      String firstTrack,
      long watchingSince,
      long firstSeenAt,
      int framesObserved,
      int framesWithObject) {
    /** Share of the frames showing the candidate, against the rule's {@code presence}. */
    public double share() {
      return framesObserved == 0 ? 0 : (double) framesWithObject / framesObserved;
    }
  }

  /**
   * The camera's candidate place seen in most of its frames over the last dwell, also when short of
   * the rule's presence; null when the camera has seen nothing relevant lately (or the zone holds
   * no window of this camera).
   */
  public CandidateView bestCandidate(ZoneState state, String cameraId) {
    CameraWindow window = state.cameras.get(cameraId);
    if (window == null || window.frameCounts == null) {
      return null;
    }
    int frames = sum(window.frameCounts);
    CandidateView best = null;
    for (Candidate candidate : window.candidates) {
      int hits = sum(candidate.hits);
      if (hits > 0 && (best == null || hits > best.framesWithObject())) {
        best =
            new CandidateView(
                cameraId,
                candidate.x,
                candidate.y,
                candidate.firstTrack,
                window.watchingSince,
                firstSeen(window, candidate),
                frames,
                hits);
      }
    }
    return best;
  }

  /** Since when the camera has watched the zone without an outage, or null without a window. */
  public Long watchingSince(ZoneState state, String cameraId) {
    CameraWindow window = state.cameras.get(cameraId);
    return window == null ? null : window.watchingSince;
  }

  /**
   * The open violation as the clearing decision sees it.
   *
   * @param locatedBy the cameras that have located the object (only they can show it gone)
   * @param seenClearSince since when a camera that located it has watched without seeing it (the
   *     earliest of them), or null while it is still seen or no camera has located it
   */
  public record OpenState(
      String violationId,
      long detectedAt,
      long openedAt,
      long lastSeenAt,
      List<String> locatedBy,
      Long seenClearSince) {}

  /** The open violation, or null. */
  public OpenState openState(ZoneState state) {
    OpenViolation open = state.open;
    if (open == null) {
      return null;
    }
    List<String> located = new ArrayList<>();
    Long clearSince = null;
    for (Map.Entry<String, CameraWindow> entry : new TreeMap<>(state.cameras).entrySet()) {
      CameraWindow window = entry.getValue();
      if (!window.anchored) {
        continue;
      }
      located.add(entry.getKey());
      long since = Math.max(open.lastSeenAt, window.watchingSince);
      if (window.lastFrameAt > open.lastSeenAt) {
        clearSince = clearSince == null ? since : Math.min(clearSince, since);
      }
    }
    return new OpenState(
        open.violationId, open.detectedAt, open.openedAt, open.lastSeenAt, located, clearSince);
  }
}
