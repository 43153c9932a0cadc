package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class WriteRateLimiterTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T03:00:00Z"));

  @Test
  void aFullBucket_allowsTheBurst_thenSaysHowLongToWait() {
    WriteRateLimiter limiter = new WriteRateLimiter(new WriteRateLimiter.Limit(6, 3), clock);
    for (int i = 0; i < 3; i++) {
      assertEquals(0, limiter.acquire("team:a"), "call " + i);
    }
    // 6 a minute = one every 10 s.
    assertEquals(10, limiter.acquire("team:a"));
    clock.advance(Duration.ofSeconds(4));
    assertEquals(6, limiter.acquire("team:a"));
    clock.advance(Duration.ofSeconds(6));
    assertEquals(0, limiter.acquire("team:a"));
    assertEquals(10, limiter.acquire("team:a"));
  }

  @Test
  void refillsNoHigherThanTheBurst() {
    WriteRateLimiter limiter = new WriteRateLimiter(new WriteRateLimiter.Limit(60, 2), clock);
    clock.advance(Duration.ofDays(3));
    assertEquals(0, limiter.acquire("team:a"));
    assertEquals(0, limiter.acquire("team:a"));
    assertEquals(1, limiter.acquire("team:a"));
    clock.advance(Duration.ofDays(3650));
    assertEquals(0, limiter.acquire("team:a"));
    assertEquals(0, limiter.acquire("team:a"));
    assertEquals(1, limiter.acquire("team:a"));
  }

  @Test
  void eachKeyHasItsOwnBucket() {
    WriteRateLimiter limiter = new WriteRateLimiter(new WriteRateLimiter.Limit(60, 1), clock);
    assertEquals(0, limiter.acquire("team:a"));
    assertEquals(1, limiter.acquire("team:a"));
    assertEquals(0, limiter.acquire("team:b"));
    assertEquals(0, limiter.acquire("ops:duty"));
  }

  @Test
  void aClockGoingBack_doesNotRefill() {
    WriteRateLimiter limiter = new WriteRateLimiter(new WriteRateLimiter.Limit(60, 1), clock);
    assertEquals(0, limiter.acquire("team:a"));
    clock.advance(Duration.ofHours(-1));
    assertEquals(1, limiter.acquire("team:a"));
    clock.advance(Duration.ofHours(1));
    assertEquals(1, limiter.acquire("team:a"));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(0, limiter.acquire("team:a"));
  }

  @Test
  void manyCallsAtTheSustainedRate_neverDrift() {
    WriteRateLimiter limiter = new WriteRateLimiter(new WriteRateLimiter.Limit(7, 1), clock);
    for (int i = 0; i < 10_000; i++) {
      assertEquals(0, limiter.acquire("team:a"), "call " + i);
      assertEquals(9, limiter.acquire("team:a"), "call " + i); // 60 / 7 = 8.57 s, rounded up
      clock.advance(Duration.ofMillis(8572)); // just over 60 / 7 s
    }
  }

  @Test
  void off_neverLimits() {
    WriteRateLimiter limiter = new WriteRateLimiter(WriteRateLimiter.Limit.off(), clock);
    for (int i = 0; i < 1000; i++) {
      assertEquals(0, limiter.acquire("team:a"));
    }
  }

  @Test
  void badLimits_areRefusedWithTheValue() {
    IllegalArgumentException negative =
        assertThrows(IllegalArgumentException.class, () -> new WriteRateLimiter.Limit(-1, 5));
    assertEquals(
        "write rate limit must be >= 0 calls a minute (0 = off), was -1", negative.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new WriteRateLimiter.Limit(10, 0));
  }
}
