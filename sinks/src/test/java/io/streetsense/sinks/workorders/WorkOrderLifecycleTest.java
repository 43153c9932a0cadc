package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopFixtures.CLOCK;
import static io.streetsense.sinks.workorders.LoopFixtures.FILED;
import static io.streetsense.sinks.workorders.LoopFixtures.RECORDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class WorkOrderLifecycleTest {
  private final WorkOrderLifecycle lifecycle = new WorkOrderLifecycle(CLOCK);

  @Test
  void finalStatuses_areClosedSelfClearedAndCancelled() {
    for (WorkOrderStatus status : WorkOrderStatus.values()) {
      assertEquals(
          EnumSet.of(
                  WorkOrderStatus.CLOSED, WorkOrderStatus.SELF_CLEARED, WorkOrderStatus.CANCELLED)
              .contains(status),
          WorkOrderLifecycle.isFinal(status),
          status.name());
    }
    assertTrue(WorkOrderLifecycle.UNTOUCHED.contains(WorkOrderStatus.REJECTED));
    assertFalse(WorkOrderLifecycle.UNTOUCHED.contains(WorkOrderStatus.ACCEPTED));
  }

  @Test
  void aTransition_appendsOneEntry_withEventAndProcessingTime_andLeavesTheOriginalAlone() {
    WorkOrder order = LoopFixtures.order(WorkOrderStatus.DISPATCHED);
    var action = LoopFixtures.action("a-1", order, TeamActionType.ACCEPT, LoopFixtures.TEAM);
    action.setNote("on our way");
    WorkOrder next =
        lifecycle.transition(
            order,
            TransitionKind.ACCEPT,
            WorkOrderStatus.ACCEPTED,
            FILED.plusSeconds(60),
            LoopFixtures.TEAM,
            "accepted",
            action);

    assertEquals(WorkOrderStatus.DISPATCHED, order.getStatus(), "a new version, not a change");
    assertEquals(order.getHistory().size() + 1, next.getHistory().size());
    WorkOrderTransition entry = next.getHistory().get(next.getHistory().size() - 1);
    assertEquals(WorkOrderStatus.DISPATCHED, entry.getFromStatus());
    assertEquals(WorkOrderStatus.ACCEPTED, entry.getToStatus());
    assertEquals(TransitionKind.ACCEPT, entry.getKind());
    assertEquals(FILED.plusSeconds(60), entry.getAt());
    assertEquals(RECORDED, entry.getRecordedAt());
    assertEquals("on our way", entry.getNote());
    assertEquals("a-1", entry.getActionId());
    assertEquals(WorkOrderStatus.ACCEPTED, next.getStatus());
    assertEquals(FILED.plusSeconds(60), next.getUpdatedAt());
    assertEquals(FILED.plusSeconds(60), WorkOrderLifecycle.lastTransitionAt(next));
  }

  @Test
  void updatedAt_neverGoesBack() {
    WorkOrder order = LoopFixtures.order(WorkOrderStatus.DISPATCHED);
    order.setUpdatedAt(FILED.plusSeconds(600));
    WorkOrder next =
        lifecycle.transition(
            order,
            TransitionKind.CANCEL,
            WorkOrderStatus.CANCELLED,
            FILED.plusSeconds(60),
            "ops:x",
            "cancelled",
            null);
    assertEquals(FILED.plusSeconds(600), next.getUpdatedAt());
    assertNull(next.getHistory().get(next.getHistory().size() - 1).getActionId());
  }

  @Test
  void annotate_addsTheNoteToTheActionsEntriesOnly() {
    WorkOrder order = LoopFixtures.order(WorkOrderStatus.DISPATCHED);
    var action = LoopFixtures.action("a-2", order, TeamActionType.ACCEPT, LoopFixtures.TEAM);
    WorkOrder next =
        lifecycle.transition(
            order,
            TransitionKind.ACCEPT,
            WorkOrderStatus.ACCEPTED,
            FILED,
            LoopFixtures.TEAM,
            "accepted",
            action);
    WorkOrderLifecycle.annotate(next, "a-2", " (late)");
    assertEquals(
        "accepted (late)", next.getHistory().get(next.getHistory().size() - 1).getReason());
    assertFalse(next.getHistory().get(0).getReason().endsWith("(late)"));
  }
}
