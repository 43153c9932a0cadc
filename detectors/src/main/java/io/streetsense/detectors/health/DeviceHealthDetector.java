package io.streetsense.detectors.health;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.eventtime.EventTimeBuffer;
import java.util.Comparator;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Device health, keyed by {@link DeviceSignal#deviceKey()}: a camera silent for {@link
 * DetectorConfig#cameraOfflineAfter()} or a sensor silent for {@link
 * DetectorConfig#sensorOfflineAfter()} (event time; a gap longer than the limit) goes offline, and
 * its next message brings it back online. Both are {@link DeviceHealthChange} events.
 *
 * <p>Silence is found by event-time timers at {@code lastSeen + limit}, so it is only noticed when
 * the watermark passes that instant (see the detectors' README on idleness: a job whose every
 * device is silent does not advance the watermark, and the offline events come, with their correct
 * event times, once traffic resumes). Signals wait in an {@link EventTimeBuffer} until the
 * watermark passes them: whether a gap was longer than the limit then depends on the event times
 * only, never on arrival order.
 *
 * <p>State: a device that is online holds its last-seen time, battery and one pending check timer;
 * an offline device holds nothing. A device has no health until it is first heard from, so each
 * device reports {@code online} once when the job starts. Late signals are counted only: the
 * detector that uses the message (presence, occupancy) sends it to the dead letters.
 */
public final class DeviceHealthDetector
    extends KeyedProcessFunction<String, DeviceSignal, DeviceHealthChange> {
  private static final long serialVersionUID = 1L;

  // Same device, same millisecond: keep the battery reading of the last one in a fixed order.
  private static final Comparator<DeviceSignal> SAME_TIME_ORDER =
      Comparator.comparing(
          (DeviceSignal s) -> s.batteryV, Comparator.nullsFirst(Comparator.naturalOrder()));

  private final BlockMaps blockMaps;
  private final long cameraOfflineMillis;
  private final long sensorOfflineMillis;

  private transient EventTimeBuffer<DeviceSignal> buffer;
  private transient ValueState<DeviceState> device;
  private transient Counter lateSignals;
  private transient Counter unknownDevices;

  public DeviceHealthDetector(BlockMaps blockMaps, DetectorConfig config) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
    Objects.requireNonNull(config, "config");
    this.cameraOfflineMillis = config.cameraOfflineAfter().toMillis();
    this.sensorOfflineMillis = config.sensorOfflineAfter().toMillis();
  }

  /** What an online device holds. */
  public static final class DeviceState {
    public long lastSeenAt;
    public Double batteryV;

    /** The pending silence check timer. */
    public long checkAt;

    public DeviceState() {}
  }

  @Override
  public void open(OpenContext openContext) {
    buffer =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "pending-signals",
            TypeInformation.of(DeviceSignal.class),
            SAME_TIME_ORDER);
    device =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("device", TypeInformation.of(DeviceState.class)));
    lateSignals = getRuntimeContext().getMetricGroup().counter("lateSignals");
    unknownDevices = getRuntimeContext().getMetricGroup().counter("unknownDevices");
  }

  @Override
  public void processElement(DeviceSignal signal, Context ctx, Collector<DeviceHealthChange> out)
      throws Exception {
    boolean known =
        signal.kind == DeviceKind.CAMERA
            ? blockMaps.camera(signal.blockId, signal.deviceId).isPresent()
            : blockMaps.sensor(signal.blockId, signal.deviceId).isPresent();
    if (!known) {
      unknownDevices.inc(); // dead-lettered by the detector that uses the message
      return;
    }
    if (signal.eventTime <= ctx.timerService().currentWatermark()) {
      lateSignals.inc();
      return;
    }
    buffer.add(signal.eventTime, signal, ctx.timerService());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<DeviceHealthChange> out)
      throws Exception {
    DeviceState stored = device.value();
    DeviceState state = stored;
    DeviceSignal latest = null;
    for (DeviceSignal signal : buffer.take(timestamp)) {
      if (state == null) {
        state = new DeviceState();
        state.checkAt = Long.MIN_VALUE;
      }
      state.lastSeenAt = timestamp;
      if (signal.batteryV != null) {
        state.batteryV = signal.batteryV;
      }
      latest = signal;
    }
    if (state == null) {
      return; // a check timer left from before the device went offline
    }
    String[] key = ctx.getCurrentKey().split("/", 3); // blockId/kind/deviceId; ids hold no '/'
    DeviceKind kind = kindOf(key[1]);
    long limit = kind == DeviceKind.CAMERA ? cameraOfflineMillis : sensorOfflineMillis;
    if (latest != null) {
      if (stored == null) {
        out.collect(change(latest, true, timestamp, state));
      }
      if (state.checkAt == Long.MIN_VALUE) {
        state.checkAt = timestamp + limit;
        ctx.timerService().registerEventTimeTimer(state.checkAt);
      }
    }
    if (timestamp == state.checkAt) {
      if (timestamp - state.lastSeenAt >= limit) {
        out.collect(
            new DeviceHealthChange(
                key[0], key[2], kind, false, timestamp, state.lastSeenAt, state.batteryV));
        device.clear(); // an offline device holds nothing
        return;
      }
      // Heard from since the check was set: one timer per device, moved forward lazily instead of
      // re-registered on every message.
      state.checkAt = state.lastSeenAt + limit;
      ctx.timerService().registerEventTimeTimer(state.checkAt);
    }
    device.update(state);
  }

  private static DeviceKind kindOf(String tag) {
    return DeviceKind.CAMERA.tag().equals(tag) ? DeviceKind.CAMERA : DeviceKind.PARKING;
  }

  private static DeviceHealthChange change(
      DeviceSignal signal, boolean online, long eventTime, DeviceState state) {
    return new DeviceHealthChange(
        signal.blockId,
        signal.deviceId,
        signal.kind,
        online,
        eventTime,
        state.lastSeenAt,
        state.batteryV);
  }
}
