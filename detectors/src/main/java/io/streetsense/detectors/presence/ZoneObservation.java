package io.streetsense.detectors.presence;

import java.util.ArrayList;
import java.util.List;

/**
 * What one camera frame shows of one zone: the relevant objects standing in it (possibly none — an
 * empty observation is evidence that the zone is clear). A frame of a camera that views N zones
 * becomes N observations, keyed by zone, so that two cameras seeing the same zone feed one detector
 * and make one violation.
 */
public final class ZoneObservation {
  public String blockId;
  public String zoneId;
  public String cameraId;
  public long eventTime;
  public long frame;
  public List<Sighting> sightings = new ArrayList<>();

  public ZoneObservation() {}

  public ZoneObservation(
      String blockId,
      String zoneId,
      String cameraId,
      long eventTime,
      long frame,
      List<Sighting> sightings) {
    this.blockId = blockId;
    this.zoneId = zoneId;
    this.cameraId = cameraId;
    this.eventTime = eventTime;
    this.frame = frame;
    this.sightings = new ArrayList<>(sightings);
  }

  public String zoneKey() {
    return blockId + "/" + zoneId;
  }

  @Override
  public String toString() {
    return "ZoneObservation{"
        + zoneKey()
        + " "
        + cameraId
        + "#"
        + frame
        + " @"
        + eventTime
        + " "
        + sightings.size()
        + " sightings}";
  }
}
