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
 */
public record WorkOrderConfig(
    Duration verifyGrace,
    Duration closedRetention,
    int recentActions,
    Duration repeatWindow,
    Duration metricsInterval,
    Duration actionsOutOfOrderness,
    Duration actionsIdleness)
    implements Serializable {

  public WorkOrderConfig {
    requirePositive(verifyGrace, "verifyGrace");
    requirePositive(closedRetention, "closedRetention");
    requirePositive(repeatWindow, "repeatWindow");
    requirePositive(metricsInterval, "metricsInterval");
    requirePositive(actionsOutOfOrderness, "actionsOutOfOrderness");
    requirePositive(actionsIdleness, "actionsIdleness");
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
        Duration.ofSeconds(30));
  }

  private static void requirePositive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
  }
}
