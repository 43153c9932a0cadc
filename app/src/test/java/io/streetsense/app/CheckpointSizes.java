package io.streetsense.app;

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
 * {@code lastCheckpointSize} gauge, so a test can sample the size of every completed checkpoint
 * while the job runs. Register it with {@link #register(Configuration)}.
 */
public final class CheckpointSizes implements MetricReporter {
  private static final String NAME = "checkpointsizes";
  private static final Map<String, Gauge<?>> GAUGES = new ConcurrentHashMap<>();

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

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    if (name.equals("lastCheckpointSize") && metric instanceof Gauge<?> gauge) {
      GAUGES.put(group.getMetricIdentifier(name), gauge);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    GAUGES.remove(group.getMetricIdentifier(name));
  }

  /** Flink finds this factory through {@code META-INF/services}. */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new CheckpointSizes();
    }
  }
}
