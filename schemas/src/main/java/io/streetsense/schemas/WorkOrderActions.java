package io.streetsense.schemas;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * From which work-order statuses each team or operations-centre action may be taken: the one table
 * of the closed loop's legal actions. The work-order operator (the single writer) enforces it on
 * the order's state when it applies an action; the views use it to refuse at once an action that is
 * certainly illegal (they may be a moment behind, so the operator has the last word).
 */
public final class WorkOrderActions {
  /** A team may ACCEPT a dispatched order, or one sent back for rework. */
  public static final Set<WorkOrderStatus> ACCEPTABLE =
      of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.REWORK);

  /** A team may RESOLVE an order it accepted, or one sent back for rework. */
  public static final Set<WorkOrderStatus> RESOLVABLE =
      of(WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK);

  /** A team may REJECT (wrong team, false alarm) an order it holds and has not resolved. */
  public static final Set<WorkOrderStatus> REJECTABLE =
      of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK);

  /** The operations centre may REROUTE an order no team is working on. */
  public static final Set<WorkOrderStatus> REROUTABLE =
      of(
          WorkOrderStatus.FILED,
          WorkOrderStatus.DISPATCHED,
          WorkOrderStatus.REWORK,
          WorkOrderStatus.REJECTED);

  /** The operations centre may CANCEL any open order. */
  public static final Set<WorkOrderStatus> CANCELLABLE =
      of(
          WorkOrderStatus.FILED,
          WorkOrderStatus.DISPATCHED,
          WorkOrderStatus.ACCEPTED,
          WorkOrderStatus.RESOLVED,
          WorkOrderStatus.REWORK,
          WorkOrderStatus.REJECTED);

  private static final Map<TeamActionType, Set<WorkOrderStatus>> LEGAL =
      new EnumMap<>(TeamActionType.class);

  static {
    LEGAL.put(TeamActionType.ACCEPT, ACCEPTABLE);
    LEGAL.put(TeamActionType.RESOLVE, RESOLVABLE);
    LEGAL.put(TeamActionType.REJECT, REJECTABLE);
    LEGAL.put(TeamActionType.REROUTE, REROUTABLE);
    LEGAL.put(TeamActionType.CANCEL, CANCELLABLE);
  }

  private WorkOrderActions() {}

  /** The statuses from which {@code action} may be taken (empty for an unknown action). */
  public static Set<WorkOrderStatus> legalFrom(TeamActionType action) {
    return LEGAL.getOrDefault(action, Set.of());
  }

  private static Set<WorkOrderStatus> of(WorkOrderStatus first, WorkOrderStatus... rest) {
    return Collections.unmodifiableSet(EnumSet.of(first, rest));
  }
}
