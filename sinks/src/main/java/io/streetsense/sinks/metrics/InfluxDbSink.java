package io.streetsense.sinks.metrics;

import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Writes {@link MetricPoint}s to InfluxDB over the v1 write API (InfluxDB 1.x, and 2.x/3.x through
 * their v1-compatible endpoint), batched, with event-time timestamps.
 *
 * <p>InfluxDB being down or slow never stalls the job: points wait in a bounded buffer while a
 * background sender retries with backoff; when the buffer is full the oldest points are dropped and
 * counted ({@code pointsDropped}). This is at-most-once by design — metrics are a view, the work
 * orders in Kafka are the record.
 *
 * <pre>{@code
 * points.sinkTo(new InfluxDbSink(InfluxDbSettings.of("http://127.0.0.1:8086", "streetsense")))
 *     .uid("influxdb-metrics");
 * }</pre>
 */
public final class InfluxDbSink implements Sink<MetricPoint> {
  private static final long serialVersionUID = 1L;

  private final InfluxDbSettings settings;

  public InfluxDbSink(InfluxDbSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  @Override
  public SinkWriter<MetricPoint> createWriter(WriterInitContext context) {
    return new InfluxDbWriter(settings, context.metricGroup());
  }
}
