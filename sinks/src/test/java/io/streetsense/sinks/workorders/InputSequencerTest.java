package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopFixtures.FILED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.WorkOrderStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputSequencerTest {
  private static final long MINUTE = 60_000;

  private final InputSequencer sequencer = new InputSequencer(Duration.ofMinutes(2));

  @Test
  void anInputWaits_untilTheWatermarkPassesIt() {
    assertTrue(InputSequencer.waits(1_001, 1_000));
    assertFalse(InputSequencer.waits(1_000, 1_000), "at the watermark: late, applied on arrival");
    assertTrue(InputSequencer.waits(0, Long.MIN_VALUE));
  }

  @Test
  void sameInstant_aFixedOrder() {
    ViolationEvent opened = LoopFixtures.stall(ViolationEventKind.OPENED, FILED);
    ViolationEvent cleared = LoopFixtures.stall(ViolationEventKind.CLEARED, FILED);
    List<ViolationEvent> violations = new ArrayList<>(List.of(cleared, opened));
    violations.sort(InputSequencer.VIOLATION_ORDER);
    assertEquals(List.of(opened, cleared), violations);

    var order = LoopFixtures.order(WorkOrderStatus.DISPATCHED);
    var b = LoopFixtures.action("b", order, TeamActionType.ACCEPT, LoopFixtures.TEAM);
    var a = LoopFixtures.action("a", order, TeamActionType.CANCEL, LoopFixtures.OPS);
    var actions = new ArrayList<>(List.of(b, a));
    actions.sort(InputSequencer.ACTION_ORDER);
    assertEquals(List.of(a, b), actions);
    assertEquals(
        List.of(1L, 2L, 5L),
        List.copyOf(InputSequencer.instants(List.of(5L, 1L), List.of(2L, 5L))));
  }

  @Test
  void aStreetThatMoves_keepsActionsWaiting_oneThatStandsStill_letsThemThrough() {
    StreetWatch watch = sequencer.watch(10 * MINUTE, 1_000);
    assertEquals(12 * MINUTE, watch.timer);
    assertFalse(InputSequencer.streetStoodStill(watch, 2_000), "moved");
    sequencer.lookAgain(watch, 12 * MINUTE, 2_000);
    assertEquals(14 * MINUTE, watch.timer);
    assertEquals(2_000, watch.watermark);
    assertTrue(InputSequencer.streetStoodStill(watch, 2_000), "stood still for the whole limit");
  }

  @Test
  void aRestoredJob_getsOneWholeLimitBeforeAnythingIsAppliedAhead() {
    StreetWatch watch = sequencer.watch(0, 5_000);
    assertFalse(InputSequencer.streetStoodStill(watch, Long.MIN_VALUE), "no watermark since start");
    sequencer.lookAgain(watch, MINUTE, Long.MIN_VALUE);
    assertTrue(InputSequencer.streetStoodStill(watch, Long.MIN_VALUE), "still none a limit later");
  }

  @Test
  void theNotes_sayWhyAnActionWasAppliedOutOfEventOrder() {
    assertEquals(
        " (applied before the street's event time reached it: event time stood at"
            + " 1970-01-01T00:00:01Z for PT2M, no camera or sensor reporting)",
        sequencer.aheadOfStreet(1_000));
    assertTrue(sequencer.aheadOfStreet(Long.MIN_VALUE).contains("none yet since the job started"));
    var action =
        LoopFixtures.action(
            "a",
            LoopFixtures.order(WorkOrderStatus.DISPATCHED),
            TeamActionType.ACCEPT,
            LoopFixtures.TEAM);
    assertEquals(
        " (arrived after the street's event time had passed "
            + action.getRequestedAt()
            + ": applied on arrival)",
        InputSequencer.appliedOnArrival(action));
  }
}
