package io.streetsense.app;

import io.streetsense.detectors.parking.OccupancyUpdate;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.sinks.metrics.MetricPoint;

/** The pipeline's records as the InfluxDB measurements of CONTRACT.md section 5. */
final class MetricPoints {
  private MetricPoints() {}

  /** {@code parking_occupancy} (block, zone): occupied, capacity, ratio. */
  static MetricPoint parkingOccupancy(OccupancyUpdate update) {
    return MetricPoint.measurement("parking_occupancy")
        .tag("block", update.blockId)
        .tag("zone", update.zoneId)
        .field("occupied", (long) update.occupied)
        .field("capacity", (long) update.capacity)
        .field("ratio", update.ratio())
        .field("berths_reporting", (long) update.berthsReporting)
        .at(update.eventTime);
  }

  /**
   * {@code violations} (block, zone, type): active (1 while open, 0 once cleared) and opened (1 at
   * the moment a violation opens).
   */
  static MetricPoint violation(ViolationEvent event) {
    return MetricPoint.measurement("violations")
        .tag("block", event.getBlockId())
        .tag("zone", event.getZoneId())
        .tag("type", event.getType().name())
        .field("active", event.getKind() == ViolationEventKind.CLEARED ? 0L : 1L)
        .field("opened", event.getKind() == ViolationEventKind.OPENED ? 1L : 0L)
        .field("dwell_s", event.getDwellMillis() / 1000L)
        .at(event.getEventTime().toEpochMilli());
  }
}
