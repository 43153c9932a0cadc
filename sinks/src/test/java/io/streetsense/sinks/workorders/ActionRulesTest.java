package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopFixtures.OPS;
import static io.streetsense.sinks.workorders.LoopFixtures.TEAM;
import static io.streetsense.sinks.workorders.LoopFixtures.action;
import static io.streetsense.sinks.workorders.LoopFixtures.order;
import static io.streetsense.sinks.workorders.LoopHarness.MAPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.sinks.workorders.ActionRules.Refusal;
import io.streetsense.sinks.workorders.RefusedAction.Code;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ActionRulesTest {
  private static final Set<WorkOrderStatus> OPEN =
      EnumSet.of(
          WorkOrderStatus.FILED,
          WorkOrderStatus.DISPATCHED,
          WorkOrderStatus.ACCEPTED,
          WorkOrderStatus.RESOLVED,
          WorkOrderStatus.REWORK,
          WorkOrderStatus.REJECTED);

  private final ActionRules rules = new ActionRules(MAPS);

  private Refusal check(WorkOrderStatus status, TeamActionType type, String actor) {
    WorkOrder order = order(status);
    TeamAction action = action("a", order, type, actor);
    action.setReason("wrong team");
    if (type == TeamActionType.REROUTE) {
      action.setTeamId(LoopHarness.POLICE);
    }
    return rules.check(order, null, action);
  }

  @Test
  void whichActionFromWhichStatus() {
    assertAllowedFrom(
        TeamActionType.ACCEPT,
        TEAM,
        EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.REWORK));
    assertAllowedFrom(
        TeamActionType.RESOLVE, TEAM, EnumSet.of(WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK));
    assertAllowedFrom(
        TeamActionType.REJECT,
        TEAM,
        EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK));
    assertAllowedFrom(
        TeamActionType.REROUTE,
        OPS,
        EnumSet.of(
            WorkOrderStatus.FILED,
            WorkOrderStatus.DISPATCHED,
            WorkOrderStatus.REWORK,
            WorkOrderStatus.REJECTED));
    assertAllowedFrom(TeamActionType.CANCEL, OPS, OPEN);
  }

  private void assertAllowedFrom(TeamActionType type, String actor, Set<WorkOrderStatus> allowed) {
    for (WorkOrderStatus status : OPEN) {
      Refusal refusal = check(status, type, actor);
      if (allowed.contains(status)) {
        assertNull(refusal, type + " from " + status);
      } else {
        assertEquals(Code.ILLEGAL_TRANSITION, refusal.code(), type + " from " + status);
        assertEquals("cannot " + type + " an order " + status, refusal.detail().split(":")[0]);
      }
    }
  }

  @Test
  void resolveBeforeAccept_saysAcceptFirst() {
    assertEquals(
        "cannot RESOLVE an order DISPATCHED: ACCEPT it first",
        check(WorkOrderStatus.DISPATCHED, TeamActionType.RESOLVE, TEAM).detail());
  }

  @Test
  void teamsAndTheOperationsCentre_eachTheirOwnActions() {
    Refusal opsAccepts = check(WorkOrderStatus.DISPATCHED, TeamActionType.ACCEPT, OPS);
    assertEquals(Code.INVALID_ACTION, opsAccepts.code());
    assertEquals("ACCEPT is a team action (actor team:*)", opsAccepts.detail());
    Refusal teamReroutes = check(WorkOrderStatus.DISPATCHED, TeamActionType.REROUTE, TEAM);
    assertEquals(Code.INVALID_ACTION, teamReroutes.code());
    assertEquals("only the operations centre (ops:*) may REROUTE", teamReroutes.detail());
    assertEquals(
        "only the operations centre (ops:*) may CANCEL",
        check(WorkOrderStatus.DISPATCHED, TeamActionType.CANCEL, TEAM).detail());
  }

  @Test
  void anotherTeam_isNotYourOrder_beforeTheStatusIsLookedAt() {
    Refusal refusal =
        check(WorkOrderStatus.RESOLVED, TeamActionType.ACCEPT, "team:" + LoopHarness.MARKET);
    assertEquals(Code.NOT_YOUR_ORDER, refusal.code());
    WorkOrder rejected = order(WorkOrderStatus.REJECTED);
    rejected.setTeamId(null);
    Refusal back = rules.check(rejected, null, action("a", rejected, TeamActionType.ACCEPT, TEAM));
    assertEquals(Code.NOT_YOUR_ORDER, back.code());
    assertEquals(
        "order " + rejected.getId() + " is with the operations centre, not with " + TEAM,
        back.detail());
  }

  @Test
  void rejectNeedsAReason_rerouteATeamOfTheBlock() {
    WorkOrder order = order(WorkOrderStatus.DISPATCHED);
    TeamAction reject = action("a", order, TeamActionType.REJECT, TEAM);
    assertEquals(Code.INVALID_ACTION, rules.check(order, null, reject).code());
    reject.setReason("  ");
    assertEquals("a REJECT needs a reason", rules.check(order, null, reject).detail());

    TeamAction reroute = action("b", order, TeamActionType.REROUTE, OPS);
    reroute.setTeamId("nobody");
    Refusal refusal = rules.check(order, null, reroute);
    assertEquals(Code.UNKNOWN_TEAM, refusal.code());
    assertEquals("team nobody does not serve block jiashan-lane", refusal.detail());
    reroute.setTeamId(null);
    assertEquals(Code.UNKNOWN_TEAM, rules.check(order, null, reroute).code());
  }

  @Test
  void unknownAndClosedOrders() {
    WorkOrder order = order(WorkOrderStatus.DISPATCHED);
    TeamAction accept = action("a", order, TeamActionType.ACCEPT, TEAM);
    accept.setOrderKey(null);
    assertEquals("the action carries no orderKey", rules.check(order, null, accept).detail());
    accept.setOrderKey(order.getOrderKey());
    Refusal none = rules.check(null, null, accept);
    assertEquals(Code.UNKNOWN_ORDER, none.code());

    LoopState memory = new LoopState();
    memory.closedOrderId = order.getId();
    memory.closedStatus = "CLOSED";
    memory.closedAt = LoopFixtures.FILED.toEpochMilli();
    Refusal closed = rules.check(null, memory, accept);
    assertEquals(Code.ORDER_CLOSED, closed.code());
    assertEquals(
        "order " + order.getId() + " is CLOSED since " + LoopFixtures.FILED, closed.detail());
  }

  @Test
  void anUnknownAction_isInvalid() {
    Refusal refusal = check(WorkOrderStatus.DISPATCHED, TeamActionType.UNKNOWN, TEAM);
    assertEquals(Code.INVALID_ACTION, refusal.code());
    assertEquals("unknown action UNKNOWN", refusal.detail());
  }
}
