package io.streetsense.sinks.workorders;

import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The work-order state machine: which statuses are final, which are waiting for whom, and the audit
 * trail — every change of status is a new {@link WorkOrder} with one more {@link
 * WorkOrderTransition} naming the kind, the statuses, the actor, the event time and the processing
 * time ({@code recordedAt}, from the clock) at which the pipeline applied it. Free of Flink.
 *
 * <p>The table of transitions is in {@code sinks/README.md} ("States and transitions"); which
 * action is allowed from which status is {@link ActionRules}.
 */
public final class WorkOrderLifecycle implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String ACTOR_DETECTOR = "detector";
  public static final String ACTOR_SYSTEM = "system";
  public static final String TEAM_PREFIX = "team:";
  public static final String OPS_PREFIX = "ops:";

  /** Final: the order is written once more with this status and never again. */
  public static final Set<WorkOrderStatus> FINAL =
      Collections.unmodifiableSet(
          EnumSet.of(
              WorkOrderStatus.CLOSED, WorkOrderStatus.SELF_CLEARED, WorkOrderStatus.CANCELLED));

  /** No team has acted yet (or it handed the order back): a clear zone closes these by itself. */
  public static final Set<WorkOrderStatus> UNTOUCHED =
      Collections.unmodifiableSet(
          EnumSet.of(WorkOrderStatus.FILED, WorkOrderStatus.DISPATCHED, WorkOrderStatus.REJECTED));

  /** With a team that has not accepted it: the accept deadline runs. */
  public static final Set<WorkOrderStatus> AWAITING_ACCEPT =
      Collections.unmodifiableSet(EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.REWORK));

  /** With a team that has not resolved it: the resolve deadline runs. */
  public static final Set<WorkOrderStatus> AWAITING_RESOLVE =
      Collections.unmodifiableSet(
          EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK));

  private final Clock clock;

  public WorkOrderLifecycle(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public static boolean isFinal(WorkOrderStatus status) {
    return FINAL.contains(status);
  }

  /**
   * The next version of {@code current}: status {@code to}, one more history entry, {@code
   * updatedAt} moved to {@code at} (never back). {@code action} (may be null) gives the entry's
   * note, photo and action id.
   */
  public WorkOrder transition(
      WorkOrder current,
      TransitionKind kind,
      WorkOrderStatus to,
      Instant at,
      String actor,
      String reason,
      TeamAction action) {
    WorkOrder next = WorkOrder.newBuilder(current).build();
    List<WorkOrderTransition> history = new ArrayList<>(current.getHistory());
    history.add(entry(at, current.getStatus(), to, kind, actor, reason, action));
    next.setHistory(history);
    next.setStatus(to);
    next.setUpdatedAt(max(current.getUpdatedAt(), at));
    return next;
  }

  /** One history entry, recorded now (processing time). */
  public WorkOrderTransition entry(
      Instant at,
      WorkOrderStatus from,
      WorkOrderStatus to,
      TransitionKind kind,
      String actor,
      String reason,
      TeamAction action) {
    return WorkOrderTransition.newBuilder()
        .setAt(at)
        .setRecordedAt(clock.instant())
        .setFromStatus(from)
        .setToStatus(to)
        .setKind(kind)
        .setActor(actor)
        .setReason(reason)
        .setNote(action == null ? null : action.getNote())
        .setPhotoUrl(action == null ? null : action.getPhotoUrl())
        .setActionId(action == null ? null : action.getActionId())
        .build();
  }

  /** The event time of the order's latest transition (its filing without one). */
  public static Instant lastTransitionAt(WorkOrder order) {
    List<WorkOrderTransition> history = order.getHistory();
    return history.isEmpty() ? order.getFiledAt() : history.get(history.size() - 1).getAt();
  }

  /** Adds {@code note} to the reason of the transitions made by action {@code actionId}. */
  public static void annotate(WorkOrder order, String actionId, String note) {
    List<WorkOrderTransition> history = new ArrayList<>(order.getHistory());
    for (int i = 0; i < history.size(); i++) {
      WorkOrderTransition entry = history.get(i);
      if (actionId.equals(entry.getActionId())) {
        history.set(
            i, WorkOrderTransition.newBuilder(entry).setReason(entry.getReason() + note).build());
      }
    }
    order.setHistory(history);
  }

  static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
