package io.streetsense.detectors.presence;

import io.streetsense.detectors.presence.ZoneState.CameraWindow;
import io.streetsense.detectors.presence.ZoneState.FrameRecord;
import io.streetsense.detectors.presence.ZoneState.OpenViolation;
import io.streetsense.schemas.Box;
import io.streetsense.schemas.CameraEvidence;
import io.streetsense.schemas.Evidence;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
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
 * <p><b>Clear</b> once the zone has been watched without the object for the rule's clear time, by
 * cameras that stayed online (no silence over {@code cameraOfflineAfter}): opening needs sustained
 * presence, clearing needs sustained absence, so a violation does not flap on noisy frames. An
 * offline camera never clears anything.
 */
public final class PresenceTracker {
  private static final int MAX_SAMPLE_FRAMES = 8;
  private static final int MAX_TRACKS = 16;

  private final PresenceRule rule;
  private final long dwellMillis;
  private final long clearForMillis;
  private final long offlineAfterMillis;
  private final long updateEveryMillis;

  public PresenceTracker(PresenceRule rule, long offlineAfterMillis, long updateEveryMillis) {
    this.rule = rule;
    this.dwellMillis = rule.dwell().toMillis();
    this.clearForMillis = rule.clearFor().toMillis();
    this.offlineAfterMillis = offlineAfterMillis;
    this.updateEveryMillis = updateEveryMillis;
  }

  /**
   * Applies one observation (in event-time order) to the state and returns the violation events it
   * causes.
   */
  public List<ViolationEvent> observe(ZoneState state, ZoneObservation observation) {
    long now = observation.eventTime;
    List<Sighting> sightings =
        rule.allowedAt(now) ? List.of() : observation.sightings; // legal now: counts as clear
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
    } else if (!window.frames.isEmpty()
        && now - window.frames.get(window.frames.size() - 1).eventTime > offlineAfterMillis) {
      window.frames.clear(); // this camera was offline: its old frames say nothing about the dwell
      window.watchingSince = now;
    }
    window.frames.add(new FrameRecord(now, observation.frame, sightings));
    prune(window, now);

    List<ViolationEvent> events = new ArrayList<>(1);
    if (state.open == null) {
      Standing standing = standingObject(window, now);
      if (standing != null) {
        open(state, window, standing, observation, now);
        events.add(event(state, ViolationEventKind.OPENED, now));
      }
    } else {
      boolean seen = seenByCamera(window, sightings, observation, now);
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
      for (FrameRecord frame : window.frames) {
        if (!frame.sightings.isEmpty()) {
          return false;
        }
      }
    }
    return true;
  }

  private void prune(CameraWindow window, long now) {
    Iterator<FrameRecord> it = window.frames.iterator();
    while (it.hasNext()) {
      if (it.next().eventTime < now - dwellMillis) {
        it.remove();
      } else {
        break;
      }
    }
  }

  /** An object standing in the camera's view for the dwell, or null. */
  private record Standing(
      Sighting sighting, long firstSeenAt, int framesObserved, int framesWithObject) {}

  private Standing standingObject(CameraWindow window, long now) {
    if (now - window.watchingSince < dwellMillis) {
      return null; // not watched for a whole dwell yet
    }
    List<FrameRecord> frames = window.frames;
    FrameRecord current = frames.get(frames.size() - 1);
    Standing best = null;
    for (Sighting candidate : current.sightings) {
      int matched = 0;
      long firstSeen = Long.MAX_VALUE;
      for (FrameRecord frame : frames) {
        if (near(frame.sightings, candidate.groundX, candidate.groundY) != null) {
          matched++;
          firstSeen = Math.min(firstSeen, frame.eventTime);
        }
      }
      double share = (double) matched / frames.size();
      if (share >= rule.presence() && (best == null || matched > best.framesWithObject())) {
        best = new Standing(candidate, firstSeen, frames.size(), matched);
      }
    }
    return best;
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
    anchor(window, standing);
    // Evidence: the frames that showed the object while it stood.
    for (FrameRecord frame : window.frames) {
      Sighting match = near(frame.sightings, window.anchorX, window.anchorY);
      if (match != null) {
        remember(window, frame.frame, match);
      }
    }
  }

  private void anchor(CameraWindow window, Standing standing) {
    window.anchored = true;
    window.anchorX = standing.sighting().groundX;
    window.anchorY = standing.sighting().groundY;
    window.firstSeenAt = standing.firstSeenAt();
    window.lastSeenAt = window.frames.get(window.frames.size() - 1).eventTime;
    window.framesObserved = standing.framesObserved();
    window.framesWithObject = standing.framesWithObject();
  }

  private boolean seenByCamera(
      CameraWindow window, List<Sighting> sightings, ZoneObservation observation, long now) {
    if (!window.anchored) {
      Standing standing = standingObject(window, now);
      if (standing == null) {
        // Not located by this camera yet: any relevant object it sees keeps the zone from clearing.
        return !sightings.isEmpty();
      }
      anchor(window, standing);
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
    if (window.sampleFrames.size() >= MAX_SAMPLE_FRAMES) {
      int last = window.sampleFrames.size() - 1;
      window.sampleFrames.set(last, frame);
      window.boxes.set(last, box(sighting));
    } else {
      window.sampleFrames.add(frame);
      window.boxes.add(box(sighting));
    }
    if (window.tracks.size() < MAX_TRACKS && !window.tracks.contains(sighting.track)) {
      window.tracks.add(sighting.track);
    }
  }

  private static double[] box(Sighting sighting) {
    return new double[] {sighting.boxX, sighting.boxY, sighting.boxW, sighting.boxH};
  }

  private static void resetEvidence(CameraWindow window) {
    window.anchored = false;
    window.framesObserved = 0;
    window.framesWithObject = 0;
    window.sampleFrames.clear();
    window.tracks.clear();
    window.boxes.clear();
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
      List<Box> boxes = new ArrayList<>();
      for (double[] b : window.boxes) {
        boxes.add(new Box(b[0], b[1], b[2], b[3]));
      }
      cameras.add(
          CameraEvidence.newBuilder()
              .setCameraId(entry.getKey())
              .setFirstFrameAt(Instant.ofEpochMilli(window.firstSeenAt))
              .setLastFrameAt(Instant.ofEpochMilli(window.lastSeenAt))
              .setFramesObserved(window.framesObserved)
              .setFramesWithObject(window.framesWithObject)
              .setSampleFrames(new ArrayList<>(window.sampleFrames))
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
}
