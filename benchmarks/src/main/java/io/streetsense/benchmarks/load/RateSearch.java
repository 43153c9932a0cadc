package io.streetsense.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The search for the highest sustainable rate: grow the rate by {@code factor} while it is
 * sustained, then bisect between the highest sustained and the lowest failed rate until they are
 * within {@code precision} of each other (or the step budget is spent). Rates are rounded to {@code
 * granularity}.
 */
final class RateSearch {
  /** One tried rate. */
  record Trial(double rate, boolean sustainable) {}

  private final double factor;
  private final double precision;
  private final double max;
  private final double granularity;
  private final int maxSteps;
  private final List<Trial> trials = new ArrayList<>();
  private double next;
  private double best;
  private double failed = Double.POSITIVE_INFINITY;

  RateSearch(
      double start, double factor, double precision, double max, double granularity, int maxSteps) {
    if (!(start > 0 && factor > 1 && precision > 0 && max >= start && granularity > 0)) {
      throw new IllegalArgumentException("bad search settings");
    }
    this.factor = factor;
    this.precision = precision;
    this.max = max;
    this.granularity = granularity;
    this.maxSteps = maxSteps;
    this.next = round(start);
  }

  /** The next rate to try, or empty when the search is over. */
  OptionalDouble next() {
    if (trials.size() >= maxSteps || next <= 0) {
      return OptionalDouble.empty();
    }
    if (best > 0 && failed < Double.POSITIVE_INFINITY && failed <= best * (1 + precision)) {
      return OptionalDouble.empty();
    }
    if (best >= max) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(next);
  }

  void record(double rate, boolean sustainable) {
    record(rate, sustainable, Double.NaN);
  }

  /**
   * @param observed the rate the system actually got through during the step (the job's fetch
   *     rate): when a step fails before any has been sustained, the next try starts just below it
   *     rather than a factor down, saving the steps between
   */
  void record(double rate, boolean sustainable, double observed) {
    trials.add(new Trial(rate, sustainable));
    if (sustainable) {
      best = Math.max(best, rate);
    } else {
      failed = Math.min(failed, rate);
    }
    double candidate;
    if (failed == Double.POSITIVE_INFINITY) {
      candidate = Math.min(max, rate * factor);
    } else if (best == 0) {
      candidate = rate / factor;
      if (observed > 0 && observed * 0.95 < candidate) {
        candidate = observed * 0.95;
      }
    } else {
      candidate = (best + failed) / 2;
    }
    candidate = round(candidate);
    if (candidate <= best || candidate >= failed) {
      // Nothing left between them at this granularity.
      next = 0;
    } else {
      next = candidate;
    }
  }

  /** The highest sustained rate, 0 if none. */
  double best() {
    return best;
  }

  /** The lowest failed rate, infinite if none. */
  double lowestFailed() {
    return failed;
  }

  List<Trial> trials() {
    return List.copyOf(trials);
  }

  private double round(double rate) {
    return Math.max(granularity, Math.round(rate / granularity) * granularity);
  }
}
