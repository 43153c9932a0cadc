package io.streetsense.sinks.workorders;

import io.streetsense.schemas.TeamAction;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * How team actions enter event time and reach the operator that owns their order.
 *
 * <pre>{@code
 * DataStream<TeamAction> actions =
 *     env.fromSource(actionsSource, TeamActions.watermarks(config), "team actions");
 * violations.keyBy(...).connect(actions.keyBy(TeamActions::orderKey)).process(...);
 * }</pre>
 */
public final class TeamActions {
  private TeamActions() {}

  /**
   * An action's event time is its {@code requestedAt} (the only time it has). Idleness keeps a
   * quiet actions topic — the normal case — from holding back the street's watermark.
   */
  public static WatermarkStrategy<TeamAction> watermarks(WorkOrderConfig config) {
    return WatermarkStrategy.<TeamAction>forBoundedOutOfOrderness(config.actionsOutOfOrderness())
        .withTimestampAssigner((action, kafkaTime) -> action.getRequestedAt().toEpochMilli())
        .withIdleness(config.actionsIdleness());
  }

  /**
   * The key of the operator that owns the action's order. An action without an order key goes to a
   * key that holds no order, where it is refused as {@code UNKNOWN_ORDER}.
   */
  public static String orderKey(TeamAction action) {
    String key = action.getOrderKey();
    return key == null || key.isBlank() ? "unrouted/" + action.getWorkOrderId() : key;
  }
}
