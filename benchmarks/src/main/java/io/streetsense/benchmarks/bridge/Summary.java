package io.streetsense.benchmarks.bridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The figures of a run side by side: per payload kind, mode and bridge window the median bridge
 * rate, the median ceiling rate and their ratio; which window is best; whether the target is met.
 * Pure: computed from {@link CaseResult}s only.
 *
 * @param target the bridge/ceiling ratio to meet
 * @param rows one per kind, mode and window
 * @param worstRatioByWindow per window, the lowest ratio over all kinds and modes
 * @param bestWindow the window whose worst ratio is highest (ties: the smaller window), or null
 * @param targetMetByModeAtBestWindow per mode, whether every kind reaches the target with the best
 *     window
 */
record Summary(
    double target,
    List<Row> rows,
    Map<Integer, Double> worstRatioByWindow,
    Integer bestWindow,
    Map<String, Boolean> targetMetByModeAtBestWindow) {

  /** Live rates within this share of the publish rate are limited by the publishers. */
  static final double PUBLISHER_BOUND = 0.95;

  /**
   * One kind, mode and window.
   *
   * @param ceilingPublisherBound the ceiling (live) ran at the publishers' speed: it could have
   *     gone faster, so the ratio overstates the bridge
   * @param bridgePublisherBound the same for the bridge
   */
  record Row(
      String kind,
      String mode,
      int window,
      int samples,
      double ceilingMsgsPerSec,
      double bridgeMsgsPerSec,
      double ratio,
      boolean meetsTarget,
      double publishMsgsPerSec,
      boolean ceilingPublisherBound,
      boolean bridgePublisherBound,
      Double p50Ms,
      Double p99Ms,
      Double maxMs) {}

  static Summary of(List<CaseResult> cases, double target) {
    Map<String, List<CaseResult>> ceilings = new LinkedHashMap<>();
    Map<String, Map<Integer, List<CaseResult>>> bridges = new LinkedHashMap<>();
    for (CaseResult c : cases) {
      if (!c.ok()) {
        continue;
      }
      String key = c.kind() + "/" + c.mode();
      if (c.isBridge()) {
        bridges
            .computeIfAbsent(key, k -> new TreeMap<>())
            .computeIfAbsent(c.window(), w -> new ArrayList<>())
            .add(c);
      } else {
        ceilings.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
      }
    }
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Map<Integer, List<CaseResult>>> e : bridges.entrySet()) {
      List<CaseResult> ceiling = ceilings.get(e.getKey());
      if (ceiling == null || ceiling.isEmpty()) {
        continue;
      }
      double ceilingRate = median(ceiling, CaseResult::msgsPerSec);
      double ceilingPublish = median(ceiling, CaseResult::publishMsgsPerSec);
      boolean live = ceiling.get(0).mode().equals(Mode.LIVE.label());
      for (Map.Entry<Integer, List<CaseResult>> w : e.getValue().entrySet()) {
        List<CaseResult> runs = w.getValue();
        double rate = median(runs, CaseResult::msgsPerSec);
        double publish = median(runs, CaseResult::publishMsgsPerSec);
        double ratio = ceilingRate > 0 ? rate / ceilingRate : 0;
        List<CaseResult> withLatency = runs.stream().filter(r -> r.latency() != null).toList();
        rows.add(
            new Row(
                runs.get(0).kind(),
                runs.get(0).mode(),
                w.getKey(),
                runs.size(),
                ceilingRate,
                rate,
                ratio,
                ratio >= target,
                publish,
                live && ceilingRate >= PUBLISHER_BOUND * ceilingPublish,
                live && rate >= PUBLISHER_BOUND * publish,
                withLatency.isEmpty() ? null : median(withLatency, r -> r.latency().p50Ms()),
                withLatency.isEmpty() ? null : median(withLatency, r -> r.latency().p99Ms()),
                withLatency.isEmpty() ? null : median(withLatency, r -> r.latency().maxMs())));
      }
    }
    rows.sort(
        Comparator.comparing(Row::kind)
            .thenComparing(Row::mode, Comparator.comparing(m -> m.equals("live") ? 0 : 1))
            .thenComparingInt(Row::window));
    Map<Integer, Double> worst = new TreeMap<>();
    for (Row r : rows) {
      worst.merge(r.window(), r.ratio(), Math::min);
    }
    Integer best = null;
    for (Map.Entry<Integer, Double> e : worst.entrySet()) {
      if (best == null || e.getValue() > worst.get(best)) {
        best = e.getKey();
      }
    }
    Map<String, Boolean> met = new TreeMap<>();
    for (Row r : rows) {
      if (Objects.equals(r.window(), best)) {
        met.merge(r.mode(), r.meetsTarget(), Boolean::logicalAnd);
      }
    }
    return new Summary(target, List.copyOf(rows), worst, best, met);
  }

  static <T> double median(List<T> items, ToDoubleFunction<T> value) {
    double[] v = items.stream().mapToDouble(value).sorted().toArray();
    if (v.length == 0) {
      throw new IllegalArgumentException("median of nothing");
    }
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** The summary as a fixed-width text table with a verdict line. */
  String table() {
    StringBuilder b = new StringBuilder();
    String header =
        String.format(
            Locale.ROOT,
            "%-8s %-6s %7s %11s %11s %7s %11s %9s %9s %9s",
            "payload",
            "mode",
            "window",
            "bare msg/s",
            "bridge/s",
            "ratio",
            "publish/s",
            "p50 ms",
            "p99 ms",
            "max ms");
    b.append(header).append('\n');
    char[] line = new char[header.length()];
    Arrays.fill(line, '-');
    b.append(line).append('\n');
    for (Row r : rows) {
      b.append(
          String.format(
              Locale.ROOT,
              "%-8s %-6s %7d %11.0f %11.0f %6.1f%% %11.0f %9s %9s %9s%s%n",
              r.kind(),
              r.mode(),
              r.window(),
              r.ceilingMsgsPerSec(),
              r.bridgeMsgsPerSec(),
              100 * r.ratio(),
              r.publishMsgsPerSec(),
              ms(r.p50Ms()),
              ms(r.p99Ms()),
              ms(r.maxMs()),
              (r.meetsTarget() ? "" : "  < target")
                  + (r.ceilingPublisherBound() ? "  (ceiling publisher-bound)" : "")
                  + (r.bridgePublisherBound() ? "  (bridge publisher-bound)" : "")));
    }
    if (bestWindow != null) {
      b.append(
          String.format(
              Locale.ROOT,
              "best window: %d (worst ratio %.1f%%); target %.0f%% met at it: %s%n",
              bestWindow,
              100 * worstRatioByWindow.get(bestWindow),
              100 * target,
              targetMetByModeAtBestWindow));
    }
    return b.toString();
  }

  private static String ms(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }
}
