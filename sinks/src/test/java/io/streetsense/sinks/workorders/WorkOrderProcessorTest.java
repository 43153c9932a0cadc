package io.streetsense.sinks.workorders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.Evidence;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import io.streetsense.testing.SharedBlockMaps;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkOrderProcessorTest {
  private static final Instant DETECTED = Instant.parse("2026-11-23T02:00:00Z"); // 10:00 Shanghai
  private static final Instant PROCESSING = Instant.parse("2026-11-23T02:03:01Z");

  private KeyedOneInputStreamOperatorTestHarness<String, ViolationEvent, WorkOrder> harness;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new WorkOrderProcessor(
                    BlockMaps.of(SharedBlockMaps.load("jiashan-lane")),
                    Clock.fixed(PROCESSING, ZoneOffset.UTC))),
            e -> WorkOrderIds.ownerKey(e.getBlockId(), e.getZoneId(), e.getType()),
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private static ViolationEvent event(
      ViolationEventKind kind, ViolationType type, String zone, String shop, int secondsAfter) {
    return ViolationEvent.newBuilder()
        .setViolationId("jiashan-lane/" + zone + "/" + type + "/" + DETECTED.toEpochMilli())
        .setKind(kind)
        .setType(type)
        .setBlockId("jiashan-lane")
        .setZoneId(zone)
        .setShopId(shop)
        .setDetectedAt(DETECTED)
        .setEventTime(DETECTED.plusSeconds(secondsAfter))
        .setDwellMillis(secondsAfter * 1000L)
        .setEvidence(new Evidence(List.of(), null))
        .build();
  }

  private List<WorkOrder> feed(ViolationEvent... events) throws Exception {
    for (ViolationEvent event : events) {
      harness.processElement(new StreamRecord<>(event, event.getEventTime().toEpochMilli()));
    }
    return harness.extractOutputValues();
  }

  @Test
  void openedStall_isFiledAndDispatchedToTheUrbanManagementSquad_withDeadlines() throws Exception {
    WorkOrder order =
        feed(event(ViolationEventKind.OPENED, ViolationType.ILLEGAL_STALL, "JS-Z-NV1", null, 180))
            .get(0);

    assertEquals("WO-20261123-100000-JS-Z-NV1-IS", order.getId());
    assertEquals(WorkOrderStatus.DISPATCHED, order.getStatus());
    assertEquals("xh-tianping-chengguan", order.getTeamId());
    assertEquals(DETECTED, order.getDetectedAt());
    assertEquals(DETECTED.plusSeconds(180), order.getFiledAt());
    assertEquals(DETECTED.plusSeconds(180 + 600), order.getAcceptBy(), "accept within PT10M");
    assertEquals(DETECTED.plusSeconds(180 + 3600), order.getResolveBy(), "resolve within PT1H");
    assertEquals(31.21048, order.getLocation().getLat(), 1e-9);
    assertEquals("Jiashan old market, Lane 550 South Shaanxi Road", order.getBlockName());
    assertNull(order.getShopId());
    List<WorkOrderTransition> history = order.getHistory();
    assertEquals(
        List.of(WorkOrderStatus.FILED, WorkOrderStatus.DISPATCHED),
        history.stream().map(WorkOrderTransition::getToStatus).collect(Collectors.toList()));
    assertEquals("detector", history.get(0).getActor());
    assertEquals("system", history.get(1).getActor());
    assertEquals(PROCESSING, history.get(0).getRecordedAt());
  }

  @Test
  void goodsOutsideABar_goToMarketSupervision_andNameTheShop() throws Exception {
    WorkOrder order =
        feed(event(
                ViolationEventKind.OPENED,
                ViolationType.OUT_OF_DOORWAY_TRADING,
                "JS-Z-F02",
                "JS-S-02",
                300))
            .get(0);
    assertEquals("xh-market-supervision", order.getTeamId());
    assertEquals("Old Market tavern", order.getShopName());
  }

  @Test
  void goodsOutsideASalon_goToTheUrbanManagementSquad() throws Exception {
    WorkOrder order =
        feed(event(
                ViolationEventKind.OPENED,
                ViolationType.OUT_OF_DOORWAY_TRADING,
                "JS-Z-F06",
                "JS-S-06",
                300))
            .get(0);
    assertEquals("xh-tianping-chengguan", order.getTeamId());
  }

  @Test
  void moreEvidence_updatesTheOpenOrder_neverOpensAnother() throws Exception {
    List<WorkOrder> orders =
        feed(
            event(ViolationEventKind.OPENED, ViolationType.ILLEGAL_STALL, "JS-Z-NV1", null, 180),
            event(ViolationEventKind.UPDATED, ViolationType.ILLEGAL_STALL, "JS-Z-NV1", null, 240),
            event(ViolationEventKind.OPENED, ViolationType.ILLEGAL_STALL, "JS-Z-NV1", null, 300));
    assertEquals(3, orders.size());
    assertEquals(1, orders.stream().map(WorkOrder::getId).distinct().count());
    assertEquals(DETECTED.plusSeconds(300), orders.get(2).getUpdatedAt());
    assertEquals(2, orders.get(2).getHistory().size(), "evidence is not a transition");
  }

  @Test
  void violationClearedBeforeAnyoneActed_selfClears_andFreesTheZone() throws Exception {
    List<WorkOrder> orders =
        feed(
            event(ViolationEventKind.OPENED, ViolationType.ILLEGAL_STALL, "JS-Z-NV1", null, 180),
            event(ViolationEventKind.CLEARED, ViolationType.ILLEGAL_STALL, "JS-Z-NV1", null, 900));
    WorkOrder closed = orders.get(1);
    assertEquals(WorkOrderStatus.SELF_CLEARED, closed.getStatus());
    assertEquals(WorkOrderStatus.DISPATCHED, closed.getHistory().get(2).getFromStatus());
    assertEquals(0, harness.numKeyedStateEntries(), "a closed order leaves no state");
  }
}
