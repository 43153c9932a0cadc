package io.streetsense.benchmarks.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTest {
  private static CaseResult ceiling(String kind, String mode, double rate, double publishRate) {
    return result(kind, mode, CaseResult.CEILING, 5000, rate, publishRate, null);
  }

  private static CaseResult bridge(
      String kind, String mode, int window, double rate, double publishRate, double p99) {
    return result(
        kind,
        mode,
        CaseResult.BRIDGE,
        window,
        rate,
        publishRate,
        new CaseResult.Latency("test", 10, p99 / 2, p99, p99 * 2));
  }

  private static CaseResult result(
      String kind,
      String mode,
      String consumer,
      int window,
      double rate,
      double publishRate,
      CaseResult.Latency latency) {
    return new CaseResult(
        1,
        0,
        kind,
        mode,
        consumer,
        window,
        1000,
        1000 / rate,
        rate,
        1000 / publishRate,
        publishRate,
        latency,
        0,
        0,
        1000,
        200,
        "0 0 0",
        null,
        null);
  }

  @Test
  void ratio_isBridgeOverCeilingOfTheSameKindAndMode() {
    Summary s =
        Summary.of(
            List.of(
                ceiling("camera", "live", 20_000, 40_000),
                bridge("camera", "live", 1000, 18_000, 40_000, 50),
                ceiling("camera", "drain", 30_000, 50_000),
                bridge("camera", "drain", 1000, 24_000, 50_000, 900)),
            0.9);
    assertEquals(2, s.rows().size());
    Summary.Row live = s.rows().get(0);
    assertEquals("live", live.mode());
    assertEquals(0.9, live.ratio(), 1e-9);
    assertTrue(live.meetsTarget());
    Summary.Row drain = s.rows().get(1);
    assertEquals(0.8, drain.ratio(), 1e-9);
    assertFalse(drain.meetsTarget());
    assertEquals(900.0, drain.p99Ms());
    assertEquals(Map.of("drain", false, "live", true), s.targetMetByModeAtBestWindow());
  }

  @Test
  void bestWindow_isTheOneWhoseWorstRatioIsHighest() {
    List<CaseResult> cases = new ArrayList<>();
    cases.add(ceiling("parking", "live", 10_000, 30_000));
    cases.add(ceiling("parking", "drain", 10_000, 30_000));
    // window 100: great live, bad drain; window 1000: good in both; window 5000: as good (tie).
    cases.add(bridge("parking", "live", 100, 9_900, 30_000, 5));
    cases.add(bridge("parking", "drain", 100, 6_000, 30_000, 5));
    cases.add(bridge("parking", "live", 1000, 9_300, 30_000, 5));
    cases.add(bridge("parking", "drain", 1000, 9_200, 30_000, 5));
    cases.add(bridge("parking", "live", 5000, 9_200, 30_000, 5));
    cases.add(bridge("parking", "drain", 5000, 9_400, 30_000, 5));
    Summary s = Summary.of(cases, 0.9);
    assertEquals(1000, s.bestWindow());
    assertEquals(0.6, s.worstRatioByWindow().get(100), 1e-9);
    assertEquals(Map.of("drain", true, "live", true), s.targetMetByModeAtBestWindow());
  }

  @Test
  void repeats_areSummarisedByTheirMedian() {
    Summary s =
        Summary.of(
            List.of(
                ceiling("camera", "drain", 30_000, 50_000),
                ceiling("camera", "drain", 10_000, 50_000),
                ceiling("camera", "drain", 20_000, 50_000),
                bridge("camera", "drain", 1000, 15_000, 50_000, 100),
                bridge("camera", "drain", 1000, 19_000, 50_000, 300)),
            0.9);
    Summary.Row row = s.rows().get(0);
    assertEquals(20_000, row.ceilingMsgsPerSec(), 1e-9);
    assertEquals(17_000, row.bridgeMsgsPerSec(), 1e-9);
    assertEquals(2, row.samples());
    assertEquals(200.0, row.p99Ms(), 1e-9);
  }

  @Test
  void liveRateAtThePublishRate_isFlaggedPublisherBound() {
    Summary s =
        Summary.of(
            List.of(
                ceiling("camera", "live", 19_500, 20_000),
                bridge("camera", "live", 1000, 15_000, 20_000, 10)),
            0.9);
    Summary.Row row = s.rows().get(0);
    assertTrue(row.ceilingPublisherBound());
    assertFalse(row.bridgePublisherBound());
    assertTrue(s.table().contains("ceiling publisher-bound"));
  }

  @Test
  void failedCasesAndBridgesWithoutCeiling_areLeftOut() {
    CaseResult failed =
        new CaseResult(
            1,
            0,
            "camera",
            "live",
            CaseResult.CEILING,
            5000,
            1000,
            0,
            0,
            0,
            0,
            null,
            0,
            0,
            0,
            200,
            "",
            null,
            "boom");
    Summary s = Summary.of(List.of(failed, bridge("camera", "live", 1000, 1, 1, 1)), 0.9);
    assertTrue(s.rows().isEmpty());
    assertNull(s.bestWindow());
  }
}
