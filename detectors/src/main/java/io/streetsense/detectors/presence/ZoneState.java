package io.streetsense.detectors.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed state of one zone's presence detector. It exists only while something relevant is seen in
 * the zone or a violation is open; a quiet zone holds no state at all.
 *
 * <p>Its size does not depend on the dwell, the frame rate or how long an object stands: per camera
 * a ring of {@link PresenceTracker#BUCKETS} + 1 frame counts over the last dwell, at most {@link
 * PresenceTracker#MAX_CANDIDATES} candidate positions each with its hits per bucket, and a bounded
 * evidence sample. (Until 2026-12-06 it held every frame of the last dwell: ~104 B a frame, 19–31
 * KB a zone. Savepoints of that shape restore: the frame list is dropped, and each camera starts
 * its dwell again from its next frame; see {@code PresenceStateUpgradeTest}.)
 */
public final class ZoneState {
  /** Per camera: what it has seen over the last dwell and, while open, the object's anchor. */
  public Map<String, CameraWindow> cameras = new HashMap<>();

  /** The open violation, or null. */
  public OpenViolation open;

  public ZoneState() {}

  /** One camera's view of the zone over the last dwell, and how it sees the open violation. */
  public static final class CameraWindow {
    /**
     * Event time of the first frame of this camera since the zone became active or the camera came
     * back from an outage: its frames cover the zone from then on.
     */
    public long watchingSince;

    /** Event time of this camera's latest frame (0: none since a restore of the old shape). */
    public long lastFrameAt;

    /** Index of the newest time bucket ({@code eventTime / bucketMillis}). */
    public long bucket;

    /**
     * Frames per bucket, a ring indexed by {@code bucket % BUCKETS}; null until the first frame.
     */
    public short[] frameCounts;

    /** Positions where relevant objects were seen lately, with their hits per bucket. */
    public List<Candidate> candidates = new ArrayList<>();

    /** Whether this camera has located the open violation's object, and where it stands. */
    public boolean anchored;

    public double anchorX;
    public double anchorY;

    /** Evidence of this camera while the violation is open. */
    public long firstSeenAt;

    public long lastSeenAt;
    public int framesObserved;
    public int framesWithObject;

    /** Frame numbers of the evidence sample, and their boxes (x, y, w, h each); null: none. */
    public long[] samples;

    public float[] sampleBoxes;

    public List<String> tracks = new ArrayList<>();

    public CameraWindow() {}
  }

  /**
   * A place where a relevant object was seen: fixed where it was first seen, so an object that
   * keeps moving leaves it behind, and counted per time bucket, so the share of frames that show
   * something there over the last dwell is known without keeping the frames.
   */
  public static final class Candidate {
    public float x;
    public float y;

    /** When something was first seen here (since the candidate was made). */
    public long firstSeenAt;

    /** The tracker id of the first sighting here, for the evidence. */
    public String firstTrack;

    /** Sightings per bucket, the same ring as the camera's frame counts. */
    public short[] hits;

    public Candidate() {}
  }

  /**
   * One frame of one camera as the detector kept it until 2026-12-06. Unused; the class stays so
   * that savepoints written then, whose serializer snapshots name it, still restore.
   */
  public static final class FrameRecord {
    public long eventTime;
    public long frame;
    public List<Sighting> sightings = new ArrayList<>();

    public FrameRecord() {}
  }

  /** The violation currently open in the zone. */
  public static final class OpenViolation {
    public String violationId;
    public long detectedAt;
    public long openedAt;
    public long lastSeenAt;
    public long lastUpdateAt;

    public OpenViolation() {}
  }
}
