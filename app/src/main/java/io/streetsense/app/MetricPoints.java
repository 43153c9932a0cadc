package io.streetsense.app;

import io.streetsense.detectors.health.DeviceHealthChange;
import io.streetsense.detectors.parking.OccupancyUpdate;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.sinks.metrics.MetricPoint;
import io.streetsense.sinks.workorders.ShopOffenceCount;
import io.streetsense.sinks.workorders.WorkOrderTally;

/** The pipeline's records as the InfluxDB measurements of docs/interfaces.md. */
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

  /**
   * {@code workorders} (block, team, type): open orders held by the team now, and cumulative counts
   * of what happened to the team's orders (sinks/README.md, "Metrics").
   */
  static MetricPoint workOrders(WorkOrderTally t) {
    return MetricPoint.measurement("workorders")
        .tag("block", t.blockId)
        .tag("team", t.teamId)
        .tag("type", t.type)
        .field("open", t.open)
        .field("filed", t.filed)
        .field("dispatched", t.dispatched)
        .field("accepted", t.accepted)
        .field("resolved", t.resolved)
        .field("closed", t.closed)
        .field("closed_on_time", t.closedOnTime)
        .field("self_cleared", t.selfCleared)
        .field("rejected", t.rejected)
        .field("cancelled", t.cancelled)
        .field("reworked", t.reworked)
        .field("escalated", t.escalated)
        .at(t.at);
  }

  /**
   * {@code closure} (block, team, type): closure_rate, on_time_closure_rate, rework_rate,
   * mean_accept_s, mean_resolve_s — each left out while its denominator is 0 — and the counts they
   * come from.
   */
  static MetricPoint closure(WorkOrderTally t) {
    MetricPoint.Builder point =
        MetricPoint.measurement("closure")
            .tag("block", t.blockId)
            .tag("team", t.teamId)
            .tag("type", t.type)
            .field("dispatched", t.dispatched)
            .field("closed", t.closed)
            .field("resolved", t.resolved);
    rate(point, "closure_rate", t.closureRate());
    rate(point, "on_time_closure_rate", t.onTimeClosureRate());
    rate(point, "rework_rate", t.reworkRate());
    rate(point, "mean_accept_s", t.meanAcceptSeconds());
    rate(point, "mean_resolve_s", t.meanResolveSeconds());
    return point.at(t.at);
  }

  private static void rate(MetricPoint.Builder point, String field, double value) {
    if (!Double.isNaN(value)) {
      point.field(field, value);
    }
  }

  /** {@code shop_offences} (block, shop): orders_30d, the shop's orders in the last 30 days. */
  static MetricPoint shopOffences(ShopOffenceCount count) {
    return MetricPoint.measurement("shop_offences")
        .tag("block", count.blockId)
        .tag("shop", count.shopId)
        .field("orders_30d", (long) count.orders)
        .at(count.at);
  }

  /**
   * {@code device_health} (block, device, kind): online (1/0), silence_s and, for berth sensors,
   * battery_v — one point at each change of a device's health.
   */
  static MetricPoint deviceHealth(DeviceHealthChange change) {
    MetricPoint.Builder point =
        MetricPoint.measurement("device_health")
            .tag("block", change.blockId)
            .tag("device", change.deviceId)
            .tag("kind", change.kind.tag())
            .field("online", change.online ? 1L : 0L)
            .field("silence_s", change.silenceSeconds());
    if (change.batteryV != null) {
      point.field("battery_v", change.batteryV);
    }
    return point.at(change.eventTime);
  }
}
