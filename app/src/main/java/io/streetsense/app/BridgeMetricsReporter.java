package io.streetsense.app;

import io.streetsense.ingest.BridgeMetrics;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import io.streetsense.sinks.metrics.InfluxDbWriter;
import io.streetsense.sinks.metrics.MetricPoint;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes the bridge's counters to InfluxDB as the {@code pipeline} measurement (stage {@code
 * ingest}) every few seconds: events, dead letters, messages in flight and Kafka latency.
 *
 * <p>These are process metrics, so they carry the wall-clock time of the reading, not event time:
 * replaying device data does not replay the bridge. Counters are cumulative since the bridge
 * started (take a derivative in the dashboard).
 */
final class BridgeMetricsReporter implements AutoCloseable {
  static final Duration EVERY = Duration.ofSeconds(5);

  private final BridgeMetrics metrics;
  private final InfluxDbWriter writer;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "bridge-metrics-reporter");
            thread.setDaemon(true);
            return thread;
          });

  BridgeMetricsReporter(BridgeMetrics metrics, InfluxDbSettings influx) {
    this.metrics = metrics;
    this.writer = new InfluxDbWriter(influx);
    timer.scheduleAtFixedRate(
        this::report, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  static MetricPoint point(BridgeMetrics.Snapshot snapshot) {
    return MetricPoint.measurement("pipeline")
        .tag("stage", "ingest")
        .field("events", snapshot.events())
        .field("dead_letters", snapshot.deadLetters())
        .field("received", snapshot.received())
        .field("in_flight", (long) snapshot.inFlight())
        .field("kafka_retries", snapshot.kafkaRetries())
        .field("kafka_p50_ms", snapshot.kafkaP50Ms())
        .field("kafka_p99_ms", snapshot.kafkaP99Ms())
        .field("kafka_max_ms", snapshot.kafkaMaxMs())
        .at(snapshot.at().toEpochMilli());
  }

  private void report() {
    writer.write(point(metrics.snapshot()));
  }

  @Override
  public void close() throws Exception {
    timer.shutdownNow();
    report(); // the final counts
    writer.close();
  }
}
