package io.streetsense.views;

import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.WorkOrderStatus;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * In which statuses the view lets an action through to the work-order operator. This is a courtesy
 * check that turns actions which are certainly illegal into a 409 at once; the operator applies the
 * same rules to the order's state at the moment it sees the action and refuses anything illegal
 * then (the view may be a moment behind).
 */
public final class ActionRules {
  private static final Map<TeamActionType, Set<WorkOrderStatus>> LEGAL =
      new EnumMap<>(TeamActionType.class);

  // The table of the work-order operator (sinks/README.md, "States and transitions").
  static {
    LEGAL.put(
        TeamActionType.ACCEPT, EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.REWORK));
    LEGAL.put(TeamActionType.RESOLVE, EnumSet.of(WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK));
    LEGAL.put(
        TeamActionType.REJECT,
        EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK));
    LEGAL.put(
        TeamActionType.REROUTE,
        EnumSet.of(
            WorkOrderStatus.FILED,
            WorkOrderStatus.DISPATCHED,
            WorkOrderStatus.REWORK,
            WorkOrderStatus.REJECTED));
    LEGAL.put(
        TeamActionType.CANCEL,
        EnumSet.of(
            WorkOrderStatus.FILED,
            WorkOrderStatus.DISPATCHED,
            WorkOrderStatus.ACCEPTED,
            WorkOrderStatus.RESOLVED,
            WorkOrderStatus.REWORK,
            WorkOrderStatus.REJECTED));
  }

  private ActionRules() {}

  /** The statuses from which {@code action} may be taken. */
  public static Set<WorkOrderStatus> legalFrom(TeamActionType action) {
    return LEGAL.getOrDefault(action, Set.of());
  }

  /**
   * Throws 409 when the order's status certainly does not allow {@code action}. A status this build
   * does not know ({@code UNKNOWN}, written by a newer operator) is left to the operator.
   */
  public static void check(TeamActionType action, WorkOrderStatus status) {
    if (status == WorkOrderStatus.UNKNOWN || legalFrom(action).contains(status)) {
      return;
    }
    throw ApiException.conflict(
        "cannot "
            + action.name().toLowerCase(java.util.Locale.ROOT)
            + " an order that is "
            + status
            + " (allowed from "
            + legalFrom(action)
            + ")");
  }
}
