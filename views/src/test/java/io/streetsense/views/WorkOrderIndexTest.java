package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkOrderIndexTest {

  @Test
  void newVersion_movesTheOrderBetweenStatusAndTeamIndexes() {
    WorkOrderIndex index = new WorkOrderIndex();
    WorkOrder dispatched = TestOrders.dispatched("WO-1", "team-a");
    assertNull(index.put("WO-1", dispatched));
    assertEquals(1, index.ofTeam("team-a", Set.of(WorkOrderStatus.DISPATCHED)).size());

    WorkOrder rejected =
        TestOrders.moved(dispatched, WorkOrderStatus.REJECTED, "team:team-a", "not ours", null);
    assertSame(dispatched, index.put("WO-1", rejected));
    assertTrue(index.ofTeam("team-a", Set.of()).isEmpty(), "rejected: back with the centre");
    assertTrue(index.withStatus(Set.of(WorkOrderStatus.DISPATCHED)).isEmpty());
    assertEquals(1, index.withStatus(Set.of(WorkOrderStatus.REJECTED)).size());
    assertEquals(1, index.countsByStatus().get(WorkOrderStatus.REJECTED));
  }

  @Test
  void tombstone_removesTheOrderEverywhere() {
    WorkOrderIndex index = new WorkOrderIndex();
    index.put("WO-1", TestOrders.dispatched("WO-1", "team-a"));
    index.put("WO-1", null);
    assertEquals(0, index.size());
    assertTrue(index.ofTeam("team-a", Set.of()).isEmpty());
    assertTrue(index.withStatus(Set.of()).isEmpty());
    assertTrue(index.countsByStatus().isEmpty());
  }

  @Test
  void teamQuery_filtersByStatus() {
    WorkOrderIndex index = new WorkOrderIndex();
    WorkOrder a = TestOrders.dispatched("WO-1", "team-a");
    index.put("WO-1", a);
    index.put(
        "WO-2",
        TestOrders.moved(
            TestOrders.dispatched("WO-2", "team-a"),
            WorkOrderStatus.ACCEPTED,
            "team:team-a",
            null,
            null));
    index.put("WO-3", TestOrders.dispatched("WO-3", "team-b"));
    assertEquals(2, index.ofTeam("team-a", Set.of()).size());
    assertEquals(
        Set.of("WO-2"),
        Set.copyOf(
            index.ofTeam("team-a", Set.of(WorkOrderStatus.ACCEPTED)).stream()
                .map(WorkOrder::getId)
                .toList()));
    assertEquals(3, index.withStatus(Set.of()).size());
  }
}
