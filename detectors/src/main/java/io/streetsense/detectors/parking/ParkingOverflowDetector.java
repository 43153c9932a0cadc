package io.streetsense.detectors.parking;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.detectors.presence.ZoneObservation;
import io.streetsense.eventtime.EventTimeBuffer;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.ViolationEvent;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parking overflow ({@code PARKING_OVERFLOW}), keyed by block id: input 1 is the block's berth
 * sensor messages, input 2 the camera views of its no-parking zones ({@link
 * io.streetsense.detectors.presence.ZoneObservationExtractor#NO_PARKING}).
 *
 * <p>Why by block: a zone's decision joins its own berths, the berths of its alternatives (other
 * parking zones) and the cameras on its no-parking zones, and all of them belong to one block. A
 * block has a handful of parking zones, so one key holds every input of every decision, and each
 * parking zone's decision has exactly one writer — no broadcast, no second join stage.
 *
 * <p>Both inputs wait in {@link EventTimeBuffer}s until the watermark passes them, then are applied
 * in event-time order (sensor messages before camera views at the same millisecond) and the block
 * is evaluated by an {@link OverflowTracker}: the same input gives the same violations whatever the
 * arrival order. While the block holds state, a housekeeping timer every {@link
 * DetectorConfig#cameraOfflineAfter()} evaluates it even when no message comes, so silent devices
 * time out and their state goes.
 *
 * <p>Late sensor messages are only counted here: {@link ParkingOccupancy} sends the same message to
 * the dead letters, and one dead letter per message is enough. Late camera views (rare: the
 * extractor diverts late frames before the fan-out) go to the dead letters.
 */
public final class ParkingOverflowDetector
    extends KeyedCoProcessFunction<String, ParkingSensorEvent, ZoneObservation, ViolationEvent> {
  private static final long serialVersionUID = 1L;

  private static final Comparator<ParkingSensorEvent> SENSORS_SAME_TIME =
      Comparator.comparing(ParkingSensorEvent::getSensorId)
          .thenComparingLong(ParkingSensorEvent::getSeq)
          .thenComparing(ParkingSensorEvent::getOccupied);
  private static final Comparator<ZoneObservation> VIEWS_SAME_TIME =
      Comparator.comparing((ZoneObservation o) -> o.zoneId)
          .thenComparing(o -> o.cameraId)
          .thenComparingLong(o -> o.frame);

  private final BlockMaps blockMaps;
  private final DetectorConfig config;

  private transient Map<String, OverflowTracker> trackers;
  private transient EventTimeBuffer<ParkingSensorEvent> sensorBuffer;
  private transient EventTimeBuffer<ZoneObservation> viewBuffer;
  private transient ValueState<BlockParkingState> blockState;
  private transient long housekeepingMillis;
  private transient Counter duplicates;
  private transient Counter lateSensorMessages;
  private transient Counter lateObservations;

  public ParkingOverflowDetector(BlockMaps blockMaps, DetectorConfig config) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  public void open(OpenContext openContext) {
    trackers = new HashMap<>();
    for (BlockMap block : blockMaps.all()) {
      OverflowTracker tracker =
          new OverflowTracker(
              block,
              config.cameraOfflineAfter().toMillis(),
              config.sensorOfflineAfter().toMillis(),
              config.updateEvery().toMillis());
      if (tracker.hasRules()) {
        trackers.put(block.id(), tracker);
      }
    }
    housekeepingMillis = config.cameraOfflineAfter().toMillis();
    sensorBuffer =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "pending-overflow-sensor-messages",
            TypeInformation.of(ParkingSensorEvent.class),
            SENSORS_SAME_TIME);
    viewBuffer =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "pending-no-parking-views",
            TypeInformation.of(ZoneObservation.class),
            VIEWS_SAME_TIME);
    blockState =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "block-parking", TypeInformation.of(BlockParkingState.class)));
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
    lateSensorMessages = getRuntimeContext().getMetricGroup().counter("lateSensorMessages");
    lateObservations = getRuntimeContext().getMetricGroup().counter("lateObservations");
  }

  @Override
  public void processElement1(ParkingSensorEvent event, Context ctx, Collector<ViolationEvent> out)
      throws Exception {
    OverflowTracker tracker = trackers.get(ctx.getCurrentKey());
    if (tracker == null || !tracker.usesSensor(event.getSensorId())) {
      return; // not part of any overflow rule (unknown sensors: ParkingOccupancy dead-letters them)
    }
    long eventTime = event.getEventTime().toEpochMilli();
    if (eventTime <= ctx.timerService().currentWatermark()) {
      lateSensorMessages.inc();
      return;
    }
    sensorBuffer.add(eventTime, event, ctx.timerService());
  }

  @Override
  public void processElement2(
      ZoneObservation observation, Context ctx, Collector<ViolationEvent> out) throws Exception {
    OverflowTracker tracker = trackers.get(ctx.getCurrentKey());
    if (tracker == null || !tracker.usesNoParkingZone(observation.zoneId)) {
      return;
    }
    long watermark = ctx.timerService().currentWatermark();
    if (observation.eventTime <= watermark) {
      lateObservations.inc();
      ctx.output(
          LateEvents.TAG, LateEvents.lateObservation(observation, "parking-overflow", watermark));
      return;
    }
    viewBuffer.add(observation.eventTime, observation, ctx.timerService());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ViolationEvent> out)
      throws Exception {
    OverflowTracker tracker = trackers.get(ctx.getCurrentKey());
    BlockParkingState state = blockState.value();
    if (state == null) {
      state = new BlockParkingState();
    }
    for (ParkingSensorEvent event : sensorBuffer.take(timestamp)) {
      if (!tracker.applySensor(state, event)) {
        duplicates.inc();
      }
    }
    for (ZoneObservation observation : viewBuffer.take(timestamp)) {
      tracker.applyObservation(state, observation);
    }
    for (ViolationEvent event : tracker.evaluate(state, timestamp)) {
      out.collect(event);
    }
    if (timestamp == state.housekeepingAt) {
      state.housekeepingAt = Long.MIN_VALUE;
    }
    if (OverflowTracker.isEmpty(state)) {
      // A stale housekeeping timer may still fire: it finds no state and does nothing.
      blockState.clear();
      return;
    }
    if (state.housekeepingAt == Long.MIN_VALUE) {
      state.housekeepingAt = timestamp + housekeepingMillis;
      ctx.timerService().registerEventTimeTimer(state.housekeepingAt);
    }
    blockState.update(state);
  }
}
