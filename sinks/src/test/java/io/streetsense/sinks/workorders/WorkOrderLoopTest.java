package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopFixtures.CLOCK;
import static io.streetsense.sinks.workorders.LoopFixtures.FILED;
import static io.streetsense.sinks.workorders.LoopFixtures.TEAM;
import static io.streetsense.sinks.workorders.LoopHarness.MAPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.sinks.workorders.RefusedAction.Code;
import io.streetsense.sinks.workorders.WorkOrderLoop.ActionResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The loop without Flink: each input is one {@link LoopStep} over the key's order and memory, as
 * the operator runs it (the operator's own tests are {@code WorkOrderProcessorTest}).
 */
class WorkOrderLoopTest {
  private final WorkOrderLoop loop = new WorkOrderLoop(MAPS, CLOCK, WorkOrderConfig.defaults());
  private WorkOrder order;
  private LoopState state;
  private LoopStep last;

  /** Runs one step over the kept order and memory and keeps what the operator would keep. */
  private WorkOrder step(java.util.function.Consumer<LoopStep> input) {
    last = new LoopStep(order, state);
    input.accept(last);
    WorkOrder written = loop.settle(last);
    order = last.order();
    state = WorkOrderLoop.keep(last) ? last.loopState() : null;
    return written;
  }

  private WorkOrder violation(ViolationEventKind kind, Instant at) {
    ViolationEvent event = LoopFixtures.stall(kind, at);
    return step(s -> loop.violation(s, event));
  }

  private ActionResult act(String id, TeamActionType type, Instant at) {
    return act(order, id, type, at);
  }

  private ActionResult act(WorkOrder target, String id, TeamActionType type, Instant at) {
    TeamAction action = LoopHarness.action(id, target, type, TEAM, LoopHarness.SQUAD, at);
    ActionResult[] result = new ActionResult[1];
    step(s -> result[0] = loop.action(s, action, null));
    return result[0];
  }

  private static List<TransitionKind> kinds(WorkOrder order) {
    return order.getHistory().stream().map(t -> t.getKind()).toList();
  }

  @Test
  void filed_dispatched_accepted_resolved_verifiedClosed_thenRemembered() {
    WorkOrder dispatched = violation(ViolationEventKind.OPENED, FILED);
    assertEquals(WorkOrderStatus.DISPATCHED, dispatched.getStatus());
    assertEquals(LoopHarness.SQUAD, dispatched.getTeamId());
    assertEquals(List.of(TransitionKind.FILE, TransitionKind.DISPATCH), kinds(dispatched));
    assertEquals(1, last.filed());
    assertEquals(2, last.tallies().size(), "filed, dispatched");

    assertEquals(ActionResult.APPLIED, act("a-1", TeamActionType.ACCEPT, FILED.plusSeconds(60)));
    assertEquals(WorkOrderStatus.ACCEPTED, order.getStatus());
    assertEquals(WaitingFor.TEAM_RESOLVE, order.getWaitingFor());

    assertEquals(ActionResult.APPLIED, act("a-2", TeamActionType.RESOLVE, FILED.plusSeconds(600)));
    assertEquals(WaitingFor.VERIFICATION, order.getWaitingFor());

    WorkOrder closed = violation(ViolationEventKind.CLEARED, FILED.plusSeconds(900));
    assertEquals(WorkOrderStatus.CLOSED, closed.getStatus());
    assertEquals(1, last.closed());
    assertNull(order, "a final order is written once and then only remembered");
    assertEquals(closed.getId(), state.closedOrderId);

    assertEquals(
        ActionResult.DUPLICATE, act(closed, "a-2", TeamActionType.RESOLVE, FILED.plusSeconds(960)));
    assertEquals(
        ActionResult.REFUSED, act(closed, "a-3", TeamActionType.RESOLVE, FILED.plusSeconds(960)));
    assertEquals(Code.ORDER_CLOSED, last.refusals().get(0).code);
  }

  @Test
  void aClearBeforeAnyoneActed_selfClears() {
    violation(ViolationEventKind.OPENED, FILED);
    WorkOrder cleared = violation(ViolationEventKind.CLEARED, FILED.plusSeconds(400));
    assertEquals(WorkOrderStatus.SELF_CLEARED, cleared.getStatus());
    assertEquals(1, last.selfCleared());
  }

  @Test
  void evidenceAfterTheVerifyTime_sendsItBackToTheTeam() {
    violation(ViolationEventKind.OPENED, FILED);
    act("a-1", TeamActionType.ACCEPT, FILED.plusSeconds(60));
    Instant resolvedAt = FILED.plusSeconds(600);
    act("a-2", TeamActionType.RESOLVE, resolvedAt);

    WorkOrder waiting = violation(ViolationEventKind.UPDATED, resolvedAt.plusSeconds(60));
    assertEquals(WorkOrderStatus.RESOLVED, waiting.getStatus(), "people packing up");
    WorkOrder rework =
        violation(ViolationEventKind.UPDATED, resolvedAt.plus(Duration.ofMinutes(5)));
    assertEquals(WorkOrderStatus.REWORK, rework.getStatus());
    assertEquals(1, rework.getReworkCount());
    assertEquals(1, last.reworked());
    assertEquals(resolvedAt.plus(Duration.ofMinutes(15)), rework.getAcceptBy(), "fresh deadlines");
  }

  @Test
  void aLateAccept_recordsTheEscalationFirst_andATimerDoesNotEscalateAgain() {
    violation(ViolationEventKind.OPENED, FILED);
    Instant acceptBy = order.getAcceptBy();
    act("a-1", TeamActionType.ACCEPT, acceptBy.plusSeconds(30));
    assertEquals(
        List.of(
            TransitionKind.FILE,
            TransitionKind.DISPATCH,
            TransitionKind.ESCALATE,
            TransitionKind.ACCEPT),
        kinds(order));
    assertEquals(List.of(OrderDeadlines.ESCALATION_ACCEPT), order.getEscalations());
    assertFalse(order.getEscalated(), "dropped by the team's transition");
    assertEquals(1, last.escalated());

    assertNull(step(s -> loop.timer(s, acceptBy.toEpochMilli())), "nothing due");
  }

  @Test
  void aTimerAtTheResolveDeadline_escalates() {
    violation(ViolationEventKind.OPENED, FILED);
    act("a-1", TeamActionType.ACCEPT, FILED.plusSeconds(60));
    long resolveBy = order.getResolveBy().toEpochMilli();
    WorkOrder escalated = step(s -> assertTrue(loop.timer(s, resolveBy)));
    assertTrue(escalated.getEscalated());
    assertEquals(WorkOrderStatus.ACCEPTED, escalated.getStatus());
    assertEquals(List.of(OrderDeadlines.ESCALATION_RESOLVE), escalated.getEscalations());
  }

  @Test
  void aRefusedAction_changesNothing_andSaysWhy() {
    violation(ViolationEventKind.OPENED, FILED);
    WorkOrder before = order;
    assertEquals(ActionResult.REFUSED, act("a-1", TeamActionType.RESOLVE, FILED.plusSeconds(60)));
    assertEquals(before, order);
    RefusedAction refused = last.refusals().get(0);
    assertEquals(Code.ILLEGAL_TRANSITION, refused.code);
    assertEquals(LoopFixtures.RECORDED.toEpochMilli(), refused.refusedAt);
    assertTrue(last.tallies().isEmpty());
  }

  @Test
  void theClosedOrdersMemory_endsAtItsRetention() {
    violation(ViolationEventKind.OPENED, FILED);
    violation(ViolationEventKind.CLEARED, FILED.plusSeconds(400));
    long retainUntil = state.retainUntil;
    assertTrue(loop.deadlines().timers(null, state).contains(retainUntil));
    step(s -> loop.timer(s, retainUntil));
    assertNull(state, "nothing open, nothing remembered");
  }

  /** Runs one action built by the caller (a note, an escalation). */
  private ActionResult act(TeamAction action) {
    ActionResult[] result = new ActionResult[1];
    step(s -> result[0] = loop.action(s, action, null));
    return result[0];
  }

  private TeamAction opsAction(String id, TeamActionType type, Instant at, String note) {
    TeamAction action = LoopHarness.action(id, order, type, LoopFixtures.OPS, null, at);
    action.setNote(note);
    return action;
  }

  @Test
  void aNote_byOpsAndByTheHoldingTeam_addsHistoryAndLatestNote_statusUnchanged_onceForARetry() {
    violation(ViolationEventKind.OPENED, FILED);
    WorkOrder dispatched = order;
    Instant at = FILED.plusSeconds(90);
    assertEquals(
        ActionResult.APPLIED, act(opsAction("n-1", TeamActionType.NOTE, at, "owner called")));
    WorkOrder noted = last.order();
    assertTrue(last.emit);
    assertEquals(WorkOrderStatus.DISPATCHED, noted.getStatus());
    assertEquals(dispatched.getTeamId(), noted.getTeamId());
    assertEquals(dispatched.getAcceptBy(), noted.getAcceptBy(), "deadlines stay");
    assertEquals("owner called", noted.getLatestNote());
    var entry = noted.getHistory().get(noted.getHistory().size() - 1);
    assertEquals(TransitionKind.NOTE, entry.getKind());
    assertEquals(LoopFixtures.OPS, entry.getActor());
    assertEquals(at, entry.getAt());
    assertEquals(LoopFixtures.RECORDED, entry.getRecordedAt());
    assertEquals("owner called", entry.getNote());
    assertEquals("n-1", entry.getActionId());
    assertEquals(WorkOrderStatus.DISPATCHED, entry.getFromStatus());
    assertEquals(WorkOrderStatus.DISPATCHED, entry.getToStatus());
    assertTrue(last.tallies().isEmpty(), "a note counts in no tally");

    // A retry of the same action id counts once.
    assertEquals(
        ActionResult.DUPLICATE, act(opsAction("n-1", TeamActionType.NOTE, at, "owner called")));
    assertEquals(noted.getHistory().size(), order.getHistory().size());

    // The team that holds the order may add a note too.
    TeamAction teamNote =
        LoopHarness.action("n-2", order, TeamActionType.NOTE, TEAM, LoopHarness.SQUAD, at);
    teamNote.setNote("on our way");
    assertEquals(ActionResult.APPLIED, act(teamNote));
    assertEquals("on our way", order.getLatestNote());
    assertEquals(TEAM, order.getHistory().get(order.getHistory().size() - 1).getActor());
  }

  @Test
  void aNote_withoutText_fromAnotherTeam_orTooLong_isRefused() {
    violation(ViolationEventKind.OPENED, FILED);
    WorkOrder before = order;
    Instant at = FILED.plusSeconds(90);
    assertEquals(ActionResult.REFUSED, act(opsAction("n-1", TeamActionType.NOTE, at, "  ")));
    assertEquals(Code.INVALID_ACTION, last.refusals().get(0).code);
    assertTrue(last.refusals().get(0).detail.contains("needs its text"));

    TeamAction other =
        LoopHarness.action("n-2", order, TeamActionType.NOTE, "team:other", "other", at);
    other.setNote("not ours");
    assertEquals(ActionResult.REFUSED, act(other));
    assertEquals(Code.NOT_YOUR_ORDER, last.refusals().get(0).code);

    assertEquals(
        ActionResult.REFUSED, act(opsAction("n-3", TeamActionType.NOTE, at, "x".repeat(2001))));
    assertEquals(Code.INVALID_ACTION, last.refusals().get(0).code);
    assertEquals(before, order, "nothing changed");
  }

  @Test
  void anEscalation_byOps_flagsTheOrder_withActorAndReason_statusAndDeadlinesUnchanged() {
    violation(ViolationEventKind.OPENED, FILED);
    assertEquals(ActionResult.APPLIED, act("a-1", TeamActionType.ACCEPT, FILED.plusSeconds(60)));
    WorkOrder accepted = order;
    Instant at = FILED.plusSeconds(120);
    assertEquals(
        ActionResult.APPLIED,
        act(opsAction("e-1", TeamActionType.ESCALATE, at, "shop owner complained twice")));
    assertTrue(order.getEscalated());
    assertEquals(WorkOrderStatus.ACCEPTED, order.getStatus());
    assertEquals(accepted.getTeamId(), order.getTeamId());
    assertEquals(accepted.getResolveBy(), order.getResolveBy());
    assertEquals(List.of(), order.getEscalations(), "no deadline was missed");
    var entry = order.getHistory().get(order.getHistory().size() - 1);
    assertEquals(TransitionKind.ESCALATE, entry.getKind());
    assertEquals(LoopFixtures.OPS, entry.getActor());
    assertEquals(
        "escalated by " + LoopFixtures.OPS + ": shop owner complained twice", entry.getReason());
    assertEquals(WorkOrderStatus.ACCEPTED, entry.getFromStatus());
    assertEquals(WorkOrderStatus.ACCEPTED, entry.getToStatus());
    assertEquals(
        "escalated by the operations centre: shop owner complained twice", order.getLatestNote());
    assertEquals(0, last.escalated(), "not counted as a missed deadline");

    assertEquals(
        ActionResult.DUPLICATE,
        act(opsAction("e-1", TeamActionType.ESCALATE, at, "shop owner complained twice")));
    assertEquals(accepted.getHistory().size() + 1, order.getHistory().size());

    // The team catching up (resolving) drops the flag, as for a missed deadline.
    assertEquals(ActionResult.APPLIED, act("a-2", TeamActionType.RESOLVE, FILED.plusSeconds(300)));
    assertFalse(order.getEscalated());
  }

  @Test
  void anEscalation_byATeam_orWithoutReason_isRefused() {
    violation(ViolationEventKind.OPENED, FILED);
    Instant at = FILED.plusSeconds(90);
    TeamAction byTeam =
        LoopHarness.action("e-1", order, TeamActionType.ESCALATE, TEAM, LoopHarness.SQUAD, at);
    byTeam.setNote("help");
    assertEquals(ActionResult.REFUSED, act(byTeam));
    assertEquals(Code.INVALID_ACTION, last.refusals().get(0).code);
    assertEquals(ActionResult.REFUSED, act(opsAction("e-2", TeamActionType.ESCALATE, at, null)));
    assertTrue(last.refusals().get(0).detail.contains("needs a reason"));
    assertFalse(order.getEscalated());
  }

  @Test
  void aNoteOrEscalation_onAClosedOrCancelledOrder_isRefusedWithTheReason() {
    violation(ViolationEventKind.OPENED, FILED);
    WorkOrder filed = order;
    assertEquals(
        ActionResult.APPLIED,
        act(opsAction("c-1", TeamActionType.CANCEL, FILED.plusSeconds(60), "duplicate")));
    assertNull(order, "cancelled: only the memory is kept");
    TeamAction note =
        LoopHarness.action(
            "n-1", filed, TeamActionType.NOTE, LoopFixtures.OPS, null, FILED.plusSeconds(90));
    note.setNote("too late");
    assertEquals(ActionResult.REFUSED, act(note));
    RefusedAction refused = last.refusals().get(0);
    assertEquals(Code.ORDER_CLOSED, refused.code);
    assertTrue(refused.detail.contains("CANCELLED"), refused.detail);

    TeamAction escalate =
        LoopHarness.action(
            "e-1", filed, TeamActionType.ESCALATE, LoopFixtures.OPS, null, FILED.plusSeconds(90));
    escalate.setNote("too late");
    assertEquals(ActionResult.REFUSED, act(escalate));
    assertEquals(Code.ORDER_CLOSED, last.refusals().get(0).code);
  }
}
