package io.streetsense.benchmarks.accuracy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Precision and recall per violation type over many generated days: pooled counts with a 95 %
 * Wilson score interval, and the spread of the per-day figures (days where the type had something
 * to score).
 */
public final class ManyDays {
  /** z for a two-sided 95 % interval. */
  static final double Z95 = 1.959964;

  /** Pooled counts of one type, and the per-day precision and recall values. */
  public static final class Tally {
    int expected;
    int opened;
    int matched;
    final List<Double> dayPrecision = new ArrayList<>();
    final List<Double> dayRecall = new ArrayList<>();

    public int expected() {
      return expected;
    }

    public int opened() {
      return opened;
    }

    public int matched() {
      return matched;
    }

    public double precision() {
      return opened == 0 ? 1.0 : (double) matched / opened;
    }

    public double recall() {
      return expected == 0 ? 1.0 : (double) matched / expected;
    }

    /** 95 % Wilson interval of the precision, {lo, hi}. */
    public double[] precisionInterval() {
      return wilson(matched, opened);
    }

    /** 95 % Wilson interval of the recall, {lo, hi}. */
    public double[] recallInterval() {
      return wilson(matched, expected);
    }

    /** Per-day precision over the days that opened something of this type. */
    public List<Double> dayPrecision() {
      return List.copyOf(dayPrecision);
    }

    /** Per-day recall over the days that expected something of this type. */
    public List<Double> dayRecall() {
      return List.copyOf(dayRecall);
    }
  }

  private final Map<String, Tally> byType = new TreeMap<>();

  /** Adds one day's result. */
  public void add(AccuracyResult day) {
    for (Map.Entry<String, AccuracyResult.Score> e : day.byType().entrySet()) {
      Tally t = byType.computeIfAbsent(e.getKey(), k -> new Tally());
      AccuracyResult.Score s = e.getValue();
      t.expected += s.expected();
      t.opened += s.opened();
      t.matched += s.matched();
      if (s.opened() > 0) {
        t.dayPrecision.add(s.precision());
      }
      if (s.expected() > 0) {
        t.dayRecall.add(s.recall());
      }
    }
  }

  /** Makes sure a type shows even when no day had it. */
  public void type(String type) {
    byType.computeIfAbsent(type, k -> new Tally());
  }

  public Map<String, Tally> byType() {
    return byType;
  }

  /**
   * The Wilson score interval for {@code successes} out of {@code n} at 95 %; {0, 1} when n = 0.
   */
  public static double[] wilson(int successes, int n) {
    if (n == 0) {
      return new double[] {0, 1};
    }
    double p = (double) successes / n;
    double z2 = Z95 * Z95;
    double denom = 1 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denom;
    double half = Z95 * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
    return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
  }

  /** The smallest value, or NaN when empty. */
  public static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  /** The median (mean of the middle two for an even count), or NaN when empty. */
  public static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
