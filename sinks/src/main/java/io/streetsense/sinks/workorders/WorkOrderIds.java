package io.streetsense.sinks.workorders;

import io.streetsense.schemas.ViolationType;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Work-order ids people can read out over a radio: {@code WO-20261123-101500-JS-Z-NV1-IS} — the
 * local date and time of the first evidence, the zone, and the type. Derived from the violation
 * alone, so a replay files the same id.
 */
public final class WorkOrderIds {
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private WorkOrderIds() {}

  public static String of(ViolationType type, String zoneId, Instant detectedAt, ZoneId timezone) {
    return "WO-" + STAMP.format(detectedAt.atZone(timezone)) + "-" + zoneId + "-" + code(type);
  }

  static String code(ViolationType type) {
    switch (type) {
      case OUT_OF_DOORWAY_TRADING:
        return "ODT";
      case ILLEGAL_STALL:
        return "IS";
      case PARKING_OVERFLOW:
        return "PO";
      default:
        return "X";
    }
  }

  /** The key of the operator that owns a zone's orders of one type. */
  public static String ownerKey(String blockId, String zoneId, ViolationType type) {
    return blockId + "/" + zoneId + "/" + type;
  }
}
