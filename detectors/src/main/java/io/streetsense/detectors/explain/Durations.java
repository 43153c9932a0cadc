package io.streetsense.detectors.explain;

import java.time.Duration;

/** Durations as the explanation prints them: "7 min 40 s", "12 s", "1 h 5 min". */
final class Durations {
  private Durations() {}

  static String of(long millis) {
    long seconds = Math.max(0, Math.round(millis / 1000.0));
    long h = seconds / 3600;
    long m = (seconds % 3600) / 60;
    long s = seconds % 60;
    if (h > 0) {
      return m == 0 ? h + " h" : h + " h " + m + " min";
    }
    if (m > 0) {
      return s == 0 ? m + " min" : m + " min " + s + " s";
    }
    return s + " s";
  }

  static String of(Duration duration) {
    return of(duration.toMillis());
  }

  static String percent(double share) {
    return Math.round(share * 100) + " %";
  }
}
