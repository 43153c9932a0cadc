package io.streetsense.benchmarks.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManyDaysTest {
  @Test
  void wilsonIntervalMatchesPublishedValues() {
    // 95 %: 0 of 10 -> [0, 0.2775]; 10 of 10 -> [0.7225, 1]; 81 of 263 -> [0.2553, 0.3662].
    double[] none = ManyDays.wilson(0, 10);
    assertEquals(0.0, none[0], 1e-4);
    assertEquals(0.2775, none[1], 1e-4);
    double[] all = ManyDays.wilson(10, 10);
    assertEquals(0.7225, all[0], 1e-4);
    assertEquals(1.0, all[1], 1e-9);
    double[] some = ManyDays.wilson(81, 263);
    assertEquals(0.2553, some[0], 1e-4);
    assertEquals(0.3662, some[1], 1e-4);
  }

  @Test
  void minAndMedian() {
    assertEquals(0.5, ManyDays.min(List.of(1.0, 0.5, 0.9)));
    assertEquals(0.9, ManyDays.median(List.of(1.0, 0.5, 0.9)));
    assertEquals(0.95, ManyDays.median(List.of(1.0, 0.5, 0.9, 1.0)), 1e-12);
    assertEquals(Double.NaN, ManyDays.median(List.of()));
  }
}
