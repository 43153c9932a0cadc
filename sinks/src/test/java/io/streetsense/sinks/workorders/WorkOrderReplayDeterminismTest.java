package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopHarness.SQUAD;
import static io.streetsense.sinks.workorders.LoopHarness.stall;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.junit.jupiter.api.Test;

/**
 * The same violations and team actions give the same work orders whatever order they arrive in, as
 * long as the watermark never passes an input that has not arrived yet (the watermark's promise).
 * This is what makes a replay of the topics, or a restore, agree with the live run.
 *
 * <p>The script has the two races that depend on arrival order when actions are applied as they
 * come: a RESOLVE while the stall is still there (evidence 5 min later must rework it) and a
 * RESOLVE after the detectors reported the zone clear (it must close at once).
 */
class WorkOrderReplayDeterminismTest {
  private static final Instant DETECTED = Instant.parse("2026-11-23T02:00:00Z");
  private static final Instant FILED = DETECTED.plusSeconds(180);
  private static final Instant PROCESSING = Instant.parse("2026-11-23T02:03:01Z");
  private static final String ORDER_ID = "WO-20261123-100000-JS-Z-NV1-IS";
  private static final String ORDER_KEY = "jiashan-lane/JS-Z-NV1/ILLEGAL_STALL";
  private static final String TEAM = "team:" + SQUAD;

  /** One input with its event time. */
  private record Input(long at, ViolationEvent violation, TeamAction action) {
    void arrive(LoopHarness loop) throws Exception {
      if (violation != null) {
        loop.arrive(violation);
      } else {
        loop.arrive(action);
      }
    }
  }

  private static Instant at(int secondsAfterDetection) {
    return DETECTED.plusSeconds(secondsAfterDetection);
  }

  private static Input seen(ViolationEventKind kind, int seconds) {
    ViolationEvent event = stall(kind, DETECTED, at(seconds));
    return new Input(event.getEventTime().toEpochMilli(), event, null);
  }

  private static Input team(String id, TeamActionType type, int seconds) {
    TeamAction action =
        TeamAction.newBuilder()
            .setActionId(id)
            .setWorkOrderId(ORDER_ID)
            .setOrderKey(ORDER_KEY)
            .setAction(type)
            .setActor(TEAM)
            .setTeamId(SQUAD)
            .setRequestedAt(at(seconds))
            .build();
    return new Input(action.getRequestedAt().toEpochMilli(), null, action);
  }

  /** Filed, accepted, resolved while the stall stays, reworked, cleared, resolved: closed. */
  private static List<Input> script() {
    List<Input> inputs = new ArrayList<>();
    inputs.add(seen(ViolationEventKind.OPENED, 180));
    inputs.add(seen(ViolationEventKind.UPDATED, 240));
    inputs.add(team("a1", TeamActionType.ACCEPT, 300));
    inputs.add(team("a2", TeamActionType.RESOLVE, 400));
    inputs.add(seen(ViolationEventKind.UPDATED, 500)); // packing up: only delays the verdict
    inputs.add(seen(ViolationEventKind.UPDATED, 720)); // still there 5 min after: rework
    inputs.add(team("a2", TeamActionType.RESOLVE, 401)); // a retry of a2: counts once
    inputs.add(team("a3", TeamActionType.ACCEPT, 760));
    inputs.add(seen(ViolationEventKind.UPDATED, 800));
    inputs.add(seen(ViolationEventKind.CLEARED, 1100)); // seen clear for 5 min
    inputs.add(team("a4", TeamActionType.RESOLVE, 1150)); // the zone is clear: closes at once
    return inputs;
  }

  private static final Instant END = at(2000);

  /** What the operator wrote: every order record, every tally, every refusal. */
  private record Outcome(
      List<WorkOrder> orders, List<WorkOrderTally> tallies, List<String> refused) {}

