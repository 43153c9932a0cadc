package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopFixtures.CLOCK;
import static io.streetsense.sinks.workorders.LoopFixtures.DETECTED;
import static io.streetsense.sinks.workorders.LoopFixtures.FILED;
import static io.streetsense.sinks.workorders.LoopFixtures.RECORDED;
import static io.streetsense.sinks.workorders.LoopHarness.MAPS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streetsense.schemas.Severity;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import io.streetsense.sinks.workorders.OrderFiling.Filed;
import java.time.ZoneId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OrderFilingTest {
  private final OrderFiling filing = new OrderFiling(MAPS, new WorkOrderLifecycle(CLOCK));

  @Test
  void aStallInTheLane_isFiledForTheSquad() {
    ViolationEvent event = LoopFixtures.stall(ViolationEventKind.OPENED, FILED);
    Filed filed = filing.file(event);
    WorkOrder order = filed.order();

    assertEquals(Optional.of(LoopHarness.SQUAD), filed.team());
    assertEquals(
        WorkOrderIds.of(
            ViolationType.ILLEGAL_STALL, LoopHarness.LANE, DETECTED, ZoneId.of("Asia/Shanghai")),
        order.getId());
    assertEquals("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL", order.getOrderKey());
    assertEquals(WorkOrderStatus.FILED, order.getStatus());
    assertNull(order.getTeamId(), "dispatching is the loop's");
    assertEquals(Severity.MEDIUM, order.getSeverity());
    assertEquals(event.getViolationId(), order.getViolationId());
    assertEquals(event.getEvidence(), order.getEvidence());
    assertEquals(FILED, order.getFiledAt());
    assertEquals(DETECTED, order.getDetectedAt());
    assertEquals(WaitingFor.OPERATIONS_CENTRE, order.getWaitingFor());
    var zone = MAPS.block("jiashan-lane").orElseThrow().zone(LoopHarness.LANE).orElseThrow();
    assertEquals(zone.location().lat(), order.getLocation().getLat());
    assertEquals(zone.location().lon(), order.getLocation().getLon());

    assertEquals(1, order.getHistory().size());
    WorkOrderTransition entry = order.getHistory().get(0);
    assertEquals(TransitionKind.FILE, entry.getKind());
    assertNull(entry.getFromStatus());
    assertEquals(WorkOrderLifecycle.ACTOR_DETECTOR, entry.getActor());
    assertEquals(RECORDED, entry.getRecordedAt());
    assertEquals(
        "ILLEGAL_STALL in no_vending zone JS-Z-NV1, seen for 3 min 0 s", entry.getReason());
    assertEquals(entry.getReason(), order.getLatestNote());
  }

  @Test
  void goodsOutsideABar_goToMarketSupervision_withTheShop() {
    Filed filed =
        filing.file(
            LoopHarness.violation(
                ViolationEventKind.OPENED,
                ViolationType.OUT_OF_DOORWAY_TRADING,
                "JS-Z-F02",
                "JS-S-02",
                DETECTED,
                FILED));
    assertEquals(Optional.of(LoopHarness.MARKET), filed.team());
    assertEquals("JS-S-02", filed.order().getShopId());
    assertEquals("Old Market tavern", filed.order().getShopName());
    assertEquals(Severity.LOW, filed.order().getSeverity());
  }

  @Test
  void severity_obstructionFirst() {
    assertEquals(Severity.MEDIUM, OrderFiling.severity(ViolationType.PARKING_OVERFLOW));
    assertEquals(Severity.MEDIUM, OrderFiling.severity(ViolationType.ILLEGAL_STALL));
    assertEquals(Severity.LOW, OrderFiling.severity(ViolationType.OUT_OF_DOORWAY_TRADING));
  }
}
