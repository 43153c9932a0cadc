package io.streetsense.views;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per caller for the write calls (accept, resolve, reject, note; the operations
 * centre's reroute, cancel, note and escalate): each caller may make {@code burst} calls at once
 * and then {@code perMinute} calls a minute on average. Keyed by the authenticated principal, i.e.
 * by bearer token, so one team's client in a retry loop cannot flood the actions topic nor slow
 * another team down; reads are not limited.
 *
 * <p>Buckets exist only for principals that authenticated, so their number is bounded by the tokens
 * file. Time comes from the injected {@link Clock} (a clock that goes back is treated as standing
 * still).
 *
 * <pre>{@code
 * WriteRateLimiter limiter = new WriteRateLimiter(new WriteRateLimiter.Limit(60, 20), clock);
 * long waitSeconds = limiter.acquire("team:xh-tianping-chengguan");   // 0 = go ahead
 * }</pre>
 */
public final class WriteRateLimiter {
  /**
   * At most {@code burst} calls at once, refilled at {@code perMinute} a minute; {@code perMinute}
   * 0 turns the limit off.
   */
  public record Limit(int perMinute, int burst) {
    public Limit {
      if (perMinute < 0) {
        throw new IllegalArgumentException(
            "write rate limit must be >= 0 calls a minute (0 = off), was " + perMinute);
      }
      if (perMinute > 0 && burst < 1) {
        throw new IllegalArgumentException("write burst must be >= 1, was " + burst);
      }
    }

    /** 60 write calls a minute per token, bursts of 20. */
    public static Limit defaults() {
      return new Limit(60, 20);
    }

    public static Limit off() {
      return new Limit(0, 0);
    }

    public boolean enabled() {
      return perMinute > 0;
    }

    @Override
    public String toString() {
      return enabled() ? perMinute + "/min, burst " + burst : "off";
    }
  }

  /** One permit is {@value #UNIT} units; a bucket gains {@code perMinute} units a millisecond. */
  private static final long UNIT = 60_000;

  private static final class Bucket {
    long units;
    long lastMillis;

    Bucket(long units, long now) {
      this.units = units;
      this.lastMillis = now;
    }
  }

  private final Limit limit;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public WriteRateLimiter(Limit limit, Clock clock) {
    this.limit = Objects.requireNonNull(limit, "limit");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public Limit limit() {
    return limit;
  }

  /**
   * Takes one call from {@code key}'s bucket.
   *
   * @return 0 if the call may go ahead, else the whole seconds to wait until the next one may
   */
  public long acquire(String key) {
    if (!limit.enabled()) {
      return 0;
    }
    long now = clock.millis();
    long capacity = limit.burst() * UNIT;
    Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(capacity, now));
    synchronized (bucket) {
      // Whole-number arithmetic: no rounding drift however many calls a bucket sees.
      // Past `capacity` ms any bucket is full (perMinute >= 1): capping avoids overflow.
      long elapsed = Math.min(capacity, Math.max(0, now - bucket.lastMillis));
      bucket.units = Math.min(capacity, bucket.units + elapsed * limit.perMinute());
      bucket.lastMillis = Math.max(bucket.lastMillis, now);
      if (bucket.units >= UNIT) {
        bucket.units -= UNIT;
        return 0;
      }
      long waitMillis = ceilDiv(UNIT - bucket.units, limit.perMinute());
      return Math.max(1, ceilDiv(waitMillis, 1000));
    }
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
