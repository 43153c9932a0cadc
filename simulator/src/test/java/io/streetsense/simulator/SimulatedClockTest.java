package io.streetsense.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SimulatedClockTest {
  private static final Instant NOW = Instant.parse("2026-11-23T02:00:00Z");
  private static final Clock WALL = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void simulatedTimeRunsSpeedTimesFaster() {
    SimulatedClock clock = SimulatedClock.startingAt(Instant.EPOCH, 60, WALL);
    assertEquals(Instant.EPOCH.plusSeconds(60), clock.simTimeAt(NOW.plusSeconds(1)));
    assertEquals(NOW.plusSeconds(2), clock.wallTimeOf(Instant.EPOCH.plusSeconds(120)));
  }

  @Test
  void endingNowNeverRunsAheadOfTheWallClockAndEndsNow() {
    Duration d = Duration.ofMinutes(30);
    for (double speed : new double[] {0.5, 1, 10, 60, 1000}) {
      SimulatedClock clock = SimulatedClock.endingNow(d, speed, WALL);
      assertEquals(NOW.minus(d), clock.simStart());
      Instant wallEnd = clock.wallTimeOf(NOW);
      assertFalse(wallEnd.isBefore(NOW));
      for (int i = 0; i <= 100; i++) {
        Instant w = NOW.plusNanos(Duration.between(NOW, wallEnd).toNanos() / 100 * i);
        Instant sim = clock.simTimeAt(w);
        assertFalse(sim.isAfter(w), "speed " + speed + ": sim " + sim + " ahead of wall " + w);
        assertTrue(Duration.between(sim, w).compareTo(Duration.ofHours(24)) < 0);
      }
    }
  }

  @Test
  void asFastAsPossibleMakesEverythingDueAtOnce() {
    SimulatedClock clock = SimulatedClock.endingNow(Duration.ofHours(2), 0, WALL);
    assertTrue(clock.asFastAsPossible());
    assertEquals(NOW, clock.wallTimeOf(NOW.minusSeconds(5)));
  }

  @Test
  void endingNowRefusesTimestampsTheBridgeWouldFindTooOld() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SimulatedClock.endingNow(Duration.ofHours(24), 100, WALL));
    // 12 h at half speed: the last messages would be 24 h old.
    assertThrows(
        IllegalArgumentException.class,
        () -> SimulatedClock.endingNow(Duration.ofHours(12), 0.5, WALL));
    SimulatedClock.endingNow(Duration.ofHours(23), 100, WALL);
  }

  @Test
  void negativeSpeedIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new SimulatedClock(NOW, NOW, -1));
  }
}
