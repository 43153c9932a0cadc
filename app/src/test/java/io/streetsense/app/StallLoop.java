package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import io.streetsense.simulator.Background;
import io.streetsense.simulator.CameraNoise;
import io.streetsense.simulator.IllegalStall;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The street and the squad of the tests that interrupt a running job mid-loop ({@code
 * WorkOrderFailoverIT} on a mini cluster, {@code FlinkClusterIT} on a standalone cluster): a stall
 * stands in jiashan-lane's no-vending lane from minute 1 to minute 24, the squad acts at fixed
 * street times, and every run, disturbed or not, must give the same loop: file → dispatch → the
 * accept deadline passes (escalate) → accept → resolve while the stall still stands → rework →
 * accept → resolve → the cameras see the lane clear → close. Here are the street, the squad's
 * actions, the loop, and the checks every run's committed records must pass.
 */
final class StallLoop {
  static final BlockMap JIASHAN = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
  static final BlockMaps BLOCK_MAPS = BlockMaps.of(JIASHAN);
  static final String TEAM = "xh-tianping-chengguan";
  static final String ORDER_KEY = "jiashan-lane/JS-Z-NV1/ILLEGAL_STALL";

  // The street: a stall stands in the no-vending lane from minute 1 to minute 24. The detectors
  // see it standing after the 3 min dwell (about 04:00); the order must be accepted 10 min later.
  static final Instant START = StreetScenario.DEFAULT_START;
  static final Duration STREET = Duration.ofMinutes(32);
  static final Instant STALL_LEAVES = at(24, 0);

  // The squad's actions, in street time.
  static final Instant FIRST_ACCEPT = at(15, 0); // accept_by has passed: escalated first
  static final Instant FIRST_RESOLVE = at(16, 0); // the stall still stands ...
  static final Instant REWORK_SEEN_BY = at(23, 0); // ... seen from 21:00: rework
  static final Instant SECOND_ACCEPT = at(23, 0);
  static final Instant SECOND_RESOLVE = at(23, 30); // it leaves at 24:00: clear, closed

  // The loop applies an action once the street's watermark passes its requestedAt (sinks/README.md,
  // "Time"): the street plays this far past an action (beyond the detectors' 5 s out-of-orderness).
  static final Duration STREET_PAST_ACTION = Duration.ofSeconds(10);

  static final List<TransitionKind> LOOP =
      List.of(
          TransitionKind.FILE,
          TransitionKind.DISPATCH,
          TransitionKind.ESCALATE,
          TransitionKind.ACCEPT,
          TransitionKind.RESOLVE,
          TransitionKind.REWORK,
          TransitionKind.ACCEPT,
          TransitionKind.RESOLVE,
          TransitionKind.CLOSE);

  private StallLoop() {}

  /** The street time {@code minutes:seconds} after its start. */
  static Instant at(int minutes, int seconds) {
    return START.plus(Duration.ofMinutes(minutes).plusSeconds(seconds));
  }

  /** The street's device records (deterministic: seed 5, mild camera noise, a quiet lane). */
  static List<StreetFeed.DeviceRecord> street() {
    StreetScenario scenario =
        StreetScenario.builder(JIASHAN)
            .start(START)
            .seed(5)
            .duration(STREET)
            .noise(CameraNoise.MILD)
            .background(Background.QUIET_LANE)
            .event(
                IllegalStall.seenByAll(
                    "JS-Z-NV1",
                    Duration.ofMinutes(1),
                    Duration.between(START, STALL_LEAVES),
                    "stall"))
            .build();
    return StreetFeed.records(scenario, BLOCK_MAPS);
  }

  /** A squad action as the team service writes it (sinks/README.md, "Work-order loop"). */
  static TeamAction action(
      String orderId, String actionId, TeamActionType type, Instant requestedAt) {
    return TeamAction.newBuilder()
        .setActionId(actionId)
        .setWorkOrderId(orderId)
        .setOrderKey(ORDER_KEY)
        .setAction(type)
        .setActor("team:" + TEAM)
        .setTeamId(TEAM)
        .setNote(type == TeamActionType.RESOLVE ? "vendor told to leave (" + actionId + ")" : null)
        .setRequestedAt(requestedAt)
        .build();
  }