  private static Outcome run(List<Input> arrivalOrder, boolean watermarkAsLateAsPossible)
      throws Exception {
    try (LoopHarness loop =
        new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), null)) {
      feed(loop, arrivalOrder, watermarkAsLateAsPossible);
      loop.watermark(END);
      return outcome(loop);
    }
  }

  /**
   * Delivers the inputs in the given order. The watermark after each arrival is either left until
   * the end, or moved as far as the watermark may go: just before the earliest input still to come.
   */
  private static void feed(LoopHarness loop, List<Input> arrivalOrder, boolean eagerWatermark)
      throws Exception {
    for (int i = 0; i < arrivalOrder.size(); i++) {
      arrivalOrder.get(i).arrive(loop);
      if (eagerWatermark) {
        long nextDue =
            arrivalOrder.subList(i + 1, arrivalOrder.size()).stream()
                .mapToLong(Input::at)
                .min()
                .orElse(END.toEpochMilli() + 1);
        loop.watermark(Instant.ofEpochMilli(nextDue - 1));
      }
    }
  }

  private static Outcome outcome(LoopHarness loop) {
    return new Outcome(
        loop.orders(),
        loop.tallies(),
        loop.refused().stream().map(RefusedAction::toString).collect(Collectors.toList()));
  }

  private static List<TransitionKind> kinds(WorkOrder order) {
    return order.getHistory().stream()
        .map(WorkOrderTransition::getKind)
        .collect(Collectors.toList());
  }

  @Test
  void inEventTimeOrder_theLoopReworksThenClosesOnTheResolveAfterTheClear() throws Exception {
    List<Input> inOrder = new ArrayList<>(script());
    inOrder.sort(Comparator.comparingLong(Input::at));
    Outcome outcome = run(inOrder, true);
    WorkOrder last = outcome.orders().get(outcome.orders().size() - 1);
    assertEquals(WorkOrderStatus.CLOSED, last.getStatus());
    assertEquals(
        List.of(
            TransitionKind.FILE,
            TransitionKind.DISPATCH,
            TransitionKind.ACCEPT,
            TransitionKind.RESOLVE,
            TransitionKind.REWORK,
            TransitionKind.ACCEPT,
            TransitionKind.RESOLVE,
            TransitionKind.CLOSE),
        kinds(last));
    assertEquals(at(720), last.getHistory().get(4).getAt(), "rework on the evidence at +720 s");
    assertEquals(at(1150), last.getClosedAt(), "closed at the resolve: the zone was already clear");
    assertEquals(1, last.getReworkCount());
    assertTrue(outcome.refused().isEmpty(), "nothing refused: " + outcome.refused());
  }

  @Test
  void everyArrivalOrder_givesTheSameOrders() throws Exception {
    List<Input> inOrder = new ArrayList<>(script());
    inOrder.sort(Comparator.comparingLong(Input::at));
    Outcome expected = run(inOrder, true);

    List<List<Input>> orders = new ArrayList<>();
    orders.add(script()); // as listed: the retry and some evidence behind later inputs
    List<Input> violationsFirst = new ArrayList<>(inOrder);
    violationsFirst.sort(Comparator.comparing((Input in) -> in.violation() == null));
    orders.add(violationsFirst); // a replay whose device topics were read ahead of the actions
    List<Input> actionsFirst = new ArrayList<>(inOrder);
    actionsFirst.sort(Comparator.comparing((Input in) -> in.action() == null));
    orders.add(actionsFirst); // a replay whose actions topic was read first
    List<Input> everyActionTwice = new ArrayList<>();
    for (Input input : inOrder) {
      everyActionTwice.add(input);
      if (input.action() != null) {
        everyActionTwice.add(input); // the team's device sent it again (a retry, a redelivery)
      }
    }
    orders.add(everyActionTwice);
    Random random = new Random(20261124);
    for (int i = 0; i < 20; i++) {
      List<Input> shuffled = new ArrayList<>(inOrder);
      java.util.Collections.shuffle(shuffled, random);
      orders.add(shuffled);
    }
    for (int i = 0; i < orders.size(); i++) {
      for (boolean eager : new boolean[] {true, false}) {
        Outcome outcome = run(orders.get(i), eager);
        String what = "arrival order " + i + (eager ? ", eager watermark" : ", one late watermark");
        assertEquals(expected.orders(), outcome.orders(), what);
        assertEquals(expected.tallies(), outcome.tallies(), what);
        assertEquals(expected.refused(), outcome.refused(), what);
      }
    }
  }

  @Test
  void restoredWhileInputsWait_givesTheSameOrders() throws Exception {
    List<Input> inOrder = new ArrayList<>(script());
    inOrder.sort(Comparator.comparingLong(Input::at));
    Outcome expected = run(inOrder, true);

    List<Input> actionsFirst = new ArrayList<>(inOrder);
    actionsFirst.sort(Comparator.comparing((Input in) -> in.action() == null));
    for (int cut = 0; cut <= actionsFirst.size(); cut++) {
      List<WorkOrder> orders = new ArrayList<>();
      List<WorkOrderTally> tallies = new ArrayList<>();
      OperatorSubtaskState snapshot;
      try (LoopHarness before =
          new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), null)) {
        feed(before, actionsFirst.subList(0, cut), false);
        orders.addAll(before.orders());
        tallies.addAll(before.tallies());
        snapshot = before.snapshot(1);
      }
      try (LoopHarness after =
          new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), snapshot)) {
        feed(after, actionsFirst.subList(cut, actionsFirst.size()), false);
        after.watermark(END);
        orders.addAll(after.orders());
        tallies.addAll(after.tallies());
      }
      assertEquals(expected.orders(), orders, "cut after " + cut + " arrivals");
      assertEquals(expected.tallies(), tallies, "cut after " + cut + " arrivals");
    }
  }

  @Test
  void actionsWaitForTheStreet_whileItsEventTimeMoves() throws Exception {
    try (LoopHarness loop =
        new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), null)) {
      loop.processingTime(0);
      loop.violation(seen(ViolationEventKind.OPENED, 180).violation());
      loop.arrive(team("a1", TeamActionType.ACCEPT, 300).action());
      assertEquals(1, loop.processingTimers(), "the street is watched");

      // A replay: two minutes pass but the street's event time moved, so the accept keeps waiting.
      loop.watermark(at(250));
      loop.processingTime(120_000);
      assertEquals(WorkOrderStatus.DISPATCHED, loop.last().getStatus());
      assertEquals(1, loop.processingTimers(), "watched again");

      loop.watermark(at(300));
      WorkOrder accepted = loop.last();
      assertEquals(WorkOrderStatus.ACCEPTED, accepted.getStatus());
      assertFalse(
          accepted.getHistory().get(2).getReason().contains("applied"),
          "applied in event-time order: " + accepted.getHistory().get(2).getReason());
      assertEquals(0, loop.processingTimers(), "nothing waits any more");
    }
  }

  @Test
  void actionsAreAppliedAheadOfAStreetWhoseEventTimeStandsStill_andTheHistorySaysSo()
      throws Exception {
    try (LoopHarness loop =
        new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), null)) {
      loop.processingTime(0);
      loop.violation(seen(ViolationEventKind.OPENED, 180).violation());
      loop.arrive(team("a1", TeamActionType.ACCEPT, 300).action());
      loop.processingTime(119_999);
      assertEquals(WorkOrderStatus.DISPATCHED, loop.last().getStatus(), "still waiting");

      loop.processingTime(120_000); // every camera and sensor silent for the whole limit
      WorkOrder accepted = loop.last();
      assertEquals(WorkOrderStatus.ACCEPTED, accepted.getStatus());
      WorkOrderTransition accept = accepted.getHistory().get(2);
      assertEquals(at(300), accept.getAt());
      assertTrue(
          accept.getReason().contains("applied before the street's event time reached it"),
          accept.getReason());
      assertEquals(0, loop.processingTimers());

      // When the street comes back, its event time passes the accept without applying it twice.
      loop.watermark(at(400));
      assertEquals(3, loop.last().getHistory().size());
    }
  }

  /** A checkpoint taken while a dispatched order's accept waits for the street's event time. */
  private static OperatorSubtaskState snapshotWithAnAcceptWaitingForTheStreet() throws Exception {
    try (LoopHarness loop =
        new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), null)) {
      loop.processingTime(0);
      loop.violation(seen(ViolationEventKind.OPENED, 180).violation());
      loop.watermark(at(250));
      loop.arrive(team("a1", TeamActionType.ACCEPT, 300).action());
      return loop.snapshot(1);
    }
  }

  @Test
  void aRestoreAfterLongDowntime_givesTheStreetAWholeLimit_beforeActionsGoAhead() throws Exception {
    OperatorSubtaskState snapshot = snapshotWithAnAcceptWaitingForTheStreet();
    // The job was down for ten minutes: the restored watch timer is long due, and the restored
    // job has no watermark yet. That is downtime, not a street standing still.
    try (LoopHarness loop =
        new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), snapshot)) {
      loop.processingTime(600_000);
      assertTrue(loop.orders().isEmpty(), "the accept still waits: " + loop.orders());
      assertEquals(1, loop.processingTimers(), "watched again, from the restore");

      // The devices' records come back and the street's event time reaches the accept.
      loop.watermark(at(300));
      WorkOrderTransition accept = loop.last().getHistory().get(2);
      assertEquals(TransitionKind.ACCEPT, accept.getKind());
      assertFalse(accept.getReason().contains("applied"), accept.getReason());
    }
  }

  @Test
  void aRestoredJobWhoseStreetStaysSilent_appliesActionsAfterOneLimit() throws Exception {
    OperatorSubtaskState snapshot = snapshotWithAnAcceptWaitingForTheStreet();
    try (LoopHarness loop =
        new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), snapshot)) {
      loop.processingTime(600_000);
      loop.processingTime(600_000 + 119_999);
      assertTrue(loop.orders().isEmpty(), "still within the limit: " + loop.orders());
      loop.processingTime(600_000 + 120_000); // no camera or sensor since the restore
      WorkOrderTransition accept = loop.last().getHistory().get(2);
      assertEquals(TransitionKind.ACCEPT, accept.getKind());
      assertTrue(
          accept.getReason().contains("none yet since the job started or was restored"),
          accept.getReason());
    }
  }

  @Test
  void anActionOlderThanTheWatermark_isAppliedOnArrival_andTheHistorySaysSo() throws Exception {
    try (LoopHarness loop =
        new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), null)) {
      loop.violation(seen(ViolationEventKind.OPENED, 180).violation());
      loop.watermark(at(400));
      loop.arrive(team("a1", TeamActionType.ACCEPT, 300).action());
      WorkOrderTransition accept = loop.last().getHistory().get(2);
      assertEquals(TransitionKind.ACCEPT, accept.getKind());
      assertTrue(accept.getReason().contains("applied on arrival"), accept.getReason());
    }
  }
}
