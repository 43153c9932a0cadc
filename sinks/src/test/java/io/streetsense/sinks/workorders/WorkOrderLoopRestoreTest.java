package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopHarness.SQUAD;
import static io.streetsense.sinks.workorders.LoopHarness.stall;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * Kill the job mid-loop and restore from the last checkpoint: for every point at which the loop can
 * be cut, the orders written before the snapshot plus those written by the restored operator are
 * exactly those of a run without failure — no lost or doubled transitions, each escalation once.
 */
class WorkOrderLoopRestoreTest {
  private static final Instant DETECTED = Instant.parse("2026-11-23T02:00:00Z");
  private static final Instant FILED = DETECTED.plusSeconds(180);
  private static final Instant ACCEPT_BY = FILED.plus(Duration.ofMinutes(10));
  private static final Instant PROCESSING = Instant.parse("2026-11-23T02:03:01Z");

  interface Step {
    void run(LoopHarness loop) throws Exception;
  }

  private static Instant at(int seconds) {
    return DETECTED.plusSeconds(seconds);
  }

  /** A whole loop: escalation, late accept, resolve, still there, rework, resolve, close. */
  private static List<Step> script() {
    List<Step> steps = new ArrayList<>();
    steps.add(loop -> loop.violation(stall(ViolationEventKind.OPENED, DETECTED, FILED)));
    steps.add(loop -> loop.watermark(at(300)));
    steps.add(loop -> loop.violation(stall(ViolationEventKind.UPDATED, DETECTED, at(480))));
    steps.add(loop -> loop.watermark(ACCEPT_BY)); // the accept deadline escalates
    steps.add(loop -> loop.watermark(ACCEPT_BY.plusSeconds(30)));
    steps.add(loop -> loop.act(team("a1", TeamActionType.ACCEPT, ACCEPT_BY.plusSeconds(60))));
    steps.add(loop -> loop.act(team("a1", TeamActionType.ACCEPT, ACCEPT_BY.plusSeconds(60))));
    steps.add(loop -> loop.act(team("a2", TeamActionType.RESOLVE, at(1500))));
    steps.add(loop -> loop.violation(stall(ViolationEventKind.UPDATED, DETECTED, at(1560))));
    steps.add(loop -> loop.watermark(at(1700)));
    steps.add(loop -> loop.violation(stall(ViolationEventKind.UPDATED, DETECTED, at(1800))));
    steps.add(loop -> loop.act(team("a3", TeamActionType.ACCEPT, at(1860))));
    steps.add(loop -> loop.watermark(at(1800 + 3600))); // the fresh resolve deadline escalates
    steps.add(loop -> loop.act(team("a4", TeamActionType.RESOLVE, at(5500))));
    steps.add(loop -> loop.watermark(at(6000))); // the camera is off: the order says so
    steps.add(loop -> loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(6500))));
    steps.add(loop -> loop.watermark(at(6500).plus(Duration.ofHours(25))));
    return steps;
  }

  private static TeamAction team(String id, TeamActionType type, Instant requestedAt) {
    WorkOrder order = new WorkOrder();
    order.setId("WO-20261123-100000-JS-Z-NV1-IS");
    order.setOrderKey("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL");
    return LoopHarness.action(id, order, type, "team:" + SQUAD, SQUAD, requestedAt);
  }

  private static List<Object> outputs(LoopHarness loop) {
    List<Object> all = new ArrayList<>(loop.orders());
    all.addAll(loop.tallies());
    all.addAll(loop.refused().stream().map(Object::toString).toList());
    return all;
  }

  @Test
  void uninterruptedRun_isTheWholeLoop() throws Exception {
    try (LoopHarness loop = harness(null)) {
      for (Step step : script()) {
        step.run(loop);
      }
      WorkOrder closed = loop.last();
      assertEquals(WorkOrderStatus.CLOSED, closed.getStatus());
      assertEquals(1, closed.getReworkCount());
      assertEquals(List.of("ACCEPT", "RESOLVE"), closed.getEscalations());
      assertEquals(
          List.of(
              TransitionKind.FILE,
              TransitionKind.DISPATCH,
              TransitionKind.ESCALATE,
              TransitionKind.ACCEPT,
              TransitionKind.RESOLVE,
              TransitionKind.REWORK,
              TransitionKind.ACCEPT,
              TransitionKind.ESCALATE,
              TransitionKind.RESOLVE,
              TransitionKind.CLOSE),
          closed.getHistory().stream().map(WorkOrderTransition::getKind).toList());
      assertEquals(0, loop.stateEntries());
      assertEquals(0, loop.timers());
    }
  }

  @Test
  void restoringFromASnapshotAtAnyStep_givesExactlyTheHistoryOfAnUninterruptedRun()
      throws Exception {
    List<Object> expected;
    try (LoopHarness loop = harness(null)) {
      for (Step step : script()) {
        step.run(loop);
      }
      expected = outputs(loop);
    }
    List<Step> steps = script();
    for (int cut = 0; cut <= steps.size(); cut++) {
      List<Object> actual = new ArrayList<>();
      OperatorSubtaskState snapshot;
      try (LoopHarness before = harness(null)) {
        for (Step step : steps.subList(0, cut)) {
          step.run(before);
        }
        snapshot = before.snapshot(cut);
        actual.addAll(outputs(before));
        // What the failed job did after the snapshot is lost with it (never committed).
      }
      try (LoopHarness after = harness(snapshot)) {
        for (Step step : steps.subList(cut, steps.size())) {
          step.run(after);
        }
        actual.addAll(outputs(after));
        assertEquals(0, after.stateEntries(), "cut at step " + cut);
      }
      assertEquals(sorted(expected), sorted(actual), "restored after step " + cut);
    }
  }

  /** Orders first, in order; tallies and refusals per kind in order: as the sinks see them. */
  private static List<Object> sorted(List<Object> outputs) {
    List<Object> result = new ArrayList<>();
    outputs.stream().filter(o -> o instanceof WorkOrder).forEach(result::add);
    outputs.stream().filter(o -> o instanceof WorkOrderTally).forEach(result::add);
    outputs.stream().filter(o -> o instanceof String).forEach(result::add);
    return result;
  }

  private static LoopHarness harness(OperatorSubtaskState restore) throws Exception {
    return new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), restore);
  }
}
