package io.streetsense.detectors.parking;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed state of one block's parking-overflow detector: the berths of the parking zones that take
 * part in an overflow rule (as zone or alternative), the vehicles each camera sees standing in the
 * no-parking zones, and the decision of each parking zone. Flink POJOs throughout.
 *
 * <p>Berths are the truth a change message flips, so they stay while their sensor is online
 * (bounded by the block map's sensors) and go when it falls silent; vehicle watches and zone
 * decisions exist only while something is seen or a violation is open.
 */
public final class BlockParkingState {
  /** By sensor id. */
  public Map<String, Berth> berths = new HashMap<>();

  /** By {@code noParkingZoneId/cameraId}. */
  public Map<String, VehicleWatch> watches = new HashMap<>();

  /** By parking zone id. */
  public Map<String, ZoneDecision> zones = new HashMap<>();

  /** The pending housekeeping timer, or {@code Long.MIN_VALUE}. */
  public long housekeepingAt = Long.MIN_VALUE;

  public BlockParkingState() {}

  /** The last applied message of a berth sensor. */
  public static final class Berth {
    public boolean occupied;
    public long seq;
    public long lastSeenAt;

    public Berth() {}
  }

  /** One camera's view of one no-parking zone. */
  public static final class VehicleWatch {
    public String zoneId;
    public String cameraId;
    public long lastFrameAt;

    /** Start of this camera's current stretch of frames without a silence over the limit. */
    public long coveredSince;

    public List<VehicleAnchor> anchors = new ArrayList<>();

    public VehicleWatch() {}
  }

  /** A vehicle candidate: where it was first seen, and how often it has been seen there since. */
  public static final class VehicleAnchor {
    public double x;
    public double y;
    public long firstSeenAt;
    public long lastSeenAt;

    /** Frames of the camera since first seen, and those that showed it near the anchor. */
    public int frames;

    public int hits;

    /** Frames in which another anchor within the drift was seen too (two vehicles, not one). */
    public int hitsWithNeighbour;

    /** The latest sighting, for the evidence. */
    public String track;

    public long frame;
    public double boxX;
    public double boxY;
    public double boxW;
    public double boxH;

    public VehicleAnchor() {}
  }

  /** A parking zone's overflow decision. */
  public static final class ZoneDecision {
    /** Since when occupancy and vehicles have both held, or {@code Long.MIN_VALUE}. */
    public long conditionSince = Long.MIN_VALUE;

    /** The open violation's id, or null. */
    public String violationId;

    public long detectedAt;
    public long lastConditionAt;
    public long lastUpdateAt;

    /** What the last emitted event said: occupied|vehicles|free berths of each alternative. */
    public String lastEvidence;

    /**
     * Since when the condition has been seen false by online devices, or {@code Long.MIN_VALUE}.
     */
    public long clearSince = Long.MIN_VALUE;

    public ZoneDecision() {}

    boolean isOpen() {
      return violationId != null;
    }
  }
}
