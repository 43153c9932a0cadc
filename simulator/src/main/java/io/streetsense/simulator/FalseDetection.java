package io.streetsense.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * The cameras' analytics reporting something that is not there, for a few frames: a person detected
 * as a {@code cart}, a shadow as a {@code vehicle}. Seen by every camera with a view of the zone,
 * at one ground point, in frames from {@code from} to {@code to} (at most {@link #MAX_LENGTH}),
 * through the camera's noise. Unlike {@link Lingering} its class may be one the zone's rule counts;
 * it adds nothing to the ground truth.
 *
 * @param zoneId the zone
 * @param cls the (wrong) detector class reported
 */
public record FalseDetection(String zoneId, String cls, Duration from, Duration to)
    implements ScriptedEvent {
  /** Longest false detection: a few frames, far below any rule's dwell. */
  public static final Duration MAX_LENGTH = Duration.ofSeconds(30);

  public FalseDetection {
    ScriptedEvent.checkSpan(zoneId, from, to);
    Objects.requireNonNull(cls, "cls");
    if (to.minus(from).compareTo(MAX_LENGTH) > 0) {
      throw new IllegalArgumentException(
          "a false detection lasts at most " + MAX_LENGTH + ", got " + to.minus(from));
    }
  }
}
