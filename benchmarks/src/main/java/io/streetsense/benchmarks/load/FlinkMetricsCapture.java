package io.streetsense.benchmarks.load;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A Flink metric reporter that keeps the metrics the load test reads (Kafka source offsets, task
 * busy and back-pressure times, source watermarks, checkpoints) in a map of this JVM, where {@link
 * PipelineProcess} reads them every second. Registered through {@code
 * metrics.reporter.loadtest.factory.class} in the local cluster's configuration.
 */
public final class FlinkMetricsCapture implements MetricReporter {
  static final String NAME = "loadtest";

  /** The metric names kept; others are ignored. */
  static final Set<String> WANTED =
      Set.of(
          "currentOffset",
          "committedOffset",
          "pendingRecords",
          "busyTimeMsPerSecond",
          "backPressuredTimeMsPerSecond",
          "idleTimeMsPerSecond",
          "currentOutputWatermark",
          "numRecordsIn",
          "numRecordsOut",
          "lastCheckpointDuration",
          "lastCheckpointSize",
          // The whole state of the last checkpoint; lastCheckpointSize is what it wrote, which
          // with incremental checkpoints (RocksDB) is only the change.
          "lastCheckpointFullSize",
          "numberOfCompletedCheckpoints",
          "numberOfFailedCheckpoints",
          "lateObservations",
          "undecodableRecords");

  /** One registered metric: its name, its group's variables ({@code <task_name>} ...). */
  record Entry(String name, Map<String, String> variables, Metric metric) {
    /** Its value as a number, or NaN. */
    double value() {
      try {
        if (metric instanceof Gauge<?> g) {
          Object v = g.getValue();
          return v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        if (metric instanceof Counter c) {
          return c.getCount();
        }
        if (metric instanceof Meter m) {
          return m.getRate();
        }
      } catch (RuntimeException e) {
        return Double.NaN;
      }
      return Double.NaN;
    }

    String variable(String name) {
      return variables.getOrDefault("<" + name + ">", "");
    }
  }

  static final Map<String, Entry> METRICS = new ConcurrentHashMap<>();

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    if (WANTED.contains(name)) {
      METRICS.put(
          group.getMetricIdentifier(name),
          new Entry(name, new java.util.HashMap<>(group.getAllVariables()), metric));
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    METRICS.remove(group.getMetricIdentifier(name));
  }

  /** Flink finds this factory through {@code META-INF/services}. */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new FlinkMetricsCapture();
    }
  }
}
