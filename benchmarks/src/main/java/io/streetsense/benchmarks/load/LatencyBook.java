package io.streetsense.benchmarks.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Latency samples of one phase, by metric: a full-precision HdrHistogram per measured step (a
 * sample belongs to the step whose measurement window holds its intended publish time) and a coarse
 * one per 5-second window for the timeline. Values are recorded in microseconds.
 */
final class LatencyBook {
  static final long HIGHEST_MICROS = 3_600_000_000L;
  static final long TIMELINE_WINDOW_MS = 5_000;

  /** A step's measurement window. */
  private static final class Window {
    final String label;
    final double fromMs;
    double toMs = Double.POSITIVE_INFINITY;
    final Map<String, Histogram> histograms = new LinkedHashMap<>();

    Window(String label, double fromMs) {
      this.label = label;
      this.fromMs = fromMs;
    }
  }

  private final List<Window> windows = new ArrayList<>();
  private final Map<String, TreeMap<Long, Histogram>> timeline = new LinkedHashMap<>();
  private final Map<String, Long> negative = new LinkedHashMap<>();
  private final Map<String, Long> unmapped = new LinkedHashMap<>();

  /** Starts a step's window at {@code fromMs} (wall, epoch ms). */
  synchronized void open(String label, double fromMs) {
    windows.add(new Window(label, fromMs));
  }

  /** Ends the window of {@code label} at {@code toMs}. */
  synchronized void close(String label, double toMs) {
    for (Window w : windows) {
      if (w.label.equals(label) && w.toMs == Double.POSITIVE_INFINITY) {
        w.toMs = toMs;
      }
    }
  }

  /** A sample whose message was due at {@code intendedMs}; {@code NaN} counts as unmapped. */
  void record(String metric, double intendedMs, double latencyMs) {
    recordAt(metric, intendedMs, intendedMs, latencyMs);
  }

  /**
   * A sample attributed to the step and timeline window of {@code atMs} (e.g. when it was measured,
   * for the generator's interval histograms).
   */
  synchronized void recordAt(String metric, double atMs, double intendedMs, double latencyMs) {
    if (Double.isNaN(intendedMs) || Double.isNaN(latencyMs)) {
      unmapped.merge(metric, 1L, Long::sum);
      return;
    }
    if (latencyMs < 0) {
      negative.merge(metric, 1L, Long::sum);
    }
    long micros = Math.max(0, Math.min(HIGHEST_MICROS, Math.round(latencyMs * 1000)));
    for (Window w : windows) {
      if (atMs >= w.fromMs && atMs < w.toMs) {
        w.histograms
            .computeIfAbsent(metric, m -> new Histogram(HIGHEST_MICROS, 3))
            .recordValue(micros);
      }
    }
    timeline
        .computeIfAbsent(metric, m -> new TreeMap<>())
        .computeIfAbsent((long) Math.floor(atMs / TIMELINE_WINDOW_MS), k -> new Histogram(2))
        .recordValue(micros);
  }

  /** Adds a whole histogram (microseconds) measured around {@code atMs}. */
  synchronized void add(String metric, double atMs, Histogram h) {
    if (h.getTotalCount() == 0) {
      return;
    }
    for (Window w : windows) {
      if (atMs >= w.fromMs && atMs < w.toMs) {
        w.histograms.computeIfAbsent(metric, m -> new Histogram(HIGHEST_MICROS, 3)).add(h);
      }
    }
    Histogram t =
        timeline
            .computeIfAbsent(metric, m -> new TreeMap<>())
            .computeIfAbsent((long) Math.floor(atMs / TIMELINE_WINDOW_MS), k -> new Histogram(2));
    t.add(h);
  }

  /** Percentiles of a step's samples of {@code metric}, in milliseconds; null when none. */
  synchronized Summary summary(String label, String metric) {
    for (Window w : windows) {
      if (w.label.equals(label)) {
        Histogram h = w.histograms.get(metric);
        return h == null ? null : Summary.of(h);
      }
    }
    return null;
  }

  /** The metrics with samples in a step. */
  synchronized List<String> metrics(String label) {
    for (Window w : windows) {
      if (w.label.equals(label)) {
        return List.copyOf(w.histograms.keySet());
      }
    }
    return List.of();
  }

  /** The timeline of a metric: window start (epoch ms) → summary. */
  synchronized Map<Long, Summary> timeline(String metric) {
    Map<Long, Summary> out = new TreeMap<>();
    timeline
        .getOrDefault(metric, new TreeMap<>())
        .forEach((k, h) -> out.put(k * TIMELINE_WINDOW_MS, Summary.of(h)));
    return out;
  }

  /** All samples of {@code metric} in the timeline windows from {@code fromMs} to {@code toMs}. */
  synchronized Summary recent(String metric, double fromMs, double toMs) {
    TreeMap<Long, Histogram> tl = timeline.get(metric);
    if (tl == null) {
      return null;
    }
    Histogram sum = new Histogram(2);
    tl.subMap(
            (long) Math.floor(fromMs / TIMELINE_WINDOW_MS),
            true,
            (long) Math.floor(toMs / TIMELINE_WINDOW_MS),
            true)
        .values()
        .forEach(sum::add);
    return sum.getTotalCount() == 0 ? null : Summary.of(sum);
  }

  synchronized Map<String, Long> negativeCounts() {
    return Map.copyOf(negative);
  }

  synchronized Map<String, Long> unmappedCounts() {
    return Map.copyOf(unmapped);
  }

  /** Latency percentiles in milliseconds. */
  record Summary(long count, double p50, double p90, double p99, double p999, double max) {
    static Summary of(Histogram h) {
      return new Summary(
          h.getTotalCount(),
          h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(90) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0,
          h.getValueAtPercentile(99.9) / 1000.0,
          h.getMaxValue() / 1000.0);
    }
  }
}
