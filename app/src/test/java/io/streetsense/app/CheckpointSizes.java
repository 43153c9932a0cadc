package io.streetsense.app;

import io.streetsense.eventtime.EventTimeBuffer;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter for tests on a local cluster in this JVM: it keeps the JobManager's
 * {@code lastCheckpointSize} gauge and the event-time buffers' span gauges ({@code *SpanMs}), so a
 * test can sample them while the job runs. Register it with {@link #register(Configuration)}.
 */
public final class CheckpointSizes implements MetricReporter {
  private static final String NAME = "checkpointsizes";
  private static final Map<String, Gauge<?>> GAUGES = new ConcurrentHashMap<>();
  private static final Map<String, Gauge<?>> SPANS = new ConcurrentHashMap<>();

  /** Adds the reporter to a local cluster's configuration. */
  static Configuration register(Configuration flink) {
    flink.setString("metrics.reporter." + NAME + ".factory.class", Factory.class.getName());
    return flink;
  }

  /** The size in bytes of the last completed checkpoint of the job running now, or -1. */
  static long last() {
    long last = -1;
    for (Gauge<?> gauge : GAUGES.values()) {
      if (gauge.getValue() instanceof Number n) {
        last = Math.max(last, n.longValue());
      }
    }
    return last;
  }

  /** The largest span each event-time buffer has held so far (ms), by metric identifier. */
  static final Map<String, Long> WIDEST = new ConcurrentHashMap<>();

  /** The largest span of event time any event-time buffer of the job holds now (ms), or -1. */
  static long bufferSpan() {
    long largest = -1;
    for (Map.Entry<String, Gauge<?>> gauge : SPANS.entrySet()) {
      if (gauge.getValue().getValue() instanceof Number n) {
        largest = Math.max(largest, n.longValue());
        WIDEST.merge(gauge.getKey(), n.longValue(), Math::max);
      }
    }
    return largest;
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    if (name.equals("lastCheckpointSize") && metric instanceof Gauge<?> gauge) {
      GAUGES.put(group.getMetricIdentifier(name), gauge);
    }
    if (name.endsWith(EventTimeBuffer.SPAN_GAUGE_SUFFIX) && metric instanceof Gauge<?> gauge) {
      SPANS.put(group.getMetricIdentifier(name), gauge);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    GAUGES.remove(group.getMetricIdentifier(name));
    SPANS.remove(group.getMetricIdentifier(name));
  }

  /** Flink finds this factory through {@code META-INF/services}. */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new CheckpointSizes();
    }
  }
}
