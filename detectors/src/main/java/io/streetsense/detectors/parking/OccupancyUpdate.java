package io.streetsense.detectors.parking;

/**
 * The occupancy of one parking zone from the moment {@code eventTime} on. Emitted when it changes
 * (and for the first reading of a zone).
 */
public final class OccupancyUpdate {
  public String blockId;
  public String zoneId;
  public long eventTime;
  public int occupied;
  public int capacity;

  /** Berths whose sensor has reported at least once; the rest are unknown, not free. */
  public int berthsReporting;

  public OccupancyUpdate() {}

  public OccupancyUpdate(
      String blockId,
      String zoneId,
      long eventTime,
      int occupied,
      int capacity,
      int berthsReporting) {
    this.blockId = blockId;
    this.zoneId = zoneId;
    this.eventTime = eventTime;
    this.occupied = occupied;
    this.capacity = capacity;
    this.berthsReporting = berthsReporting;
  }

  public double ratio() {
    return capacity == 0 ? 0 : (double) occupied / capacity;
  }

  @Override
  public String toString() {
    return blockId + "/" + zoneId + " " + occupied + "/" + capacity + " @" + eventTime;
  }
}
