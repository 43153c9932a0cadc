package io.streetsense.sinks.workorders;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class WorkOrderTalliesTest {
  private static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();

  private static List<WorkOrderTally> deltas() {
    List<WorkOrderTally> deltas = new ArrayList<>();
    WorkOrderTally filed = WorkOrderTally.of("b", "squad", "ILLEGAL_STALL", T0 + 10_000);
    filed.filed = 1;
    filed.open = 1;
    filed.dispatched = 1;
    deltas.add(filed);
    WorkOrderTally accepted = WorkOrderTally.of("b", "squad", "ILLEGAL_STALL", T0 + 70_000);
    accepted.accepted = 1;
    accepted.acceptMillis = 60_000;
    deltas.add(accepted);
    WorkOrderTally resolved = WorkOrderTally.of("b", "squad", "ILLEGAL_STALL", T0 + 75_000);
    resolved.resolved = 1;
    resolved.resolveMillis = 65_000;
    deltas.add(resolved);
    WorkOrderTally closed = WorkOrderTally.of("b", "squad", "ILLEGAL_STALL", T0 + 200_000);
    closed.closed = 1;
    closed.closedOnTime = 1;
    closed.open = -1;
    deltas.add(closed);
    return deltas;
  }

  private static List<WorkOrderTally> run(List<WorkOrderTally> deltas) throws Exception {
    try (KeyedOneInputStreamOperatorTestHarness<String, WorkOrderTally, WorkOrderTally> harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new WorkOrderTallies(WorkOrderConfig.defaults())),
            WorkOrderTally::key,
            Types.STRING)) {
      harness.open();
      for (WorkOrderTally delta : deltas) {
        harness.processElement(new StreamRecord<>(delta, delta.at));
      }
      harness.processWatermark(new Watermark(T0 + 600_000));
      return harness.extractOutputValues();
    }
  }

  @Test
  void deltas_becomeCumulativeTotals_atTheEndOfEachMinute() throws Exception {
    List<WorkOrderTally> totals = run(deltas());
    assertEquals(3, totals.size(), "minutes 0, 1 and 3 changed");
    assertEquals(T0 + 60_000, totals.get(0).at);
    assertEquals(1, totals.get(0).open);
    WorkOrderTally last = totals.get(2);
    assertEquals(T0 + 240_000, last.at);
    assertEquals(0, last.open);
    assertEquals(1, last.closed);
    assertEquals(1.0, last.closureRate());
    assertEquals(1.0, last.onTimeClosureRate());
    assertEquals(0.0, last.reworkRate());
    assertEquals(60.0, last.meanAcceptSeconds());
    assertEquals(65.0, last.meanResolveSeconds());
  }

  @Test
  void theSameDeltasInAnotherOrder_writeTheSamePoints() throws Exception {
    List<WorkOrderTally> shuffled = deltas();
    Collections.reverse(shuffled);
    assertEquals(run(deltas()), run(shuffled));
    assertTrue(Double.isNaN(WorkOrderTally.of("b", null, "X", 0).closureRate()));
  }
}
