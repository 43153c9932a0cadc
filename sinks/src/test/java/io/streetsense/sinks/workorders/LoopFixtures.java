package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopHarness.MAPS;

import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** Orders and actions for the Flink-free tests of the loop's parts (jiashan-lane's lane stall). */
final class LoopFixtures {
  static final Instant DETECTED = Instant.parse("2026-11-23T02:00:00Z");
  static final Instant FILED = DETECTED.plusSeconds(180);
  static final Instant RECORDED = Instant.parse("2026-11-23T02:03:01Z");
  static final Clock CLOCK = Clock.fixed(RECORDED, ZoneOffset.UTC);
  static final String TEAM = "team:" + LoopHarness.SQUAD;
  static final String OPS = "ops:duty-officer";

  private LoopFixtures() {}

  static ViolationEvent stall(ViolationEventKind kind, Instant at) {
    return LoopHarness.stall(kind, DETECTED, at);
  }

  /** The lane's stall filed (status FILED, no team yet). */
  static WorkOrder filed() {
    return new OrderFiling(MAPS, new WorkOrderLifecycle(CLOCK))
        .file(stall(ViolationEventKind.OPENED, FILED))
        .order();
  }

  /** The lane's stall with the squad in {@code status}, deadlines from the filing. */
  static WorkOrder order(WorkOrderStatus status) {
    WorkOrder order = filed();
    order.setTeamId(LoopHarness.SQUAD);
    new OrderDeadlines(MAPS, WorkOrderConfig.defaults()).start(order, FILED);
    order.setStatus(status);
    return order;
  }

  static TeamAction action(String id, WorkOrder order, TeamActionType type, String actor) {
    String team = actor.startsWith("team:") ? actor.substring("team:".length()) : null;
    return LoopHarness.action(id, order, type, actor, team, FILED.plusSeconds(60));
  }
}
