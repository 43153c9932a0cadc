package io.streetsense.detectors;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Event-time settings shared by all detectors.
 *
 * <pre>{@code
 * DetectorConfig config = DetectorConfig.defaults().withSensorHeartbeat(Duration.ofMinutes(5));
 * }</pre>
 *
 * @param maxOutOfOrderness how far behind the newest event another event may arrive and still be
 *     used; events older than the watermark are late: counted and sent to the late-event output.
 * @param sourceIdleness a Kafka partition silent this long (processing time) stops holding back the
 *     watermark, so idle cameras do not stall busy ones.
 * @param cameraOfflineAfter a camera silent this long (event time) is offline: it cannot show a
 *     zone clear. docs/interfaces.md: 60 s.
 * @param updateEvery an open violation still seen emits an UPDATED event at most this often.
 * @param sensorHeartbeat the berth sensors' heartbeat period (docs/interfaces.md: 10 min by
 *     default). The block maps have no key for it; a sensor silent for {@link
 *     #SENSOR_MISSED_HEARTBEATS} periods is offline.
 */
public record DetectorConfig(
    Duration maxOutOfOrderness,
    Duration sourceIdleness,
    Duration cameraOfflineAfter,
    Duration updateEvery,
    Duration sensorHeartbeat)
    implements Serializable {

  /** A sensor silent for this many heartbeat periods is offline (docs/interfaces.md). */
  public static final int SENSOR_MISSED_HEARTBEATS = 3;

  public DetectorConfig {
    requirePositive(maxOutOfOrderness, "maxOutOfOrderness");
    requirePositive(sourceIdleness, "sourceIdleness");
    requirePositive(cameraOfflineAfter, "cameraOfflineAfter");
    requirePositive(updateEvery, "updateEvery");
    requirePositive(sensorHeartbeat, "sensorHeartbeat");
  }

  /** The settings of the first release, with the default 10 min sensor heartbeat. */
  public DetectorConfig(
      Duration maxOutOfOrderness,
      Duration sourceIdleness,
      Duration cameraOfflineAfter,
      Duration updateEvery) {
    this(
        maxOutOfOrderness, sourceIdleness, cameraOfflineAfter, updateEvery, Duration.ofMinutes(10));
  }

  public static DetectorConfig defaults() {
    return new DetectorConfig(
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60),
        Duration.ofMinutes(1),
        Duration.ofMinutes(10));
  }

  public DetectorConfig withSensorHeartbeat(Duration heartbeat) {
    return new DetectorConfig(
        maxOutOfOrderness, sourceIdleness, cameraOfflineAfter, updateEvery, heartbeat);
  }

  public DetectorConfig withCameraOfflineAfter(Duration offlineAfter) {
    return new DetectorConfig(
        maxOutOfOrderness, sourceIdleness, offlineAfter, updateEvery, sensorHeartbeat);
  }

  public DetectorConfig withUpdateEvery(Duration every) {
    return new DetectorConfig(
        maxOutOfOrderness, sourceIdleness, cameraOfflineAfter, every, sensorHeartbeat);
  }

  /** A berth sensor silent this long (event time) is offline: 3 heartbeat periods. */
  public Duration sensorOfflineAfter() {
    return sensorHeartbeat.multipliedBy(SENSOR_MISSED_HEARTBEATS);
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
