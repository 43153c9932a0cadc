package io.streetsense.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Maps simulated time to wall-clock time: simulated time runs {@code speed} times faster than the
 * wall clock from an anchor pair (simulated start, wall start). {@code speed == 0} means as fast as
 * possible: every message is due at once.
 *
 * <pre>{@code
 * // Timestamps the bridge accepts (not in the future, not older than 24 h), 30 sim-minutes at 60x:
 * SimulatedClock clock = SimulatedClock.endingNow(Duration.ofMinutes(30), 60);
 * StreetScenario scenario = Scenarios.demo(block).startingAt(clock.simStart());
 * }</pre>
 */
public final class SimulatedClock {
  /** The bridge rejects timestamps older than this (docs/interfaces.md). */
  static final Duration MAX_AGE = Duration.ofHours(24);

  /** Kept free of the bridge's 24 h limit, for slow pipelines and clock skew. */
  static final Duration AGE_MARGIN = Duration.ofMinutes(10);

  private final Instant simStart;
  private final Instant wallStart;
  private final double speed;

  /**
   * @param simStart simulated time at {@code wallStart}
   * @param wallStart wall-clock time at which simulated time is {@code simStart}
   * @param speed simulated seconds per wall second; 0 = as fast as possible
   */
  public SimulatedClock(Instant simStart, Instant wallStart, double speed) {
    this.simStart = Objects.requireNonNull(simStart, "simStart");
    this.wallStart = Objects.requireNonNull(wallStart, "wallStart");
    if (!(speed >= 0 && Double.isFinite(speed))) {
      throw new IllegalArgumentException(
          "speed must be 0 (as fast as possible) or more, got " + speed);
    }
    this.speed = speed;
  }

  /** Simulated time starts at {@code simStart} now. */
  public static SimulatedClock startingAt(Instant simStart, double speed, Clock wall) {
    return new SimulatedClock(simStart, wall.instant(), speed);
  }

  /** {@link #endingNow(Duration, double, Clock)} on the system clock. */
  public static SimulatedClock endingNow(Duration duration, double speed) {
    return endingNow(duration, speed, Clock.systemUTC());
  }

  /**
   * A clock for a run of {@code duration} simulated time whose timestamps stay inside the bridge's
   * validity window (no more than 5 min in the future, no more than 24 h old, judged by the wall
   * clock at arrival).
   *
   * <p>The arithmetic. Let {@code w0} be the wall time now, {@code D} the duration and {@code s}
   * the speed. Simulated time starts at {@code w0 - D}, and at wall time {@code w} it is {@code
   * sim(w) = w0 - D + (w - w0) * s}. A message is released only once {@code sim(w)} has passed its
   * event time, so every released timestamp is at most {@code sim(w)}.
   *
   * <ul>
   *   <li>Never in the future: the run ends at {@code w_end = w0 + D / s}, where {@code sim = w0};
   *       in between {@code sim(w) - w = -D + (w - w0)(s - 1)}, which is at most {@code -D / s} for
   *       {@code s >= 1} and at most {@code -D} for {@code s < 1}: always behind the wall clock.
   *       With {@code s = 0} everything goes out at once with timestamps in {@code [w0 - D, w0]}.
   *   <li>Never too old: a message is sent (nearly) when due, so its age is {@code w - sim(w) = D -
   *       (w - w0)(s - 1)}: at most {@code D} for {@code s >= 1} or {@code s = 0} (the first
   *       messages), and up to {@code D / s} at the end for {@code 0 < s < 1}. That age must stay
   *       under 24 h (less a margin of 10 min), which is checked here.
   * </ul>
   *
   * @throws IllegalArgumentException when the oldest timestamp would be too old for the bridge
   */
  public static SimulatedClock endingNow(Duration duration, double speed, Clock wall) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("duration must be positive, got " + duration);
    }
    Duration maxAge =
        speed == 0 || speed >= 1 ? duration : Duration.ofNanos((long) (duration.toNanos() / speed));
    if (maxAge.compareTo(MAX_AGE.minus(AGE_MARGIN)) > 0) {
      throw new IllegalArgumentException(
          "a run ending now of "
              + duration
              + " at speed "
              + speed
              + " would send timestamps up to "
              + maxAge
              + " old; the bridge rejects anything older than "
              + MAX_AGE
              + ": shorten the duration or raise the speed");
    }
    // Milliseconds: the precision of the payloads' timestamps.
    Instant now = wall.instant().truncatedTo(ChronoUnit.MILLIS);
    return new SimulatedClock(now.minus(duration), now, speed);
  }

  /**
   * The same simulated start and speed, anchored at another wall time. {@link StreetSimulator}
   * anchors its clock when a run begins, so the time spent connecting does not turn into a burst of
   * overdue messages. Anchoring later only makes timestamps older relative to the wall clock: the
   * guarantees of {@link #endingNow} keep holding, the oldest timestamp growing by the delay.
   */
  public SimulatedClock anchoredAt(Instant newWallStart) {
    return new SimulatedClock(simStart, newWallStart, speed);
  }

  public Instant simStart() {
    return simStart;
  }

  public Instant wallStart() {
    return wallStart;
  }

  public double speed() {
    return speed;
  }

  public boolean asFastAsPossible() {
    return speed == 0;
  }

  /** The simulated time at wall time {@code wall}; {@link Instant#MAX} when as fast as possible. */
  public Instant simTimeAt(Instant wall) {
    if (asFastAsPossible()) {
      return Instant.MAX;
    }
    long elapsed = Duration.between(wallStart, wall).toNanos();
    return simStart.plusNanos((long) (elapsed * speed));
  }

  /** The wall time at which simulated time reaches {@code sim}: when a message becomes due. */
  public Instant wallTimeOf(Instant sim) {
    if (asFastAsPossible()) {
      return wallStart;
    }
    long simElapsed = Duration.between(simStart, sim).toNanos();
    return wallStart.plusNanos((long) Math.ceil(simElapsed / speed));
  }

  @Override
  public String toString() {
    return "SimulatedClock[sim "
        + simStart
        + " at wall "
        + wallStart
        + ", speed "
        + (asFastAsPossible() ? "as fast as possible" : speed + "x")
        + "]";
  }
}
