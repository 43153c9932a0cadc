package io.streetsense.benchmarks.accuracy;

import io.streetsense.simulator.GroundTruth;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Scores opened violations against the ground truth, one to one.
 *
 * <p>A detection matches an expected violation when block, zone and type agree and the detection
 * was opened while the violation was there or within the tolerance after it ended: {@code from <=
 * openedAt <= to + tolerance} (the tolerance is the block's clear time: what the pipeline may still
 * be looking at when the situation has gone). Each expected violation is matched at most once and
 * each detection at most once; among several that could match, the assignment is a maximum one
 * (points against intervals: take detections in order of opening, give each the open interval that
 * closes first). What is left are false positives and misses.
 *
 * <pre>{@code
 * AccuracyMatcher matcher = new AccuracyMatcher(Duration.ofMinutes(5));
 * List<Expected> expected = AccuracyMatcher.expected(truth.violations(), Duration.ofMinutes(5));
 * AccuracyResult result = matcher.match(expected, detections);
 * result.precision(); result.recall(); result.byType();
 * }</pre>
 */
public final class AccuracyMatcher {
  private final Duration tolerance;

  /**
   * A matcher accepting openings up to {@code tolerance} after the violation ended; not negative.
   */
  public AccuracyMatcher(Duration tolerance) {
    Objects.requireNonNull(tolerance, "tolerance");
    if (tolerance.isNegative()) {
      throw new IllegalArgumentException("tolerance must not be negative, got " + tolerance);
    }
    this.tolerance = tolerance;
  }

  public Duration tolerance() {
    return tolerance;
  }

  /**
   * The violations the pipeline must open: the detectable ground-truth entries, with those of one
   * block, zone and type merged when they overlap or follow each other within {@code mergeGap} (the
   * pipeline keeps one violation per zone and type open until the zone has been clear for the clear
   * time, so such entries are one violation to it). Ordered by {@code from}.
   */
  public static List<Expected> expected(List<GroundTruth.Violation> truth, Duration mergeGap) {
    Objects.requireNonNull(truth, "truth");
    Objects.requireNonNull(mergeGap, "mergeGap");
    Map<String, List<Expected>> byKey = new LinkedHashMap<>();
    truth.stream()
        .filter(GroundTruth.Violation::expected)
        .map(Expected::of)
        .sorted(Comparator.comparing(Expected::from))
        .forEach(e -> byKey.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e));
    List<Expected> out = new ArrayList<>();
    for (List<Expected> list : byKey.values()) {
      Expected current = null;
      for (Expected e : list) {
        if (current != null && !e.from().isAfter(current.to().plus(mergeGap))) {
          Instant to = e.to().isAfter(current.to()) ? e.to() : current.to();
          current =
              new Expected(
                  current.block(),
                  current.zone(),
                  current.type(),
                  current.shop(),
                  current.from(),
                  to,
                  current.merged() + e.merged());
        } else {
          if (current != null) {
            out.add(current);
          }
          current = e;
        }
      }
      if (current != null) {
        out.add(current);
      }
    }
    out.sort(
        Comparator.comparing(Expected::from)
            .thenComparing(Expected::block)
            .thenComparing(Expected::zone)
            .thenComparing(Expected::type));
    return out;
  }

  /** Matches {@code detections} against {@code expected} one to one. */
  public AccuracyResult match(List<Expected> expected, List<Detection> detections) {
    Objects.requireNonNull(expected, "expected");
    Objects.requireNonNull(detections, "detections");
    Map<String, List<Expected>> open = new LinkedHashMap<>();
    for (Expected e : expected) {
      open.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(e);
    }
    List<Detection> ordered = new ArrayList<>(detections);
    ordered.sort(
        Comparator.comparing(Detection::openedAt)
            .thenComparing(Detection::block)
            .thenComparing(Detection::zone)
            .thenComparing(Detection::type));
    List<AccuracyResult.Match> matches = new ArrayList<>();
    List<Detection> falsePositives = new ArrayList<>();
    for (Detection d : ordered) {
      List<Expected> candidates = open.getOrDefault(key(d), List.of());
      Expected best = null;
      for (Expected e : candidates) {
        if (covers(e, d.openedAt())
            && (best == null
                || e.to().isBefore(best.to())
                || (e.to().equals(best.to()) && e.from().isBefore(best.from())))) {
          best = e;
        }
      }
      if (best == null) {
        falsePositives.add(d);
      } else {
        candidates.remove(best);
        matches.add(new AccuracyResult.Match(best, d));
      }
    }
    List<Expected> unmatched = new ArrayList<>();
    for (List<Expected> left : open.values()) {
      unmatched.addAll(left);
    }
    unmatched.sort(Comparator.comparing(Expected::from));
    return new AccuracyResult(matches, falsePositives, unmatched, expected.size(), tolerance);
  }

  /**
   * {@code result} without the false positives that match a ground-truth entry excluded from
   * scoring ({@link GroundTruth.Violation#excluded()}): an opening there is neither right nor
   * wrong. The dropped detections are the second element.
   */
  public Map.Entry<AccuracyResult, List<Detection>> withoutExcluded(
      AccuracyResult result, List<GroundTruth.Violation> truth) {
    List<Expected> excluded =
        truth.stream().filter(v -> v.excluded() != null).map(Expected::of).toList();
    List<Detection> kept = new ArrayList<>();
    List<Detection> ignored = new ArrayList<>();
    for (Detection d : result.falsePositives()) {
      boolean dontCare =
          excluded.stream().anyMatch(e -> e.key().equals(key(d)) && covers(e, d.openedAt()));
      (dontCare ? ignored : kept).add(d);
    }
    return Map.entry(
        new AccuracyResult(
            result.matches(), kept, result.misses(), result.expectedCount(), tolerance),
        ignored);
  }

  private boolean covers(Expected e, Instant t) {
    return !t.isBefore(e.from()) && !t.isAfter(e.to().plus(tolerance));
  }

  private static String key(Detection d) {
    return d.block() + "/" + d.zone() + "/" + d.type();
  }
}
