package io.streetsense.detectors.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed state of one zone's presence detector. It exists only while something relevant is seen in
 * the zone or a violation is open; a quiet zone holds no state at all.
 */
public final class ZoneState {
  /** Per camera: the recent frames and, once the violation is open, the object's anchor. */
  public Map<String, CameraWindow> cameras = new HashMap<>();

  /** The open violation, or null. */
  public OpenViolation open;

  public ZoneState() {}

  /** Recent frames of one camera, and how that camera sees the open violation's object. */
  public static final class CameraWindow {
    /** Frames within the dwell horizon, oldest first. */
    public List<FrameRecord> frames = new ArrayList<>();

    /**
     * Event time of the first frame of this camera since the zone became active or the camera came
     * back from an outage: its frames cover the zone from then on.
     */
    public long watchingSince;

    /** Whether this camera has located the open violation's object, and where it stands. */
    public boolean anchored;

    public double anchorX;
    public double anchorY;

    /** Evidence of this camera while the violation is open. */
    public long firstSeenAt;

    public long lastSeenAt;
    public int framesObserved;
    public int framesWithObject;
    public List<Long> sampleFrames = new ArrayList<>();
    public List<String> tracks = new ArrayList<>();
    public List<double[]> boxes = new ArrayList<>();

    public CameraWindow() {}
  }

  /** One frame of one camera as the detector keeps it. */
  public static final class FrameRecord {
    public long eventTime;
    public long frame;
    public List<Sighting> sightings = new ArrayList<>();

    public FrameRecord() {}

    FrameRecord(long eventTime, long frame, List<Sighting> sightings) {
      this.eventTime = eventTime;
      this.frame = frame;
      this.sightings = new ArrayList<>(sightings);
    }
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
