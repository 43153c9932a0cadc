package io.streetsense.views;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.Sensor;
import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which cameras and berth sensors of the block maps are heard from, for the console: a view of the
 * bridge's camera and parking topics (the job's own device-health points go to InfluxDB only, not
 * to Kafka).
 *
 * <p>A device is <b>online</b> while its latest message's event time is within its limit of the
 * street's now ({@link StreetClock}: the newest event time heard when the street runs behind the
 * wall clock — a replay, the demo — else the wall clock; every message read here also sets that
 * clock). Cameras send about a frame a second: {@code cameraOfflineAfter}, default 60 s as the
 * job's detectors; sensors heartbeat every 10 min: {@code sensorOfflineAfter}, default 30 min,
 * three missed heartbeats as the job). On start it reads each topic back by that limit (Kafka's
 * offsets for a time), so its first verdict is already right; a device not heard from in that
 * window is offline "since before" the window. A device that was never heard from is never taken
 * for online: the console draws its zones <i>unknown</i>, not clear.
 *
 * <p>Every second it re-evaluates, and calls {@code onChange} with a fresh {@link Snapshot} when a
 * device went offline or came back, or a battery crossed the low mark; and {@code onClock} with the
 * street clock's reading when the street's time moved against the wall clock (by half a second or
 * more since the last call: every second during a replay, rarely when the street is live), when the
 * first device is heard, and when the street as a whole falls silent for the camera offline limit
 * or is heard again.
 */