  /** Whether the order's history has a transition of {@code kind} and/or from {@code actionId}. */
  static boolean has(WorkOrder order, TransitionKind kind, String actionId) {
    return order.getHistory().stream()
        .anyMatch(
            t ->
                (kind == null || t.getKind() == kind)
                    && (actionId == null || actionId.equals(t.getActionId())));
  }

  static List<TransitionKind> kinds(List<WorkOrderTransition> history) {
    return history.stream().map(WorkOrderTransition::getKind).toList();
  }

  /** How a run ended, for its log: the closed order's transitions and the records committed. */
  static String closedWith(WorkOrder closed, int committedRecords) {
    return "closed with " + kinds(closed.getHistory()) + "; committed records " + committedRecords;
  }

  /** The whole loop, each escalation once, closed for the squad. */
  static void assertLoop(WorkOrder closed) {
    assertEquals(LOOP, kinds(closed.getHistory()), "the loop");
    assertEquals(WorkOrderStatus.CLOSED, closed.getStatus());
    assertEquals(List.of("ACCEPT"), closed.getEscalations(), "each escalation once");
    assertEquals(1, closed.getReworkCount());
    assertEquals(TEAM, closed.getTeamId());
  }

  /** No committed record of the run is a copy of another (processing-time stamps aside). */
  static void assertNoDuplicates(String run, List<WorkOrder> committed) {
    Set<WorkOrder> seen = new HashSet<>();
    for (WorkOrder order : committed) {
      assertTrue(
          seen.add(order),
          run
              + ": committed twice: "
              + order.getId()
              + " "
              + order.getStatus()
              + " with "
              + order.getHistory().size()
              + " transitions");
    }
  }

  /**
   * Every committed record of the order {@code last} carries a prefix of its final history, and the
   * prefixes only grow: no transition lost, doubled or rewritten on the way.
   */
  static void assertMonotone(String run, List<WorkOrder> committed, WorkOrder last) {
    List<WorkOrderTransition> history = last.getHistory();
    int length = 0;
    for (WorkOrder order : committed) {
      if (!order.getId().equals(last.getId())) {
        continue;
      }
      List<WorkOrderTransition> prefix = order.getHistory();
      assertTrue(prefix.size() >= length, run + ": history shrank to " + kinds(prefix));
      assertEquals(history.subList(0, prefix.size()), prefix, run + ": not a prefix of the final");
      length = prefix.size();
    }
  }

  /** Copies with the processing-time stamps ({@code recordedAt}) blanked: they differ per run. */
  static List<WorkOrder> normalised(List<WorkOrder> orders) {
    return normalised(orders, UnaryOperator.identity());
  }

  /**
   * Copies with the processing-time stamps ({@code recordedAt}) blanked, and each transition's
   * reason and the order's latest note passed through {@code text} (to take out what else depends
   * on wall-clock time).
   */
  static List<WorkOrder> normalised(List<WorkOrder> orders, UnaryOperator<String> text) {
    return orders.stream().map(order -> normalised(order, text)).toList();
  }

  static WorkOrder normalised(WorkOrder order) {
    return normalised(order, UnaryOperator.identity());
  }

  static WorkOrder normalised(WorkOrder order, UnaryOperator<String> text) {
    WorkOrder copy = WorkOrder.newBuilder(order).build();
    List<WorkOrderTransition> history = new ArrayList<>();
    for (WorkOrderTransition t : order.getHistory()) {
      history.add(
          WorkOrderTransition.newBuilder(t)
              .setRecordedAt(Instant.EPOCH)
              .setReason(text.apply(t.getReason()))
              .build());
    }
    copy.setHistory(history);
    copy.setLatestNote(text.apply(order.getLatestNote()));
    return copy;
  }
}
