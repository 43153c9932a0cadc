package io.streetsense.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TimeMapTest {
  private static final long E0 = 1_700_000_000_000L;

  @Test
  void nothingIsDueWhileHolding() {
    TimeMap m = TimeMap.holdingAt(E0, 5_000);
    assertEquals(TimeMap.WAIT, m.intendedMs(E0));
    assertEquals(TimeMap.WAIT, m.intendedMs(E0 + 60_000));
    assertTrue(Double.isNaN(m.measuredIntendedMs(E0)));
  }

  @Test
  void aRateMapsEventTimeLinearlyFromWhereItStarts() {
    // Held at E0 until wall 10 000, then 20x: event time runs 20 ms per wall ms.
    TimeMap m = TimeMap.holdingAt(E0, 0).with(TimeMap.Kind.RATE, 10_000, 20);
    assertEquals(1, m.segments().size(), "the hold nothing was sent under is replaced");
    assertEquals(10_000, m.intendedMs(E0), 1e-9);
    assertEquals(10_050, m.intendedMs(E0 + 1_000), 1e-9);
    assertEquals(E0 + 2_000, m.eventAt(10_100));
  }

  @Test
  void aNewRateStartsAtTheEventTimeReachedAndOldEventsKeepTheirTimes() {
    TimeMap m =
        TimeMap.holdingAt(E0, 0)
            .with(TimeMap.Kind.RATE, 0, 10) // 10x from wall 0
            .with(TimeMap.Kind.RATE, 1_000, 20); // at wall 1000, event E0+10 000, then 20x
    assertEquals(2, m.segments().size());
    assertEquals(E0 + 10_000, m.segments().get(1).eventStartMs());
    assertEquals(500, m.intendedMs(E0 + 5_000), 1e-9);
    assertEquals(1_000, m.intendedMs(E0 + 10_000), 1e-9);
    assertEquals(1_500, m.intendedMs(E0 + 20_000), 1e-9);
  }

  @Test
  void holdStopsEventTimeAndTheNextRateContinuesFromThere() {
    TimeMap m =
        TimeMap.holdingAt(E0, 0)
            .with(TimeMap.Kind.RATE, 0, 10)
            .with(TimeMap.Kind.HOLD, 1_000, 0) // event E0+10 000
            .with(TimeMap.Kind.RATE, 61_000, 10); // a minute later, from the same event time
    assertEquals(TimeMap.Kind.RATE, m.last().kind());
    assertEquals(E0 + 10_000, m.last().eventStartMs());
    assertEquals(61_000, m.intendedMs(E0 + 10_000), 1e-9);
    assertEquals(61_100, m.intendedMs(E0 + 11_000), 1e-9);
    // Events before the hold keep the first rate's times.
    assertEquals(999.9, m.intendedMs(E0 + 9_999), 1e-9);
  }

  @Test
  void aBacklogIsDueAtOnceAndHasNoIntendedTime() {
    TimeMap m =
        TimeMap.holdingAt(E0, 0)
            .with(TimeMap.Kind.RATE, 0, 10)
            .with(TimeMap.Kind.HOLD, 1_000, 0)
            .withBacklog(2_000, 30_000);
    assertEquals(TimeMap.NOW, m.intendedMs(E0 + 10_000));
    assertEquals(TimeMap.NOW, m.intendedMs(E0 + 39_999));
    assertEquals(TimeMap.WAIT, m.intendedMs(E0 + 40_000));
    assertTrue(Double.isNaN(m.measuredIntendedMs(E0 + 20_000)));
    assertEquals(E0 + 40_000, m.eventAt(5_000));
    TimeMap resumed = m.with(TimeMap.Kind.RATE, 100_000, 10);
    assertEquals(100_000, resumed.intendedMs(E0 + 40_000), 1e-9);
  }

  @Test
  void aBacklogNeedsAHold() {
    TimeMap m = TimeMap.holdingAt(E0, 0).with(TimeMap.Kind.RATE, 0, 10);
    assertThrows(IllegalStateException.class, () -> m.withBacklog(10, 1000));
  }

  @Test
  void theMeasurementRebuildsTheGeneratorsMapFromItsSegments() {
    TimeMap generator =
        TimeMap.holdingAt(E0, 0)
            .with(TimeMap.Kind.RATE, 0, 10)
            .with(TimeMap.Kind.RATE, 2_000, 30)
            .with(TimeMap.Kind.HOLD, 3_000, 0);
    TimeMap rebuilt = TimeMap.of(List.copyOf(generator.segments()));
    for (long e = E0; e < E0 + 50_000; e += 777) {
      assertEquals(generator.intendedMs(e), rebuilt.intendedMs(e), 1e-9);
    }
  }
}
