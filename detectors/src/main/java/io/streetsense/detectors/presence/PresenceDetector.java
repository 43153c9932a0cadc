package io.streetsense.detectors.presence;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Zone;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.eventtime.EventTimeBuffer;
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
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Illegal stalls and out-of-doorway trading: one detector per camera-watched zone, keyed by {@code
 * blockId/zoneId}, so every camera that sees the zone feeds the same decision and two cameras on
 * one stall make one violation.
 *
 * <p>Observations wait in an {@link EventTimeBuffer} until the watermark passes them and are then
 * applied in event-time order by a {@link PresenceTracker}: the same input gives the same
 * violations whatever the arrival order. Observations behind the watermark are late: counted and
 * sent to the late-event output with the frame they came from (see {@link
 * ZoneObservationExtractor}, which catches nearly all of them before the fan-out).
 *
 * <p>State goes back to nothing when the zone goes quiet.
 */
public final class PresenceDetector
    extends KeyedProcessFunction<String, ZoneObservation, ViolationEvent> {
  private static final long serialVersionUID = 1L;

  private static final Comparator<ZoneObservation> SAME_TIME_ORDER =
      Comparator.comparing((ZoneObservation o) -> o.cameraId).thenComparingLong(o -> o.frame);

  private final BlockMaps blockMaps;
  private final DetectorConfig config;

  private transient Map<String, PresenceTracker> trackers;
  private transient EventTimeBuffer<ZoneObservation> buffer;
  private transient ValueState<ZoneState> zoneState;
  private transient Counter lateObservations;

  public PresenceDetector(BlockMaps blockMaps, DetectorConfig config) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  public void open(OpenContext openContext) {
    trackers = new HashMap<>();
    for (BlockMap block : blockMaps.all()) {
      for (Zone zone : block.zones()) {
        PresenceRule.forZone(block, zone)
            .ifPresent(
                rule ->
                    trackers.put(
                        block.id() + "/" + zone.id(),
                        new PresenceTracker(
                            rule,
                            config.cameraOfflineAfter().toMillis(),
                            config.updateEvery().toMillis())));
      }
    }
    buffer =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "pending-observations",
            TypeInformation.of(ZoneObservation.class),
            SAME_TIME_ORDER);
    zoneState =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("zone", TypeInformation.of(ZoneState.class)));
    lateObservations = getRuntimeContext().getMetricGroup().counter("lateObservations");
  }

  @Override
  public void processElement(
      ZoneObservation observation, Context ctx, Collector<ViolationEvent> out) throws Exception {
    if (observation.eventTime <= ctx.timerService().currentWatermark()) {
      // Rare: the extractor already diverts frames behind its own watermark.
      lateObservations.inc();
      ctx.output(
          LateEvents.TAG,
          LateEvents.lateObservation(
              observation, "presence", ctx.timerService().currentWatermark()));
      return;
    }
    buffer.add(observation.eventTime, observation, ctx.timerService());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ViolationEvent> out)
      throws Exception {
    PresenceTracker tracker = trackers.get(ctx.getCurrentKey());
    ZoneState state = zoneState.value();
    if (state == null) {
      state = new ZoneState();
    }
    for (ZoneObservation observation : buffer.take(timestamp)) {
      for (ViolationEvent event : tracker.observe(state, observation)) {
        out.collect(event);
      }
    }
    if (PresenceTracker.isQuiet(state)) {
      zoneState.clear();
    } else {
      zoneState.update(state);
    }
  }
}
