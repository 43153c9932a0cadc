package io.streetsense.sinks.workorders;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the work-order loop that the block maps do not carry.
 *
 * @param verifyGrace how long past {@code clear_for} a resolved order waits for the detectors'
 *     verdict before it says that no camera is watching its zone; covers the camera's frame rate
 *     and the detectors' update period ({@code updateEvery})
 * @param closedRetention how long (event time) an order key remembers its last final order and the
 *     action ids applied to it, so a late retry is ignored and a late action is refused as {@code
 *     ORDER_CLOSED} instead of {@code UNKNOWN_ORDER}; then its state is gone
 * @param recentActions how many applied action ids an order key keeps for idempotency
 * @param repeatWindow the window of the per-shop repeat-offence count (30 days)
 * @param metricsInterval the event-time interval at whose end {@code workorders} and {@code
 *     closure} points are written (when something changed)
 * @param actionsOutOfOrderness how far behind the newest action's {@code requestedAt} another
 *     action may be without being behind the actions' watermark
 * @param actionsIdleness an actions topic silent this long (processing time) stops holding back the
 *     job's watermark
 * @param streetStallLimit how long (processing time) a team action may wait for the street's event
 *     time to reach it while that event time stands still (every camera and sensor of the job
 *     silent); then the loop applies the waiting actions ahead of the street and says so in the
 *     history. Must be longer than {@code actionsIdleness}: until the actions topic counts as idle,
 *     it is the actions' own watermark that holds event time back.
 */
public record WorkOrderConfig(
    Duration verifyGrace,
    Duration closedRetention,
    int recentActions,
    Duration repeatWindow,
    Duration metricsInterval,
    Duration actionsOutOfOrderness,
    Duration actionsIdleness,
    Duration streetStallLimit)
    implements Serializable {

  public WorkOrderConfig {
    requirePositive(verifyGrace, "verifyGrace");
    requirePositive(closedRetention, "closedRetention");
    requirePositive(repeatWindow, "repeatWindow");
    requirePositive(metricsInterval, "metricsInterval");
    requirePositive(actionsOutOfOrderness, "actionsOutOfOrderness");
    requirePositive(actionsIdleness, "actionsIdleness");
    requirePositive(streetStallLimit, "streetStallLimit");
    if (streetStallLimit.compareTo(actionsIdleness) <= 0) {
      throw new IllegalArgumentException(
          "streetStallLimit ("
              + streetStallLimit
              + ") must be longer than actionsIdleness ("
              + actionsIdleness
              + ")");
    }
    if (recentActions < 1) {
      throw new IllegalArgumentException("recentActions must be at least 1, got " + recentActions);
    }
  }

  public static WorkOrderConfig defaults() {
    return new WorkOrderConfig(
        Duration.ofMinutes(2),
        Duration.ofHours(24),
        32,
        Duration.ofDays(30),
        Duration.ofMinutes(1),
        Duration.ofSeconds(5),
        // Short: an action waits for the street's event time, and while the actions topic counts
        // as active its own watermark (the newest request - 5 s) holds that back too.
        Duration.ofSeconds(1),
        Duration.ofMinutes(2));
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
