package io.streetsense.benchmarks.accuracy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@link AccuracyMatcher} made of a run: matched pairs, false positives (opened, nothing
 * there) and misses (there, never opened).
 *
 * <p>Precision is matched / opened, recall is matched / expected; each is 1 when its denominator is
 * 0 (nothing opened: nothing wrongly opened; nothing expected: nothing missed).
 *
 * @param expectedCount how many violations were expected
 * @param tolerance the matcher's tolerance after a violation's end
 */
public record AccuracyResult(
    List<Match> matches,
    List<Detection> falsePositives,
    List<Expected> misses,
    int expectedCount,
    Duration tolerance) {

  /** A detection and the expected violation it was matched to. */
  public record Match(Expected expected, Detection detection) {
    /** From the start of the violating situation to the opening. */
    public Duration latency() {
      return Duration.between(expected.from(), detection.openedAt());
    }
  }

  /** Precision and recall of one violation type. */
  public record Score(int expected, int opened, int matched) {
    public double precision() {
      return opened == 0 ? 1.0 : (double) matched / opened;
    }

    public double recall() {
      return expected == 0 ? 1.0 : (double) matched / expected;
    }
  }

  public AccuracyResult {
    matches = List.copyOf(matches);
    falsePositives = List.copyOf(falsePositives);
    misses = List.copyOf(misses);
    Objects.requireNonNull(tolerance, "tolerance");
    if (matches.size() + misses.size() != expectedCount) {
      throw new IllegalArgumentException(
          matches.size() + " matches and " + misses.size() + " misses for " + expectedCount);
    }
  }

  public int opened() {
    return matches.size() + falsePositives.size();
  }

  public double precision() {
    return total().precision();
  }

  public double recall() {
    return total().recall();
  }

  public Score total() {
    return new Score(expectedCount, opened(), matches.size());
  }

  /** Scores per violation type, by type name; every type expected or opened appears. */
  public Map<String, Score> byType() {
    TreeSet<String> types = new TreeSet<>();
    matches.forEach(m -> types.add(m.expected().type()));
    falsePositives.forEach(d -> types.add(d.type()));
    misses.forEach(e -> types.add(e.type()));
    Map<String, Score> out = new TreeMap<>();
    for (String type : types) {
      int matched = (int) matches.stream().filter(m -> m.expected().type().equals(type)).count();
      int fp = (int) falsePositives.stream().filter(d -> d.type().equals(type)).count();
      int missed = (int) misses.stream().filter(e -> e.type().equals(type)).count();
      out.put(type, new Score(matched + missed, matched + fp, matched));
    }
    return out;
  }

  /** Opening latencies of the matches, shortest first. */
  public List<Duration> latencies() {
    List<Duration> out = new ArrayList<>();
    matches.forEach(m -> out.add(m.latency()));
    out.sort(Duration::compareTo);
    return out;
  }

  /** Opening latencies of the matches of one violation type, shortest first. */
  public List<Duration> latencies(String type) {
    List<Duration> out = new ArrayList<>();
    matches.stream()
        .filter(m -> m.expected().type().equals(type))
        .forEach(m -> out.add(m.latency()));
    out.sort(Duration::compareTo);
    return out;
  }

  /**
   * The {@code p}-th percentile (0..100) of {@code sorted}, nearest rank; {@code null} when empty.
   */
  public static Duration percentile(List<Duration> sorted, double p) {
    if (sorted.isEmpty()) {
      return null;
    }
    if (!(p >= 0 && p <= 100)) {
      throw new IllegalArgumentException("p must be within 0..100, got " + p);
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
