package io.streetsense.app;

import io.streetsense.ingest.BridgeMetrics;
import io.streetsense.ingest.MqttKafkaBridge;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import io.streetsense.sinks.metrics.InfluxDbWriter;
import io.streetsense.sinks.metrics.MetricPoint;
import io.streetsense.sinks.pipeline.StageTotals;
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
 * started (take a derivative in the dashboard). Each bridge instance writes its own series, tagged
 * {@code instance} with its MQTT client id, so that several bridges sharing a subscription do not
 * overwrite each other's counters.
 */
public final class BridgeMetricsReporter implements AutoCloseable {
  static final Duration EVERY = Duration.ofSeconds(5);

  private final BridgeMetrics metrics;
  private final String instance;
  private final InfluxDbWriter writer;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "bridge-metrics-reporter");
            thread.setDaemon(true);
            return thread;
          });

  public BridgeMetricsReporter(MqttKafkaBridge bridge, InfluxDbSettings influx) {
    this.metrics = bridge.metrics();
    this.instance = bridge.config().mqttClientId();
    this.writer = new InfluxDbWriter(influx);
    timer.scheduleAtFixedRate(
        this::report, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  static MetricPoint point(BridgeMetrics.Snapshot snapshot, String instance) {
    return MetricPoint.measurement(StageTotals.MEASUREMENT)
        .tag("stage", "ingest")
        .tag("instance", instance)
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
    writer.write(point(metrics.snapshot(), instance));
  }

  @Override
  public void close() throws Exception {
    timer.shutdownNow();
    report(); // the final counts
    writer.close();
  }
}
