package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.WorkOrderLifecycle.ACTOR_DETECTOR;
import static io.streetsense.sinks.workorders.WorkOrderLifecycle.ACTOR_SYSTEM;
import static io.streetsense.sinks.workorders.WorkOrderLifecycle.UNTOUCHED;
import static io.streetsense.sinks.workorders.WorkOrderLifecycle.max;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.sinks.workorders.ActionRules.Refusal;
import io.streetsense.sinks.workorders.OrderDeadlines.Escalation;
import io.streetsense.sinks.workorders.OrderFiling.Filed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The closed loop of one order key, free of Flink: applies a violation event, a team action or a
 * due timer to a {@link LoopStep} (the key's open order and memory) in the order the operator hands
 * them over, and records what the change produced. {@link WorkOrderProcessor} is the Flink operator
 * around it; the rules it combines are {@link OrderFiling} (a new order), {@link ActionRules} (who
 * may do what), {@link WorkOrderLifecycle} (statuses and history) and {@link OrderDeadlines}
 * (deadlines, escalation, verification).
 */
public final class WorkOrderLoop {
  /** What became of an action. */
  public enum ActionResult {
    APPLIED,
    REFUSED,
    /** Its id was applied before: a retry, ignored (and the key's state is not touched). */
    DUPLICATE
  }

  private final Clock clock;
  private final WorkOrderConfig config;
  private final WorkOrderLifecycle lifecycle;
  private final OrderFiling filing;
  private final ActionRules rules;
  private final OrderDeadlines deadlines;

  public WorkOrderLoop(BlockMaps blockMaps, Clock clock, WorkOrderConfig config) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.config = Objects.requireNonNull(config, "config");
    this.lifecycle = new WorkOrderLifecycle(clock);
    this.filing = new OrderFiling(blockMaps, lifecycle);
    this.rules = new ActionRules(blockMaps);
    this.deadlines = new OrderDeadlines(blockMaps, config);
  }

  public OrderDeadlines deadlines() {
    return deadlines;
  }

  // ---------------------------------------------------------------------------------------------
  // Violations

  public void violation(LoopStep step, ViolationEvent event) {
    switch (event.getKind()) {
      case OPENED:
        if (step.order == null) {
          file(step, event);
        } else {
          // One open order per zone and type: new evidence updates it, never opens another.
          evidence(step, event);
        }
        break;
      case UPDATED:
        if (step.order != null) {
          evidence(step, event);
        }
        break;
      case CLEARED:
        if (step.order != null) {
          cleared(step, event);
        }
        break;
      default:
        break;
    }
  }

  private void file(LoopStep step, ViolationEvent event) {
    Filed filed = filing.file(event);
    WorkOrder order = filed.order();
    Instant filedAt = order.getFiledAt();
    step.filed++;
    LoopState s = step.state();
    s.violationActive = true;
    s.violationId = event.getViolationId();
    s.lastEvidenceAt = filedAt.toEpochMilli();
    step.order = order;
    step.emit = true;

    WorkOrderTally filedTally = tally(order, filedAt);
    filedTally.filed = 1;
    filedTally.open = 1;
    if (filed.team().isEmpty()) {
      step.tallies.add(filedTally);
      return;
    }
    String team = filed.team().get();
    filedTally.teamId = team;
    step.tallies.add(filedTally);
    dispatch(
        step,
        team,
        filedAt,
        TransitionKind.DISPATCH,
        ACTOR_SYSTEM,
        "routed to " + team + " by the routing of block " + order.getBlockId(),
        null);
  }

  /** Hands the order to a team with fresh deadlines from {@code at}. */
  private void dispatch(
      LoopStep step,
      String teamId,
      Instant at,
      TransitionKind kind,
      String actor,
      String reason,
      TeamAction action) {
    WorkOrder next =
        lifecycle.transition(
            step.order, kind, WorkOrderStatus.DISPATCHED, at, actor, reason, action);
    next.setTeamId(teamId);
    deadlines.start(next, at);
    if (action == null || action.getNote() == null) {
      next.setLatestNote(reason + "; accept by " + next.getAcceptBy());
    }
    step.order = next;
    step.emit = true;
    WorkOrderTally dispatched = tally(next, at);
    dispatched.dispatched = 1;
    step.tallies.add(dispatched);
  }

  private void evidence(LoopStep step, ViolationEvent event) {
    WorkOrder order = WorkOrder.newBuilder(step.order).build();
    LoopState s = step.state();
    long t = event.getEventTime().toEpochMilli();
    boolean again = s.violationId != null && !s.violationId.equals(event.getViolationId());
    s.violationActive = true;
    s.violationId = event.getViolationId();
    s.lastEvidenceAt = Math.max(s.lastEvidenceAt, t);
    order.setEvidence(event.getEvidence());
    order.setUpdatedAt(max(order.getUpdatedAt(), event.getEventTime()));
    step.order = order;
    step.emit = true;
    if (order.getStatus() != WorkOrderStatus.RESOLVED) {
      return;
    }
    Instant resolvedAt = order.getResolvedAt();
    Duration clearFor = deadlines.clearFor(order);
    if (!event.getEventTime().isBefore(resolvedAt.plus(clearFor))) {
      rework(
          step,
          event.getEventTime(),
          "verification failed: the violation is "
              + (again ? "there again (" + event.getViolationId() + ")" : "still there")
              + ", seen at "
              + event.getEventTime()
              + ", "
              + clearFor
              + " after the resolution at "
              + resolvedAt);
    } else {
      order.setWaitingFor(WaitingFor.VERIFICATION);
      order.setLatestNote(
          "verification: still seen at "
              + event.getEventTime()
              + "; closes once the zone is seen clear for "
              + clearFor
              + ", goes back to the team if still seen from "
              + resolvedAt.plus(clearFor));
    }
  }

  private void cleared(LoopStep step, ViolationEvent event) {
    LoopState s = step.state();
    s.violationActive = false;
    s.clearedAt = event.getEventTime().toEpochMilli();
    WorkOrder order = step.order;
    Instant at = event.getEventTime();
    Duration clearFor = deadlines.clearFor(order);
    if (UNTOUCHED.contains(order.getStatus())) {
      byDetector(
          step,
          TransitionKind.SELF_CLEAR,
          WorkOrderStatus.SELF_CLEARED,
          at,
          "the zone was seen clear for " + clearFor + " before anyone acted");
    } else if (order.getStatus() == WorkOrderStatus.RESOLVED) {
      verified(step, at, clearFor, "");
    } else {
      // ACCEPTED or REWORK: the team still reports; a later RESOLVE closes at once.
      WorkOrder next = WorkOrder.newBuilder(order).build();
      next.setUpdatedAt(max(order.getUpdatedAt(), at));
      next.setLatestNote(
          "the zone has been seen clear for "
              + clearFor
              + " (at "
              + at
              + "): waiting for the team to report it resolved");
      step.order = next;
      step.emit = true;
    }
  }

  private void rework(LoopStep step, Instant at, String reason) {
    WorkOrder order = step.order;
    WorkOrder next =
        lifecycle.transition(
            order, TransitionKind.REWORK, WorkOrderStatus.REWORK, at, ACTOR_DETECTOR, reason, null);
    next.setReworkCount(order.getReworkCount() + 1);
    deadlines.start(next, at);
    next.setLatestNote(reason + "; back to " + order.getTeamId());
    step.order = next;
    step.emit = true;
    step.reworked++;
    WorkOrderTally tally = tally(next, at);
    tally.reworked = 1;
    step.tallies.add(tally);
  }

  /** The detectors verified the resolution: the zone was seen clear for {@code clearFor}. */
  private void verified(LoopStep step, Instant at, Duration clearFor, String since) {
    byDetector(
        step,
        TransitionKind.CLOSE,
        WorkOrderStatus.CLOSED,
        at,
        "verified: the zone was seen clear by an online camera for " + clearFor + since);
  }

  private void byDetector(
      LoopStep step, TransitionKind kind, WorkOrderStatus to, Instant at, String reason) {
    finish(step, kind, to, at, ACTOR_DETECTOR, reason, null);
  }

  /** Moves the order to a final status; {@link #settle} then reduces it to a short memory. */
  private void finish(
      LoopStep step,
      TransitionKind kind,
      WorkOrderStatus to,
      Instant at,
      String actor,
      String reason,
      TeamAction action) {
    WorkOrder order = step.order;
    WorkOrder next = lifecycle.transition(order, kind, to, at, actor, reason, action);
    next.setClosedAt(at);
    next.setWaitingFor(null);
    next.setEscalated(false);
    next.setLatestNote(reason);
    step.order = next;
    step.emit = true;
    WorkOrderTally tally = tally(next, at);
    tally.open = -1;
    switch (to) {
      case CLOSED:
        step.closed++;
        tally.closed = 1;
        tally.closedOnTime =
            order.getResolvedAt() != null
                    && order.getResolveBy() != null
                    && !order.getResolvedAt().isAfter(order.getResolveBy())
                ? 1
                : 0;
        break;
      case SELF_CLEARED:
        step.selfCleared++;
        tally.selfCleared = 1;
        break;
      case CANCELLED:
        tally.cancelled = 1;
        break;
      default:
        break;
    }
    step.tallies.add(tally);
  }

  // ---------------------------------------------------------------------------------------------
  // Team and operations-centre actions

  /**
   * Applies one action unless its id was applied before or the rules refuse it; {@code aheadNote},
   * when not null, is added to the reason of every transition it makes, saying why it was applied
   * out of event order.
   */
  public ActionResult action(LoopStep step, TeamAction action, String aheadNote) {
    LoopState s = step.state;
    if (s != null && s.recentActionIds.contains(action.getActionId())) {
      return ActionResult.DUPLICATE; // a retry of an applied action: it counts once
    }
    Refusal refusal = rules.check(step.order, s, action);
    if (refusal != null) {
      step.refusals.add(
          new RefusedAction(action, refusal.code(), refusal.detail(), clock.millis()));
      return ActionResult.REFUSED;
    }
    apply(step, action);
    if (aheadNote != null && step.order != null) {
      WorkOrderLifecycle.annotate(step.order, action.getActionId(), aheadNote);
    }
    LoopState kept = step.state();
    kept.recentActionIds.add(action.getActionId());
    while (kept.recentActionIds.size() > config.recentActions()) {
      kept.recentActionIds.remove(0);
    }
    return ActionResult.APPLIED;
  }

  /** Applies an action the rules allow. */
  private void apply(LoopStep step, TeamAction action) {
    WorkOrder order = step.order;
    Instant at = max(action.getRequestedAt(), WorkOrderLifecycle.lastTransitionAt(order));
    String actor = ActionRules.actor(action);
    switch (action.getAction()) {
      case ACCEPT:
        {
          lateEscalations(step, at);
          WorkOrder next =
              teamTransition(
                  step,
                  action,
                  TransitionKind.ACCEPT,
                  WorkOrderStatus.ACCEPTED,
                  at,
                  "accepted by " + order.getTeamId());
          next.setAcceptedAt(at);
          next.setWaitingFor(WaitingFor.TEAM_RESOLVE);
          noteOr(next, action, "accepted: resolve by " + next.getResolveBy());
          WorkOrderTally tally = tally(next, at);
          tally.accepted = 1;
          tally.acceptMillis = millisSince(next.getDispatchedAt(), at);
          step.tallies.add(tally);
          break;
        }
      case RESOLVE:
        lateEscalations(step, at);
        resolve(step, action, at);
        break;
      case REJECT:
        {
          String team = order.getTeamId();
          WorkOrder next =
              teamTransition(
                  step, action, TransitionKind.REJECT, WorkOrderStatus.REJECTED, at, null);
          next.setTeamId(null);
          next.setAcceptBy(null);
          next.setResolveBy(null);
          next.setWaitingFor(WaitingFor.OPERATIONS_CENTRE);
          noteOr(
              next,
              action,
              "rejected by " + team + ": " + action.getReason() + "; reroute or cancel");
          WorkOrderTally left = tally(order, at);
          left.rejected = 1;
          left.open = -1;
          step.tallies.add(left);
          WorkOrderTally back = tally(next, at);
          back.open = 1;
          step.tallies.add(back);
          break;
        }
      case REROUTE:
        {
          String team = action.getTeamId();
          WorkOrderTally left = tally(order, at);
          left.open = -1;
          step.tallies.add(left);
          dispatch(
              step,
              team,
              at,
              TransitionKind.REROUTE,
              actor,
              reasonOr(action, "rerouted to " + team + " by the operations centre"),
              action);
          step.order.setEscalated(false);
          noteOr(step.order, action, step.order.getLatestNote());
          WorkOrderTally arrived = tally(step.order, at);
          arrived.open = 1;
          step.tallies.add(arrived);
          OrderDeadlines.resetEscalations(step.state());
          break;
        }
      case CANCEL:
        finish(
            step,
            TransitionKind.CANCEL,
            WorkOrderStatus.CANCELLED,
            at,
            actor,
            reasonOr(action, "cancelled by the operations centre"),
            action);
        noteOr(step.order, action, step.order.getLatestNote());
        break;
      case NOTE:
        {
          // The status, team, deadlines and escalation flag stay: only the trail and the note.
          WorkOrder next =
              lifecycle.transition(
                  order,
                  TransitionKind.NOTE,
                  order.getStatus(),
                  at,
                  actor,
                  "note by " + actor,
                  action);
          next.setLatestNote(action.getNote().strip());
          step.order = next;
          step.emit = true;
          break;
        }
      case ESCALATE:
        {
          // Flagged by hand: the order stays with its team in its status. Not a missed deadline,
          // so neither the escalations list nor the escalation tallies count it.
          String why = ActionRules.escalationReason(action);
          String reason = "escalated by " + actor + ": " + why;
          WorkOrder next =
              lifecycle.transition(
                  order, TransitionKind.ESCALATE, order.getStatus(), at, actor, reason, action);
          next.setEscalated(true);
          // The trail names the user; the latest note (shown on Open311 too) names the centre only.
          next.setLatestNote("escalated by the operations centre: " + why);
          step.order = next;
          step.emit = true;
          break;
        }
      default:
        throw new IllegalStateException("not an allowed action: " + action.getAction());
    }
  }

  /**
   * A team's transition of the order to {@code to}, by the acting team, with the action's reason or
   * {@code fallbackReason}; the flag of an escalation drops.
   */
  private WorkOrder teamTransition(
      LoopStep step,
      TeamAction action,
      TransitionKind kind,
      WorkOrderStatus to,
      Instant at,
      String fallbackReason) {
    String reason = fallbackReason == null ? action.getReason() : reasonOr(action, fallbackReason);
    WorkOrder next =
        lifecycle.transition(step.order, kind, to, at, ActionRules.actor(action), reason, action);
    next.setEscalated(false);
    step.order = next;
    step.emit = true;
    return next;
  }

  private void resolve(LoopStep step, TeamAction action, Instant at) {
    WorkOrder next =
        teamTransition(
            step,
            action,
            TransitionKind.RESOLVE,
            WorkOrderStatus.RESOLVED,
            at,
            "resolved by " + step.order.getTeamId());
    next.setResolvedAt(at);
    next.setWaitingFor(WaitingFor.VERIFICATION);
    Duration clearFor = deadlines.clearFor(next);
    noteOr(
        next,
        action,
        "resolved: closes once the zone is seen clear for " + clearFor + " by an online camera");
    LoopState s = step.state();
    s.reportedNoEvidenceAt = Long.MIN_VALUE;
    WorkOrderTally tally = tally(next, at);
    tally.resolved = 1;
    tally.resolveMillis = millisSince(next.getDispatchedAt(), at);
    step.tallies.add(tally);
    if (!s.violationActive) {
      // The detectors already reported the zone clear for clear_for and nothing came back since.
      verified(
          step,
          at,
          clearFor,
          " (since " + Instant.ofEpochMilli(s.clearedAt) + ") and nothing came back");
    }
  }

  /**
   * Deadlines that passed before {@code at} escalate before the action is applied, so an action
   * arriving after its deadline gives the same history as a timer that fired first.
   */
  private void lateEscalations(LoopStep step, Instant at) {
    for (Escalation escalation : OrderDeadlines.overdue(step.order, step.state(), at)) {
      escalate(step, escalation);
    }
  }

  private void escalate(LoopStep step, Escalation escalation) {
    WorkOrder order = step.order;
    OrderDeadlines.markEscalated(step.state(), escalation);
    Instant due = escalation.due();
    Instant at = max(due, WorkOrderLifecycle.lastTransitionAt(order));
    String reason =
        "the "
            + escalation.deadline().toLowerCase()
            + " deadline "
            + due
            + " passed with the order "
            + order.getStatus()
            + " at "
            + order.getTeamId()
            + ": flagged to the operations centre";
    WorkOrder next =
        lifecycle.transition(
            order, TransitionKind.ESCALATE, order.getStatus(), at, ACTOR_SYSTEM, reason, null);
    List<String> escalations = new ArrayList<>(order.getEscalations());
    escalations.add(escalation.deadline());
    next.setEscalations(escalations);
    next.setEscalated(true);
    next.setLatestNote(reason);
    step.order = next;
    step.emit = true;
    step.escalated++;
    WorkOrderTally tally = tally(next, at);
    tally.escalated = 1;
    step.tallies.add(tally);
  }

  // ---------------------------------------------------------------------------------------------
  // Timers

  /**
   * The event-time timer at {@code timestamp} fired (after the inputs at that instant): deadlines,
   * the verification check and the end of a closed order's memory. False when the key has nothing
   * to act on (the step need not be written back).
   */
  public boolean timer(LoopStep step, long timestamp) {
    LoopState s = step.state;
    if (s == null) {
      return false;
    }
    s.timers.remove(Long.valueOf(timestamp));
    if (step.order != null) {
      for (Escalation escalation : OrderDeadlines.dueAt(step.order, s, timestamp)) {
        escalate(step, escalation);
      }
      WorkOrder order = step.order;
      if (deadlines.verifyCheckDue(order, s, timestamp)) {
        s.reportedNoEvidenceAt = timestamp;
        Instant now = Instant.ofEpochMilli(timestamp);
        WorkOrder next = WorkOrder.newBuilder(order).build();
        next.setWaitingFor(WaitingFor.CAMERA_EVIDENCE);
        next.setUpdatedAt(max(order.getUpdatedAt(), now));
        next.setLatestNote(
            "verification waits: no camera has reported zone "
                + order.getZoneId()
                + " since "
                + Instant.ofEpochMilli(OrderDeadlines.evidenceSince(order, s))
                + " (camera offline?); closes once an online camera sees it clear for "
                + deadlines.clearFor(order));
        step.order = next;
        step.emit = true;
      }
    } else if (s.closedOrderId != null && timestamp >= s.retainUntil) {
      // The closed order's memory ends; with no open order the key holds nothing any more.
      s.closedOrderId = null;
      s.closedStatus = null;
      s.closedAt = Long.MIN_VALUE;
      s.retainUntil = Long.MIN_VALUE;
      s.recentActionIds.clear();
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // The end of a step

  /**
   * Ends the step: returns the order to write (null: unchanged), and reduces a final order to the
   * key's short memory of it. Then {@link LoopStep#order()} is the open order to keep and {@link
   * #keep} says whether the memory is worth keeping.
   */
  public WorkOrder settle(LoopStep step) {
    WorkOrder written = step.emit ? step.order : null;
    if (step.order != null && WorkOrderLifecycle.isFinal(step.order.getStatus())) {
      rememberClosed(step);
    }
    return written;
  }

  /** False when nothing is open and nothing remembered: the key's state can go. */
  public static boolean keep(LoopStep step) {
    return step.state != null && (step.order != null || step.state.closedOrderId != null);
  }

  private void rememberClosed(LoopStep step) {
    WorkOrder order = step.order;
    LoopState s = step.state();
    s.closedOrderId = order.getId();
    s.closedStatus = order.getStatus().name();
    s.closedAt = order.getClosedAt().toEpochMilli();
    s.retainUntil = deadlines.retainUntil(s.closedAt);
    // The violation that follows (if any) starts a new order with fresh evidence.
    s.violationActive = false;
    s.violationId = null;
    s.lastEvidenceAt = Long.MIN_VALUE;
    s.clearedAt = Long.MIN_VALUE;
    s.escalatedAcceptBy = Long.MIN_VALUE;
    s.escalatedResolveBy = Long.MIN_VALUE;
    s.reportedNoEvidenceAt = Long.MIN_VALUE;
    step.order = null;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static WorkOrderTally tally(WorkOrder order, Instant at) {
    return WorkOrderTally.of(
        order.getBlockId(), order.getTeamId(), order.getType().name(), at.toEpochMilli());
  }

  private static long millisSince(Instant from, Instant to) {
    return from == null ? 0 : Math.max(0, to.toEpochMilli() - from.toEpochMilli());
  }

  private static String reasonOr(TeamAction action, String fallback) {
    return action.getReason() == null || action.getReason().isBlank()
        ? fallback
        : action.getReason();
  }

  /** The team's note wins; otherwise the system says what the order waits for. */
  private static void noteOr(WorkOrder order, TeamAction action, String fallback) {
    order.setLatestNote(action.getNote() != null ? action.getNote() : fallback);
  }
}
