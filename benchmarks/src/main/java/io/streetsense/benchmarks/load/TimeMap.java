package io.streetsense.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The load generator's schedule: which wall-clock time each event time of the simulated city is due
 * at. The generator plays the city's messages in event-time order and publishes each at its
 * <em>intended</em> time (open loop); the measurement turns a record's event time back into the
 * intended publish time of the message that carried it, so latencies count from when the message
 * should have gone out, not from when a late generator managed to send it (coordinated omission).
 *
 * <p>A list of segments, each starting at an event time, ordered and contiguous:
 *
 * <ul>
 *   <li>{@link Kind#RATE}: event time runs {@code speed} times as fast as the wall clock from
 *       {@code wallStartMs}; the message with event time {@code e} is due at {@code wallStartMs +
 *       (e - eventStartMs) / speed}.
 *   <li>{@link Kind#HOLD}: nothing from {@code eventStartMs} on is due (the generator is paused;
 *       event time stands still, so the devices show no gap).
 *   <li>{@link Kind#BACKLOG}: everything up to the next segment is due at once (a backlog published
 *       as fast as the broker takes it); such messages have no intended time.
 * </ul>
 *
 * <p>Immutable; {@link #with} returns a longer map. Wall times are epoch milliseconds with a
 * fraction, on the machine's clock (the generator, Kafka and the measurement share it).
 */
final class TimeMap {
  /** What a segment does. */
  enum Kind {
    RATE,
    HOLD,
    BACKLOG
  }

  /**
   * @param eventStartMs first event time (epoch ms) of the segment
   * @param wallStartMs wall time (epoch ms) at which the segment began
   * @param speed event milliseconds per wall millisecond (RATE only; 0 otherwise)
   */
  record Segment(Kind kind, long eventStartMs, double wallStartMs, double speed) {
    Segment {
      Objects.requireNonNull(kind, "kind");
      if (kind == Kind.RATE && !(speed > 0 && Double.isFinite(speed))) {
        throw new IllegalArgumentException("a RATE segment needs a positive speed, got " + speed);
      }
    }
  }

  /** {@link #intendedMs} of an event that is not due yet: the generator waits. */
  static final double WAIT = Double.POSITIVE_INFINITY;

  /** {@link #intendedMs} of an event in a backlog: due now, no intended time. */
  static final double NOW = Double.NEGATIVE_INFINITY;

  private final List<Segment> segments;

  private TimeMap(List<Segment> segments) {
    this.segments = List.copyOf(segments);
  }

  /** A map that holds at {@code eventStartMs}: nothing due until the first {@link #with}. */
  static TimeMap holdingAt(long eventStartMs, double wallMs) {
    return new TimeMap(List.of(new Segment(Kind.HOLD, eventStartMs, wallMs, 0)));
  }

  static TimeMap of(List<Segment> segments) {
    if (segments.isEmpty()) {
      throw new IllegalArgumentException("a time map needs at least one segment");
    }
    for (int i = 1; i < segments.size(); i++) {
      if (segments.get(i).eventStartMs() < segments.get(i - 1).eventStartMs()) {
        throw new IllegalArgumentException("segments out of event-time order at " + i);
      }
    }
    return new TimeMap(segments);
  }

  List<Segment> segments() {
    return segments;
  }

  Segment last() {
    return segments.get(segments.size() - 1);
  }

  /**
   * The event time reached at wall time {@code wallMs}: what is due up to then. For a RATE segment
   * it advances with the wall clock; HOLD stays at its start; a BACKLOG segment is due entirely, so
   * its end (the next segment's start) is reached at once.
   */
  long eventAt(double wallMs) {
    Segment s = last();
    if (s.kind() == Kind.RATE) {
      return s.eventStartMs()
          + (long) Math.floor(Math.max(0, wallMs - s.wallStartMs()) * s.speed());
    }
    return s.eventStartMs();
  }

  /**
   * This map with a new last segment starting at {@link #eventAt}({@code wallMs}) (a RATE segment
   * of {@code speed}, or a HOLD), replacing a HOLD that nothing was sent under.
   */
  TimeMap with(Kind kind, double wallMs, double speed) {
    if (kind == Kind.BACKLOG) {
      throw new IllegalArgumentException("use withBacklog");
    }
    long at = eventAt(wallMs);
    List<Segment> out = new ArrayList<>(segments);
    if (last().kind() == Kind.HOLD && last().eventStartMs() == at) {
      out.remove(out.size() - 1);
    }
    out.add(new Segment(kind, at, wallMs, kind == Kind.RATE ? speed : 0));
    return new TimeMap(out);
  }

  /**
   * This map with everything from the current event time to {@code spanMs} beyond it due at once (a
   * backlog), then holding. Must be holding now.
   */
  TimeMap withBacklog(double wallMs, long spanMs) {
    if (last().kind() != Kind.HOLD) {
      throw new IllegalStateException("a backlog starts from a hold; now " + last().kind());
    }
    if (spanMs <= 0) {
      throw new IllegalArgumentException("backlog span must be positive, got " + spanMs);
    }
    long at = last().eventStartMs();
    List<Segment> out = new ArrayList<>(segments);
    out.remove(out.size() - 1);
    out.add(new Segment(Kind.BACKLOG, at, wallMs, 0));
    out.add(new Segment(Kind.HOLD, at + spanMs, wallMs, 0));
    return new TimeMap(out);
  }

  /**
   * When the message with event time {@code eventMs} is due: an epoch-ms wall time, {@link #NOW}
   * (in a backlog) or {@link #WAIT} (beyond a hold). Events before the first segment are due at its
   * start.
   */
  double intendedMs(long eventMs) {
    Segment s = segmentOf(eventMs);
    return switch (s.kind()) {
      case RATE -> s.wallStartMs() + Math.max(0, eventMs - s.eventStartMs()) / s.speed();
      case HOLD -> WAIT;
      case BACKLOG -> NOW;
    };
  }

  /**
   * The intended publish time of the message with event time {@code eventMs} as the measurement
   * sees it: the wall time for a RATE segment, {@code NaN} otherwise (backlog or never sent).
   */
  double measuredIntendedMs(long eventMs) {
    double t = intendedMs(eventMs);
    return Double.isInfinite(t) ? Double.NaN : t;
  }

  private Segment segmentOf(long eventMs) {
    // Few segments (one per step): a linear scan from the end is fastest for the usual case.
    for (int i = segments.size() - 1; i > 0; i--) {
      if (eventMs >= segments.get(i).eventStartMs()) {
        return segments.get(i);
      }
    }
    return segments.get(0);
  }
}
