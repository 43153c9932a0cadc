package io.streetsense.detectors.parking;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.eventtime.EventTimeBuffer;
import io.streetsense.schemas.ParkingSensorEvent;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Berth occupancy per parking zone, keyed by {@code blockId/zoneId}, from the berth sensors' change
 * and heartbeat messages.
 *
 * <p>Sensor messages wait until the watermark passes them and are applied in event-time order, so
 * out-of-order delivery gives the same occupancy. A repeated (sensor, seq) — the bridge passes the
 * duplicates that MQTT redelivery makes — is counted once. A heartbeat states the berth's current
 * state, so it also corrects a berth whose last change was lost.
 */
public final class ParkingOccupancy
    extends KeyedProcessFunction<String, ParkingSensorEvent, OccupancyUpdate> {
  private static final long serialVersionUID = 1L;

  private static final Comparator<ParkingSensorEvent> SAME_TIME_ORDER =
      Comparator.comparing(ParkingSensorEvent::getSensorId)
          .thenComparingLong(ParkingSensorEvent::getSeq);

  private final BlockMaps blockMaps;
  private transient Map<String, Integer> capacities;
  private transient EventTimeBuffer<ParkingSensorEvent> buffer;
  private transient MapState<String, BerthState> berths;
  private transient ValueState<Integer> lastReported;
  private transient Counter duplicates;
  private transient Counter late;

  public ParkingOccupancy(BlockMaps blockMaps) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
  }

  /** The last applied message of one berth sensor. */
  public static final class BerthState {
    public boolean occupied;
    public long seq;
    public long eventTime;

    public BerthState() {}
  }

  @Override
  public void open(OpenContext openContext) {
    capacities = new HashMap<>();
    for (BlockMap block : blockMaps.all()) {
      for (Zone zone : block.zonesOfKind(ZoneKind.PARKING)) {
        capacities.put(block.id() + "/" + zone.id(), zone.capacity().orElse(0));
      }
    }
    buffer =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "pending-sensor-messages",
            TypeInformation.of(ParkingSensorEvent.class),
            SAME_TIME_ORDER);
    berths =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "berths", Types.STRING, TypeInformation.of(BerthState.class)));
    lastReported =
        getRuntimeContext().getState(new ValueStateDescriptor<>("last-reported", Types.INT));
    duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
    late = getRuntimeContext().getMetricGroup().counter("late");
  }

  @Override
  public void processElement(ParkingSensorEvent event, Context ctx, Collector<OccupancyUpdate> out)
      throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    if (!capacities.containsKey(ctx.getCurrentKey())) {
      ctx.output(LateEvents.TAG, LateEvents.unknownDevice(event));
      return;
    }
    long eventTime = event.getEventTime().toEpochMilli();
    if (eventTime <= watermark) {
      late.inc();
      ctx.output(LateEvents.TAG, LateEvents.parkingEvent(event, "parking-occupancy", watermark));
      return;
    }
    buffer.add(eventTime, event, ctx.timerService());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<OccupancyUpdate> out)
      throws Exception {
    for (ParkingSensorEvent event : buffer.take(timestamp)) {
      BerthState berth = berths.get(event.getSensorId());
      if (berth != null && berth.seq == event.getSeq()) {
        duplicates.inc();
        continue;
      }
      if (berth == null) {
        berth = new BerthState();
      }
      berth.occupied = event.getOccupied();
      berth.seq = event.getSeq();
      berth.eventTime = timestamp;
      berths.put(event.getSensorId(), berth);
    }
    int occupied = 0;
    int reporting = 0;
    for (BerthState berth : berths.values()) {
      reporting++;
      if (berth.occupied) {
        occupied++;
      }
    }
    Integer previous = lastReported.value();
    if (previous == null || previous != occupied) {
      lastReported.update(occupied);
      String[] key = ctx.getCurrentKey().split("/", 2);
      out.collect(
          new OccupancyUpdate(
              key[0], key[1], timestamp, occupied, capacities.get(ctx.getCurrentKey()), reporting));
    }
  }
}
