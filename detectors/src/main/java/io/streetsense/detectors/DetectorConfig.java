package io.streetsense.detectors;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Event-time settings shared by all detectors.
 *
 * @param maxOutOfOrderness how far behind the newest event another event may arrive and still be
 *     used; events older than the watermark are late: counted and sent to the late-event output.
 * @param sourceIdleness a Kafka partition silent this long (processing time) stops holding back the
 *     watermark, so idle cameras do not stall busy ones.
 * @param cameraOfflineAfter a camera silent this long (event time) is offline: it cannot show a
 *     zone clear.
 * @param updateEvery an open violation still seen emits an UPDATED event at most this often.
 */
public record DetectorConfig(
    Duration maxOutOfOrderness,
    Duration sourceIdleness,
    Duration cameraOfflineAfter,
    Duration updateEvery)
    implements Serializable {

  public DetectorConfig {
    requirePositive(maxOutOfOrderness, "maxOutOfOrderness");
    requirePositive(sourceIdleness, "sourceIdleness");
    requirePositive(cameraOfflineAfter, "cameraOfflineAfter");
    requirePositive(updateEvery, "updateEvery");
  }

  public static DetectorConfig defaults() {
    return new DetectorConfig(
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60),
        Duration.ofMinutes(1));
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
