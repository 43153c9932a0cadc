package io.streetsense.views;

import io.streetsense.schemas.WorkOrder;

/**
 * The order key ({@code blockId/zoneId/type}, {@code WorkOrderIds.ownerKey} in the sinks module):
 * the key of the work-order operator that owns an order. Every {@code TeamAction} carries it, so
 * the pipeline routes the action to that operator (sinks/README.md, "What a writer of TeamAction
 * must set").
 */
public final class OrderKeys {
  private OrderKeys() {}

  /**
   * The order's {@code orderKey}; for a record written before that field existed (default empty),
   * the same key rebuilt from its block, zone and type.
   */
  public static String ownerKey(WorkOrder order) {
    String key = order.getOrderKey();
    if (key != null && !key.isBlank()) {
      return key;
    }
    return order.getBlockId() + "/" + order.getZoneId() + "/" + order.getType();
  }
}
