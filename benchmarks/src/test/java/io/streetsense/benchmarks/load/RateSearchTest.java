package io.streetsense.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class RateSearchTest {
  /** Runs a search against a system that sustains up to {@code capacity}. */
  private static RateSearch search(double capacity, double start, int steps) {
    RateSearch s = new RateSearch(start, 1.5, 0.1, 100_000, 100, steps);
    OptionalDouble next;
    while ((next = s.next()).isPresent()) {
      s.record(next.getAsDouble(), next.getAsDouble() <= capacity);
    }
    return s;
  }

  @Test
  void growsThenBisectsToWithinThePrecision() {
    RateSearch s = search(17_300, 10_000, 20);
    assertTrue(s.best() <= 17_300, "never claims more than it sustained");
    assertTrue(s.lowestFailed() > 17_300);
    assertTrue(s.lowestFailed() <= s.best() * 1.1 + 100, s.trials().toString());
    assertEquals(10_000, s.trials().get(0).rate());
    assertEquals(15_000, s.trials().get(1).rate());
    assertEquals(22_500, s.trials().get(2).rate());
  }

  @Test
  void shrinksWhenTheFirstRateFails() {
    RateSearch s = search(4_000, 10_000, 20);
    assertTrue(s.best() > 0 && s.best() <= 4_000, s.trials().toString());
    assertTrue(s.lowestFailed() <= s.best() * 1.1 + 100, s.trials().toString());
  }

  @Test
  void aFailedFirstStepJumpsToJustBelowWhatGotThrough() {
    RateSearch s = new RateSearch(10_000, 1.5, 0.1, 100_000, 100, 10);
    s.record(10_000, false, 2_000);
    assertEquals(1_900, s.next().getAsDouble());
    s.record(1_900, true, 1_900);
    assertEquals(6_000, s.next().getAsDouble(), "then bisects as usual");
  }

  @Test
  void stopsAtTheStepBudget() {
    RateSearch s = search(1e9, 10_000, 3);
    assertEquals(3, s.trials().size());
    assertEquals(Double.POSITIVE_INFINITY, s.lowestFailed());
  }

  @Test
  void trendIsTheLeastSquaresSlope() {
    assertEquals(2.0, Trend.slope(new double[] {0, 1, 2, 3}, new double[] {1, 3, 5, 7}), 1e-12);
    assertEquals(0.0, Trend.slope(new double[] {5}, new double[] {5}), 0);
  }
}
