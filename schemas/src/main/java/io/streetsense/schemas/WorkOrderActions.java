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

  /**
   * A NOTE may be added to any open order: by the operations centre to any, by a team to an order
   * it holds (the operator checks the holder). The status stays.
   */
  public static final Set<WorkOrderStatus> NOTABLE = CANCELLABLE;

  /**
   * The operations centre may ESCALATE any open order (flag it for attention, with a reason); the
   * status stays and the order stays with its team.
   */
  public static final Set<WorkOrderStatus> ESCALATABLE = CANCELLABLE;

  /** The longest text of a NOTE, or of an ESCALATE's reason, in characters. */
  public static final int MAX_NOTE_LENGTH = 2000;

  /** Actions a team ({@code team:<id>}) may take on an order it holds. */
  public static final Set<TeamActionType> TEAM_ACTIONS =
      Collections.unmodifiableSet(
          EnumSet.of(
              TeamActionType.ACCEPT,
              TeamActionType.RESOLVE,
              TeamActionType.REJECT,
              TeamActionType.NOTE));

  /** Actions the operations centre ({@code ops:<user>}) may take. */
  public static final Set<TeamActionType> OPS_ACTIONS =
      Collections.unmodifiableSet(
          EnumSet.of(
              TeamActionType.REROUTE,
              TeamActionType.CANCEL,
              TeamActionType.NOTE,
              TeamActionType.ESCALATE));

  private static final Map<TeamActionType, Set<WorkOrderStatus>> LEGAL =
      new EnumMap<>(TeamActionType.class);

  static {
    LEGAL.put(TeamActionType.ACCEPT, ACCEPTABLE);
    LEGAL.put(TeamActionType.RESOLVE, RESOLVABLE);
    LEGAL.put(TeamActionType.REJECT, REJECTABLE);
    LEGAL.put(TeamActionType.REROUTE, REROUTABLE);
    LEGAL.put(TeamActionType.CANCEL, CANCELLABLE);
    LEGAL.put(TeamActionType.NOTE, NOTABLE);
    LEGAL.put(TeamActionType.ESCALATE, ESCALATABLE);
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
