package io.streetsense.sinks.workorders;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.schemas.Evidence;
import io.streetsense.schemas.GeoPoint;
import io.streetsense.schemas.Severity;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ShopOffencesTest {
  private static final Instant DAY0 = Instant.parse("2026-11-01T14:00:00Z"); // 22:00 Shanghai

  private KeyedOneInputStreamOperatorTestHarness<String, WorkOrder, WorkOrder> harness;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new ShopOffences(WorkOrderConfig.defaults())),
            ShopOffences::keyOf,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private static WorkOrder order(String shop, int day, WorkOrderStatus status) {
    Instant filed = DAY0.plus(Duration.ofDays(day));
    return WorkOrder.newBuilder()
        .setId("WO-" + shop + "-" + day)
        .setOrderKey("jiashan-lane/JS-Z-F02/OUT_OF_DOORWAY_TRADING")
        .setType(ViolationType.OUT_OF_DOORWAY_TRADING)
        .setBlockId("jiashan-lane")
        .setBlockName("Jiashan")
        .setZoneId("JS-Z-F02")
        .setShopId(shop)
        .setStatus(status)
        .setSeverity(Severity.LOW)
        .setViolationId("v" + day)
        .setDetectedAt(filed)
        .setFiledAt(filed)
        .setUpdatedAt(filed)
        .setClosedAt(status == WorkOrderStatus.CANCELLED ? filed.plusSeconds(600) : null)
        .setLocation(new GeoPoint(0.0, 0.0))
        .setEvidence(new Evidence(List.of(), null))
        .setHistory(new ArrayList<>())
        .build();
  }

  private int stamp(WorkOrder order) throws Exception {
    harness.processElement(new StreamRecord<>(order, order.getUpdatedAt().toEpochMilli()));
    List<WorkOrder> out = harness.extractOutputValues();
    return out.get(out.size() - 1).getShopRepeatOffences();
  }

  private List<Integer> counts() {
    return harness.getSideOutput(ShopOffences.COUNTS).stream()
        .map(r -> r.getValue().orders)
        .collect(Collectors.toList());
  }

  @Test
  void ordersOfAShopInTheLast30Days_areCountedOnEachOrder_andFixedAtFiling() throws Exception {
    assertEquals(1, stamp(order("JS-S-02", 0, WorkOrderStatus.DISPATCHED)));
    assertEquals(2, stamp(order("JS-S-02", 10, WorkOrderStatus.DISPATCHED)));
    assertEquals(1, stamp(order("JS-S-02", 0, WorkOrderStatus.CLOSED)), "fixed at filing");
    assertEquals(1, stamp(order("JS-S-03", 10, WorkOrderStatus.DISPATCHED)), "another shop");
    harness.processWatermark(new Watermark(DAY0.plus(Duration.ofDays(30)).toEpochMilli()));
    assertEquals(2, stamp(order("JS-S-02", 31, WorkOrderStatus.DISPATCHED)), "day 0 expired");
    assertEquals(List.of(1, 2, 1, 1, 2), counts(), "at each filing and at the expiry");
  }

  @Test
  void aCancelledOrder_doesNotCountAgainstTheShop() throws Exception {
    stamp(order("JS-S-02", 0, WorkOrderStatus.DISPATCHED));
    stamp(order("JS-S-02", 1, WorkOrderStatus.CANCELLED));
    assertEquals(2, stamp(order("JS-S-02", 2, WorkOrderStatus.DISPATCHED)));
  }

  @Test
  void ordersWithoutAShop_passThrough_andStateExpiresAfterTheWindow() throws Exception {
    WorkOrder stall = order(null, 0, WorkOrderStatus.DISPATCHED);
    assertEquals(0, stamp(stall));
    stamp(order("JS-S-02", 0, WorkOrderStatus.DISPATCHED));
    stamp(order("JS-S-02", 5, WorkOrderStatus.DISPATCHED));
    assertEquals(1, harness.numKeyedStateEntries(), "one shop, no state for the stall");
    harness.processWatermark(new Watermark(DAY0.plus(Duration.ofDays(36)).toEpochMilli()));
    assertEquals(0, harness.numKeyedStateEntries(), "bounded: gone 30 days after the last order");
    assertEquals(0, harness.numEventTimeTimers());
  }
}
