package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopFixtures.FILED;
import static io.streetsense.sinks.workorders.LoopFixtures.order;
import static io.streetsense.sinks.workorders.LoopHarness.MAPS;
import static io.streetsense.sinks.workorders.OrderDeadlines.ESCALATION_ACCEPT;
import static io.streetsense.sinks.workorders.OrderDeadlines.ESCALATION_RESOLVE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.sinks.workorders.OrderDeadlines.Escalation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** jiashan-lane: a stall is accepted within 10 min and resolved within 1 h; verified in 5 min. */
class OrderDeadlinesTest {
  private static final Instant ACCEPT_BY = FILED.plus(Duration.ofMinutes(10));
  private static final Instant RESOLVE_BY = FILED.plus(Duration.ofHours(1));

  private final OrderDeadlines deadlines = new OrderDeadlines(MAPS, WorkOrderConfig.defaults());

  @Test
  void aDispatch_startsBothDeadlinesFromItsTime() {
    WorkOrder order = order(WorkOrderStatus.DISPATCHED);
    assertEquals(FILED, order.getDispatchedAt());
    assertEquals(ACCEPT_BY, order.getAcceptBy());
    assertEquals(RESOLVE_BY, order.getResolveBy());
    assertEquals(WaitingFor.TEAM_ACCEPT, order.getWaitingFor());
    assertEquals(Duration.ofMinutes(5), deadlines.clearFor(order));
  }

  @Test
  void overdue_areTheDeadlinesPassedBeforeTheAction_notYetEscalated_acceptFirst() {
    WorkOrder order = order(WorkOrderStatus.DISPATCHED);
    LoopState s = new LoopState();
    assertEquals(
        List.of(), OrderDeadlines.overdue(order, s, ACCEPT_BY), "at the deadline: on time");
    assertEquals(
        List.of(
            new Escalation(ESCALATION_ACCEPT, ACCEPT_BY),
            new Escalation(ESCALATION_RESOLVE, RESOLVE_BY)),
        OrderDeadlines.overdue(order, s, RESOLVE_BY.plusMillis(1)));

    OrderDeadlines.markEscalated(s, new Escalation(ESCALATION_ACCEPT, ACCEPT_BY));
    assertEquals(
        List.of(new Escalation(ESCALATION_RESOLVE, RESOLVE_BY)),
        OrderDeadlines.overdue(order, s, RESOLVE_BY.plusMillis(1)),
        "each deadline escalates once");
    OrderDeadlines.resetEscalations(s);
    assertEquals(2, OrderDeadlines.overdue(order, s, RESOLVE_BY.plusMillis(1)).size());
  }

  @Test
  void theAcceptDeadline_runsOnlyUntilAccepted() {
    WorkOrder accepted = order(WorkOrderStatus.ACCEPTED);
    LoopState s = new LoopState();
    assertEquals(List.of(), OrderDeadlines.dueAt(accepted, s, ACCEPT_BY.toEpochMilli()));
    assertEquals(
        List.of(new Escalation(ESCALATION_RESOLVE, RESOLVE_BY)),
        OrderDeadlines.dueAt(accepted, s, RESOLVE_BY.toEpochMilli()));
    assertEquals(Set.of(RESOLVE_BY.toEpochMilli()), deadlines.timers(accepted, s));
    assertEquals(
        List.of(),
        OrderDeadlines.dueAt(order(WorkOrderStatus.RESOLVED), s, RESOLVE_BY.toEpochMilli()));
  }

  @Test
  void
      aResolvedOrder_isCheckedForCameraEvidence_clearForPlusGraceAfterTheLaterOfResolutionAndEvidence() {
    WorkOrder resolved = order(WorkOrderStatus.RESOLVED);
    Instant resolvedAt = FILED.plus(Duration.ofMinutes(20));
    resolved.setResolvedAt(resolvedAt);
    LoopState s = new LoopState();
    long check = resolvedAt.plus(Duration.ofMinutes(5 + 2)).toEpochMilli();
    assertEquals(check, deadlines.verifyCheckAt(resolved, s));
    assertEquals(Set.of(check), deadlines.timers(resolved, s));
    assertTrue(deadlines.verifyCheckDue(resolved, s, check));

    s.lastEvidenceAt = resolvedAt.plusSeconds(60).toEpochMilli();
    assertEquals(check + 60_000, deadlines.verifyCheckAt(resolved, s));
    s.reportedNoEvidenceAt = check + 60_000;
    assertFalse(deadlines.verifyCheckDue(resolved, s, check + 60_000), "reported once");
    assertEquals(Set.of(), deadlines.timers(resolved, s));
  }

  @Test
  void aClosedOrder_isRememberedForTheRetention() {
    LoopState s = new LoopState();
    s.closedOrderId = "x";
    s.retainUntil = deadlines.retainUntil(FILED.toEpochMilli());
    assertEquals(FILED.plus(Duration.ofHours(24)).toEpochMilli(), s.retainUntil);
    assertEquals(Set.of(s.retainUntil), deadlines.timers(null, s));
    assertEquals(Set.of(), deadlines.timers(null, new LoopState()));
  }
}
