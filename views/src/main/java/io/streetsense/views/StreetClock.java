package io.streetsense.views;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The street's clock: "now" for the console and for the views' judgements (device health, standing
 * violations, the day of the KPIs, the request time of a command). It is the newest event time the
 * devices have sent (camera frames and parking messages, as {@link DeviceHealth} reads them) when
 * the street runs behind the wall clock — a replay, the demo playing a street that ends now, feeds
 * delayed on their way — and the wall clock when the street is current.
 *
 * <p>How. Each time a device message carries an event time newer than any before, the clock notes
 * how far that time is behind the wall clock at that moment (the <i>lag</i>; never negative: a
 * device clock ahead of the wall clock counts as current). Between messages it runs with the wall
 * clock at that lag: {@code street = wall - lag}, or the wall clock itself while the lag is within
 * {@code currentWithin} (the transit of a live message). So when every device falls silent the
 * street's time keeps running, and the devices go offline after their limit as they would live: an
 * outage of the whole network shows as such and never as "all clear". The clock never goes back: a
 * newer message with a larger lag (feeds that fell behind) holds it until it catches up.
 *
 * <p>Before any device has been heard it is the wall clock; the first device heard sets it (back,
 * for a street replayed behind the wall clock).
 */
public final class StreetClock extends Clock {
  /** A message this close to the wall clock is live. */
  public static final Duration DEFAULT_CURRENT_WITHIN = Duration.ofSeconds(10);

  /**
   * What the clock reads now.
   *
   * @param street the street's time
   * @param wall the wall clock's
   * @param newest the newest device event time heard (null: none yet)
   * @param heardAt wall time at which the newest was heard (null: none yet)
   */
  public record Reading(Instant street, Instant wall, Instant newest, Instant heardAt) {
    /** How far the street's time is behind the wall clock (zero when current). */
    public Duration behind() {
      return Duration.between(street, wall);
    }

    /** How long no device has sent anything newer, in wall time; null if none was ever heard. */
    public Duration silentFor() {
      return heardAt == null ? null : Duration.between(heardAt, wall);
    }
  }

  private final Clock wall;
  private final long currentWithinMillis;
  private long newest = Long.MIN_VALUE; // epoch ms of the newest event time; MIN: none yet
  private long heardAt; // wall ms when newest was heard
  private long lag; // ms the street ran behind the wall clock at the newest message
  private long last = Long.MIN_VALUE; // the last street time read: it never goes back

  public StreetClock(Clock wall) {
    this(wall, DEFAULT_CURRENT_WITHIN);
  }

  public StreetClock(Clock wall, Duration currentWithin) {
    this.wall = Objects.requireNonNull(wall, "wall");
    this.currentWithinMillis = currentWithin.toMillis();
  }

  /** A device's message with this event time has been read. */
  public synchronized void observe(Instant eventTime) {
    if (eventTime == null) {
      return;
    }
    long now = wall.millis();
    long at = Math.min(eventTime.toEpochMilli(), now);
    if (at <= newest) {
      return;
    }
    newest = at;
    heardAt = now;
    lag = now - at;
  }

  /** The street's time, the wall clock's and what the street was last heard at. */
  public synchronized Reading reading() {
    long now = wall.millis();
    if (newest == Long.MIN_VALUE) {
      // No device yet: the wall clock, which the first device heard may then set back.
      return new Reading(Instant.ofEpochMilli(now), Instant.ofEpochMilli(now), null, null);
    }
    long street = lag > currentWithinMillis ? now - lag : now;
    street = Math.min(now, Math.max(street, last));
    last = street;
    return new Reading(
        Instant.ofEpochMilli(street),
        Instant.ofEpochMilli(now),
        Instant.ofEpochMilli(newest),
        Instant.ofEpochMilli(heardAt));
  }

  @Override
  public Instant instant() {
    return reading().street();
  }

  @Override
  public long millis() {
    return instant().toEpochMilli();
  }

  @Override
  public ZoneId getZone() {
    return wall.getZone();
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("the street's clock has the wall clock's zone");
  }
}
