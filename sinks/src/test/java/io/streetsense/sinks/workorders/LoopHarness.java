package io.streetsense.sinks.workorders;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.Evidence;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;

/** The work-order operator in a test harness, with builders for violations and team actions. */
final class LoopHarness implements AutoCloseable {
  static final String BLOCK = "jiashan-lane";
  static final String LANE = "JS-Z-NV1";
  static final String SQUAD = "xh-tianping-chengguan";
  static final String MARKET = "xh-market-supervision";
  static final String POLICE = "xh-traffic-police";
  static final BlockMaps MAPS = BlockMaps.of(BlockMapLoader.load(RepositoryBlockMaps.file(BLOCK)));

  final KeyedTwoInputStreamOperatorTestHarness<String, ViolationEvent, TeamAction, WorkOrder>
      harness;
  final TestClock clock;
  private long watermark = Long.MIN_VALUE;

  LoopHarness(TestClock clock, WorkOrderConfig config, OperatorSubtaskState restore)
      throws Exception {
    this.clock = clock;
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new WorkOrderProcessor(MAPS, clock, config)),
            v -> WorkOrderIds.ownerKey(v.getBlockId(), v.getZoneId(), v.getType()),
            TeamActions::orderKey,
            Types.STRING);
    if (restore != null) {
      harness.initializeState(restore);
    }
    harness.open();
  }

  static ViolationEvent violation(
      ViolationEventKind kind,
      ViolationType type,
      String zone,
      String shop,
      Instant detectedAt,
      Instant at) {
    return ViolationEvent.newBuilder()
        .setViolationId(BLOCK + "/" + zone + "/" + type + "/" + detectedAt.toEpochMilli())
        .setKind(kind)
        .setType(type)
        .setBlockId(BLOCK)
        .setZoneId(zone)
        .setShopId(shop)
        .setDetectedAt(detectedAt)
        .setEventTime(at)
        .setDwellMillis(at.toEpochMilli() - detectedAt.toEpochMilli())
        .setEvidence(new Evidence(List.of(), null))
        .build();
  }

  /** A stall in the lane, detected at {@code detectedAt}. */
  static ViolationEvent stall(ViolationEventKind kind, Instant detectedAt, Instant at) {
    return violation(kind, ViolationType.ILLEGAL_STALL, LANE, null, detectedAt, at);
  }

  static TeamAction action(
      String actionId,
      WorkOrder order,
      TeamActionType type,
      String actor,
      String teamId,
      Instant requestedAt) {
    return TeamAction.newBuilder()
        .setActionId(actionId)
        .setWorkOrderId(order.getId())
        .setOrderKey(order.getOrderKey())
        .setAction(type)
        .setActor(actor)
        .setTeamId(teamId)
        .setRequestedAt(requestedAt)
        .build();
  }

  /**
   * Feeds a violation and moves the watermark to it, as in the job, where the detectors emit a
   * violation just before the watermark that passes it.
   */
  void violation(ViolationEvent event) throws Exception {
    arrive(event);
    watermark(event.getEventTime());
  }

  /**
   * Feeds an action and moves the watermark to it: the street's event time has reached the request
   * (an action older than the watermark is applied on arrival).
   */
  void act(TeamAction action) throws Exception {
    arrive(action);
    watermark(action.getRequestedAt());
  }

  /** Feeds a violation without moving the watermark: it waits until the watermark passes it. */
  void arrive(ViolationEvent event) throws Exception {
    harness.processElement1(new StreamRecord<>(event, event.getEventTime().toEpochMilli()));
  }

  /** Feeds an action without moving the watermark: it waits until the watermark passes it. */
  void arrive(TeamAction action) throws Exception {
    harness.processElement2(new StreamRecord<>(action, action.getRequestedAt().toEpochMilli()));
  }

  /** Moves both inputs' watermark forward to {@code time} (never back). */
  void watermark(Instant time) throws Exception {
    long at = time.toEpochMilli();
    if (at > watermark) {
      watermark = at;
      harness.processBothWatermarks(new Watermark(at));
    }
  }

  void processingTime(long millis) throws Exception {
    harness.setProcessingTime(millis);
  }

  List<WorkOrder> orders() {
    return harness.extractOutputValues();
  }

  WorkOrder last() {
    List<WorkOrder> orders = orders();
    return orders.get(orders.size() - 1);
  }

  List<RefusedAction> refused() {
    return harness.getSideOutput(WorkOrderProcessor.REFUSED) == null
        ? List.of()
        : harness.getSideOutput(WorkOrderProcessor.REFUSED).stream()
            .map(StreamRecord::getValue)
            .collect(Collectors.toList());
  }

  List<WorkOrderTally> tallies() {
    return harness.getSideOutput(WorkOrderProcessor.TALLIES) == null
        ? List.of()
        : harness.getSideOutput(WorkOrderProcessor.TALLIES).stream()
            .map(StreamRecord::getValue)
            .collect(Collectors.toList());
  }

  OperatorSubtaskState snapshot(long checkpointId) throws Exception {
    return harness.snapshot(checkpointId, checkpointId);
  }

  int stateEntries() {
    return harness.numKeyedStateEntries();
  }

  int timers() {
    return harness.numEventTimeTimers();
  }

  int processingTimers() {
    return harness.numProcessingTimeTimers();
  }

  @Override
  public void close() throws Exception {
    harness.close();
  }
}
