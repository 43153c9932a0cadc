package io.streetsense.benchmarks.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streetsense.simulator.GroundTruth;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccuracyMatcherTest {
  private static final Instant T0 = Instant.parse("2026-11-28T02:00:00Z");
  private static final String STALL = "ILLEGAL_STALL";
  private static final String GOODS = "OUT_OF_DOORWAY_TRADING";

  private final AccuracyMatcher matcher = new AccuracyMatcher(Duration.ofMinutes(5));

  private static Instant min(double minutes) {
    return T0.plusMillis((long) (minutes * 60_000));
  }

  private static Expected expected(String zone, String type, double from, double to) {
    return new Expected("b", zone, type, null, min(from), min(to), 1);
  }

  private static Detection opened(String zone, String type, double at) {
    return new Detection(
        "b/" + zone + "/" + type + "/" + at, "b", zone, type, null, min(at - 3), min(at));
  }

  private static GroundTruth.Violation truth(
      String zone, String type, double from, double to, boolean detectable) {
    return new GroundTruth.Violation(
        "b", zone, null, type, min(from), min(to), List.of("C"), List.of("stall"), detectable);
  }

  @Test
  void everyViolationOpenedOnceIsPerfect() {
    AccuracyResult r =
        matcher.match(
            List.of(expected("Z1", STALL, 0, 10), expected("Z2", GOODS, 20, 40)),
            List.of(opened("Z1", STALL, 3), opened("Z2", GOODS, 25)));
    assertEquals(1.0, r.precision());
    assertEquals(1.0, r.recall());
    assertEquals(2, r.matches().size());
    assertEquals(List.of(), r.falsePositives());
    assertEquals(List.of(), r.misses());
  }

  @Test
  void anOpeningInAnotherZoneOrOfAnotherTypeIsAFalsePositiveAndTheViolationIsMissed() {
    AccuracyResult r =
        matcher.match(
            List.of(expected("Z1", STALL, 0, 10), expected("Z2", STALL, 0, 10)),
            List.of(opened("Z3", STALL, 3), opened("Z2", GOODS, 3)));
    assertEquals(0, r.matches().size());
    assertEquals(2, r.falsePositives().size());
    assertEquals(2, r.misses().size());
    assertEquals(0.0, r.precision());
    assertEquals(0.0, r.recall());
  }

  @Test
  void aViolationOpenedTwiceCountsOnceAndTheSecondOpeningIsAFalsePositive() {
    AccuracyResult r =
        matcher.match(
            List.of(expected("Z1", STALL, 0, 30)),
            List.of(opened("Z1", STALL, 3), opened("Z1", STALL, 20)));
    assertEquals(1, r.matches().size());
    assertEquals(min(3), r.matches().get(0).detection().openedAt());
    assertEquals(1, r.falsePositives().size());
    assertEquals(0.5, r.precision());
    assertEquals(1.0, r.recall());
  }

  @Test
  void oneOpeningCannotStandForTwoViolations() {
    AccuracyResult r =
        matcher.match(
            List.of(expected("Z1", STALL, 0, 10), expected("Z1", STALL, 2, 12)),
            List.of(opened("Z1", STALL, 5)));
    assertEquals(1, r.matches().size());
    assertEquals(1, r.misses().size());
    assertEquals(1.0, r.precision());
    assertEquals(0.5, r.recall());
  }

  @Test
  void anOpeningCountsFromTheStartUntilTheToleranceAfterTheEnd() {
    List<Expected> one = List.of(expected("Z1", STALL, 10, 20));
    assertEquals(1, matcher.match(one, List.of(opened("Z1", STALL, 10))).matches().size());
    assertEquals(1, matcher.match(one, List.of(opened("Z1", STALL, 25))).matches().size());
    AccuracyResult early = matcher.match(one, List.of(opened("Z1", STALL, 9.9)));
    assertEquals(1, early.falsePositives().size());
    assertEquals(1, early.misses().size());
    AccuracyResult late = matcher.match(one, List.of(opened("Z1", STALL, 25.1)));
    assertEquals(1, late.falsePositives().size());
    assertEquals(1, late.misses().size());
  }

  @Test
  void theAssignmentIsAMaximumOne() {
    // Taking the first-starting violation for the opening at 7 would leave the one at 20 unmatched.
    AccuracyMatcher exact = new AccuracyMatcher(Duration.ZERO);
    AccuracyResult r =
        exact.match(
            List.of(expected("Z1", STALL, 0, 30), expected("Z1", STALL, 5, 10)),
            List.of(opened("Z1", STALL, 20), opened("Z1", STALL, 7)));
    assertEquals(2, r.matches().size());
    assertEquals(List.of(), r.falsePositives());
    assertEquals(List.of(), r.misses());
  }

  @Test
  void scoresAreKeptPerTypeAndLatencyRunsFromTheStartToTheOpening() {
    AccuracyResult r =
        matcher.match(
            List.of(
                expected("Z1", STALL, 0, 10),
                expected("Z2", STALL, 0, 10),
                expected("Z3", GOODS, 0, 10)),
            List.of(opened("Z1", STALL, 3), opened("Z3", GOODS, 5), opened("Z4", GOODS, 5)));
    Map<String, AccuracyResult.Score> byType = r.byType();
    assertEquals(new AccuracyResult.Score(2, 1, 1), byType.get(STALL));
    assertEquals(new AccuracyResult.Score(1, 2, 1), byType.get(GOODS));
    assertEquals(1.0, byType.get(STALL).precision());
    assertEquals(0.5, byType.get(STALL).recall());
    assertEquals(0.5, byType.get(GOODS).precision());
    assertEquals(1.0, byType.get(GOODS).recall());
    assertEquals(2.0 / 3, r.precision(), 1e-12);
    assertEquals(2.0 / 3, r.recall(), 1e-12);
    assertEquals(List.of(Duration.ofMinutes(3), Duration.ofMinutes(5)), r.latencies());
  }

  @Test
  void nothingOpenedAndNothingExpectedIsPerfectBothWays() {
    AccuracyResult none = matcher.match(List.of(), List.of());
    assertEquals(1.0, none.precision());
    assertEquals(1.0, none.recall());
    AccuracyResult silent = matcher.match(List.of(expected("Z1", STALL, 0, 10)), List.of());
    assertEquals(1.0, silent.precision());
    assertEquals(0.0, silent.recall());
  }

  @Test
  void nearMissesAreNotExpectedAndCloseViolationsOfOneZoneMerge() {
    List<Expected> e =
        AccuracyMatcher.expected(
            List.of(
                truth("Z1", STALL, 0, 10, true),
                truth("Z1", STALL, 14, 30, true), // 4 min later: one violation to the pipeline
                truth("Z1", STALL, 40, 50, true), // 10 min later: a new one
                truth("Z1", GOODS, 12, 20, true), // another type: its own
                truth("Z2", STALL, 5, 6, false)), // a near-miss: must not open
            Duration.ofMinutes(5));
    assertEquals(
        List.of(
            new Expected("b", "Z1", STALL, null, min(0), min(30), 2),
            new Expected("b", "Z1", GOODS, null, min(12), min(20), 1),
            new Expected("b", "Z1", STALL, null, min(40), min(50), 1)),
        e);
  }

  @Test
  void percentilesAreNearestRank() {
    List<Duration> d =
        List.of(
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(3),
            Duration.ofSeconds(4));
    assertEquals(Duration.ofSeconds(2), AccuracyResult.percentile(d, 50));
    assertEquals(Duration.ofSeconds(4), AccuracyResult.percentile(d, 99));
    assertEquals(Duration.ofSeconds(1), AccuracyResult.percentile(d, 0));
    assertNull(AccuracyResult.percentile(List.of(), 50));
    assertThrows(IllegalArgumentException.class, () -> AccuracyResult.percentile(d, 101));
  }

  @Test
  void aNegativeToleranceIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new AccuracyMatcher(Duration.ofSeconds(-1)));
  }

  @Test
  void excludedTruthIsNeitherExpectedNorAFalsePositiveWhenOpened() {
    List<GroundTruth.Violation> truth =
        List.of(
            truth("Z1", STALL, 0, 10, true),
            truth("Z2", STALL, 20, 24, true).excludedFor("cameras out"));
    List<Expected> expected = AccuracyMatcher.expected(truth, java.time.Duration.ofMinutes(5));
    assertEquals(1, expected.size());
    AccuracyResult raw =
        matcher.match(expected, List.of(opened("Z1", STALL, 3), opened("Z2", STALL, 23)));
    assertEquals(1, raw.falsePositives().size());
    var scored = matcher.withoutExcluded(raw, truth);
    assertEquals(List.of(), scored.getKey().falsePositives());
    assertEquals(1, scored.getValue().size());
    assertEquals(1.0, scored.getKey().precision());
    assertEquals(1.0, scored.getKey().recall());
  }
}
