package io.streetsense.views;

import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.WorkOrderActions;
import io.streetsense.schemas.WorkOrderStatus;
import java.util.Set;

/**
 * In which statuses the view lets an action through to the work-order operator. This is a courtesy
 * check that turns actions which are certainly illegal into a 409 at once; the operator applies the
 * same table ({@link WorkOrderActions}) to the order's state at the moment it sees the action and
 * refuses anything illegal then (the view may be a moment behind).
 */
public final class ActionRules {
  private ActionRules() {}

  /** The statuses from which {@code action} may be taken ({@link WorkOrderActions}). */
  public static Set<WorkOrderStatus> legalFrom(TeamActionType action) {
    return WorkOrderActions.legalFrom(action);
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