public final class DeviceHealth implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceHealth.class);

  /** One device's state. {@code lastSeen} null: not heard from since {@code since}. */
  public record Device(
      String block,
      String id,
      String kind,
      boolean online,
      Instant lastSeen,
      Instant offlineSince,
      Double batteryV,
      boolean lowBattery,
      List<String> zones) {}

  /** Every device of the block maps, with a version that grows on every change. */
  public record Snapshot(long version, Instant at, List<Device> devices) {}

  /** Limits. */
  public record Settings(
      Duration cameraOfflineAfter, Duration sensorOfflineAfter, double lowBatteryV) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(60), Duration.ofMinutes(30), 3.3);
    }
  }

  private final BlockMaps maps;
  private final Settings settings;

  /** A new clock reading is published when street minus wall moved by this much. */
  static final long CLOCK_PUBLISH_MILLIS = 500;

  private final StreetClock street;
  private final Consumer<Snapshot> onChange;
  private final Consumer<StreetClock.Reading> onClock;
  private final AvroCodec<CameraFrame> frames = AvroCodec.of(CameraFrame.class);
  private final AvroCodec<ParkingSensorEvent> readings = AvroCodec.of(ParkingSensorEvent.class);
  private final Map<String, Instant> lastSeen = new HashMap<>(); // block/device -> event time
  private final Map<String, Double> battery = new HashMap<>();
  private final Instant startedAt;
  private final String cameraTopic;
  private final String parkingTopic;
  private final RecentTopicReader reader; // null without Kafka (tests)
  private volatile Snapshot snapshot;
  private String lastShape = "";
  private Long publishedOffset; // street minus wall at the last onClock, ms; null: none yet
  private String publishedHearing = ""; // none / heard / silent at the last onClock

  /** Without Kafka: for {@link #seen} and {@link #publishIfChanged} in tests. */
  DeviceHealth(
      BlockMaps maps,
      Settings settings,
      StreetClock street,
      Consumer<Snapshot> onChange,
      Consumer<StreetClock.Reading> onClock) {
    this(maps, settings, street, onChange, onClock, null, null, health -> null);
  }

  private DeviceHealth(
      Properties kafka,
      String cameraTopic,
      String parkingTopic,
      BlockMaps maps,
      Settings settings,
      Clock wall,
      StreetClock street,
      Consumer<Snapshot> onChange,
      Consumer<StreetClock.Reading> onClock) {
    this(
        maps,
        settings,
        street,
        onChange,
        onClock,
        cameraTopic,
        parkingTopic,
        // Kafka's offsets for a time are the records' (wall-clock) timestamps: read back by the
        // wall.
        health ->
            new RecentTopicReader(
                "device-health view",
                kafka,
                "streetsense-views-devices",
                Map.of(
                    cameraTopic, settings.cameraOfflineAfter(),
                    parkingTopic, settings.sensorOfflineAfter()),
                false,
                wall,
                health::apply,
                health::publishIfChanged));
  }

  private DeviceHealth(
      BlockMaps maps,
      Settings settings,
      StreetClock street,
      Consumer<Snapshot> onChange,
      Consumer<StreetClock.Reading> onClock,
      String cameraTopic,
      String parkingTopic,
      java.util.function.Function<DeviceHealth, RecentTopicReader> reader) {
    this.maps = Objects.requireNonNull(maps, "maps");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.street = Objects.requireNonNull(street, "street");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.onClock = Objects.requireNonNull(onClock, "onClock");
    this.cameraTopic = cameraTopic;
    this.parkingTopic = parkingTopic;
    this.startedAt = street.instant();
    this.snapshot = evaluate(0);
    this.reader = reader.apply(this);
  }

  /** Judged on a street clock of its own over {@code clock}. */
  public static DeviceHealth start(
      Properties kafka,
      String cameraTopic,
      String parkingTopic,
      BlockMaps maps,
      Settings settings,
      Clock clock,
      Consumer<Snapshot> onChange) {
    return start(
        kafka,
        cameraTopic,
        parkingTopic,
        maps,
        settings,
        clock,
        new StreetClock(clock),
        onChange,
        r -> {});
  }

  /**
   * @param wall the wall clock (how far back to read the topics)
   * @param street the street's clock: every device message read sets it, and devices are judged by
   *     it
   */
  public static DeviceHealth start(
      Properties kafka,
      String cameraTopic,
      String parkingTopic,
      BlockMaps maps,
      Settings settings,
      Clock wall,
      StreetClock street,
      Consumer<Snapshot> onChange,
      Consumer<StreetClock.Reading> onClock) {
    DeviceHealth health =
        new DeviceHealth(
            kafka, cameraTopic, parkingTopic, maps, settings, wall, street, onChange, onClock);
    onChange.accept(health.snapshot);
    health.reader.start();
    return health;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  private void apply(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    try {
      if (r.topic().equals(cameraTopic)) {
        CameraFrame f = frames.decode(r.value());
        seen(f.getBlockId() + "/" + f.getCameraId(), f.getEventTime(), null);
      } else {
        ParkingSensorEvent e = readings.decode(r.value());
        seen(e.getBlockId() + "/" + e.getSensorId(), e.getEventTime(), e.getBatteryV());
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug(
          "device-health view skips an undecodable record of {}: {}", r.topic(), e.toString());
    }
  }

  /** A message of device {@code key} ("block/device") with this event time. */
  synchronized void seen(String key, Instant at, Double batteryV) {
    street.observe(at);
    Instant before = lastSeen.get(key);
    if (before == null || at.isAfter(before)) {
      lastSeen.put(key, at);
      if (batteryV != null) {
        battery.put(key, batteryV);
      }
    }
  }

  /**
   * Re-evaluates now; publishes when a device's online state or low battery changed, and the street
   * clock when it moved against the wall clock.
   */
  synchronized void publishIfChanged() {
    StreetClock.Reading reading = street.reading();
    long offset = reading.street().toEpochMilli() - reading.wall().toEpochMilli();
    String hearing =
        reading.newest() == null
            ? "none"
            : silent(reading, settings.cameraOfflineAfter()) ? "silent" : "heard";
    if (publishedOffset == null
        || Math.abs(offset - publishedOffset) >= CLOCK_PUBLISH_MILLIS
        || !hearing.equals(publishedHearing)) {
      publishedOffset = offset;
      publishedHearing = hearing;
      onClock.accept(reading);
    }
    Snapshot next = evaluate(snapshot.version() + 1);
    StringBuilder shape = new StringBuilder();
    for (Device d : next.devices()) {
      shape.append(d.online() ? '1' : '0').append(d.lowBattery() ? '1' : '0');
    }
    if (!shape.toString().equals(lastShape)) {
      lastShape = shape.toString();
      snapshot = next;
      onChange.accept(next);
    }
  }

  /**
   * No device has sent anything newer for {@code limit} (of wall time: the street's runs with it).
   */
  static boolean silent(StreetClock.Reading reading, Duration limit) {
    return reading.silentFor() != null && reading.silentFor().compareTo(limit) >= 0;
  }

  private synchronized Snapshot evaluate(long version) {
    Instant now = street.instant();
    List<Device> out = new ArrayList<>();
    for (BlockMap block : maps.all()) {
      for (Camera camera : block.cameras()) {
        List<String> zones = new ArrayList<>();
        camera.views().forEach(v -> zones.add(v.zone()));
        out.add(device(block.id(), camera.id(), "camera", zones, now));
      }
      for (Sensor sensor : block.sensors()) {
        out.add(device(block.id(), sensor.id(), "parking", List.of(sensor.zone()), now));
      }
    }
    return new Snapshot(version, now, List.copyOf(out));
  }

  private Device device(String block, String id, String kind, List<String> zones, Instant now) {
    String key = block + "/" + id;
    Duration limit =
        kind.equals("camera") ? settings.cameraOfflineAfter() : settings.sensorOfflineAfter();
    Instant seen = lastSeen.get(key);
    boolean online = seen != null && !seen.plus(limit).isBefore(now);
    // Never heard: offline since "before" the window it was read back for (in street time).
    Instant from = startedAt.isBefore(now) ? startedAt : now;
    Instant offlineSince = online ? null : seen != null ? seen : from.minus(limit);
    Double v = battery.get(key);
    return new Device(
        block,
        id,
        kind,
        online,
        seen,
        offlineSince,
        v,
        v != null && v < settings.lowBatteryV(),
        List.copyOf(zones));
  }

  @Override
  public void close() {
    if (reader != null) {
      reader.close();
    }
  }
}
