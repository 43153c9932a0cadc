package io.streetsense.sinks.metrics;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.Point;
import org.influxdb.dto.Query;
import org.influxdb.dto.QueryResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer behind {@link InfluxDbSink}: the task thread only appends to a bounded buffer; a
 * daemon thread sends batches and retries. See the sink for the guarantees. Also used outside Flink
 * (the bridge's process metrics) through {@link #InfluxDbWriter(InfluxDbSettings)}.
 */
public final class InfluxDbWriter implements SinkWriter<MetricPoint> {
  private static final Logger LOG = LoggerFactory.getLogger(InfluxDbWriter.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration DRAIN_AT_END = Duration.ofSeconds(30);

  private final InfluxDbSettings settings;
  private final ArrayDeque<MetricPoint> buffer = new ArrayDeque<>();
  private final InfluxDB influx;
  private final Thread sender;
  private final Counter written;
  private final Counter dropped;
  private final Counter failures;
  private volatile boolean running = true;
  private boolean databaseReady;
  private boolean reportedDown;
  private int inFlight;

  /** A writer outside Flink: its counters are read with the accessors below. */
  public InfluxDbWriter(InfluxDbSettings settings) {
    this(settings, new org.apache.flink.metrics.groups.UnregisteredMetricsGroup());
  }

  InfluxDbWriter(InfluxDbSettings settings, MetricGroup metrics) {
    this.settings = settings;
    this.influx =
        settings.user() == null
            ? InfluxDBFactory.connect(settings.url())
            : InfluxDBFactory.connect(settings.url(), settings.user(), settings.password());
    this.written = metrics.counter("pointsWritten");
    this.dropped = metrics.counter("pointsDropped");
    this.failures = metrics.counter("writeFailures");
    metrics.gauge("pointsBuffered", this::buffered);
    this.sender = new Thread(this::sendLoop, "influxdb-sender-" + settings.database());
    sender.setDaemon(true);
    sender.start();
  }

  @Override
  public void write(MetricPoint point, Context context) {
    synchronized (buffer) {
      if (buffer.size() >= settings.bufferLimit()) {
        buffer.pollFirst();
        dropped.inc();
      }
      buffer.addLast(point);
      if (buffer.size() >= settings.batchSize()) {
        buffer.notifyAll();
      }
    }
  }

  /**
   * At the end of a bounded input, waits (up to 30 s) for the buffer to drain; otherwise returns at
   * once: a checkpoint never waits for InfluxDB.
   */
  @Override
  public void flush(boolean endOfInput) throws InterruptedException {
    if (!endOfInput) {
      return;
    }
    long deadline = System.nanoTime() + DRAIN_AT_END.toNanos();
    synchronized (buffer) {
      buffer.notifyAll();
      while ((!buffer.isEmpty() || inFlight > 0) && System.nanoTime() < deadline) {
        buffer.wait(100);
      }
      if (!buffer.isEmpty()) {
        LOG.warn(
            "{} metric points not yet written to {} at end of input",
            buffer.size(),
            settings.url());
      }
    }
  }

  /** Appends a point; never blocks (see the sink). */
  public void write(MetricPoint point) {
    write(point, null);
  }

  public long pointsWritten() {
    return written.getCount();
  }

  public long pointsDropped() {
    return dropped.getCount();
  }

  public long writeFailures() {
    return failures.getCount();
  }

  int buffered() {
    synchronized (buffer) {
      return buffer.size();
    }
  }

  private void sendLoop() {
    long backoffMillis = 100;
    while (running) {
      List<MetricPoint> batch;
      synchronized (buffer) {
        if (buffer.size() < settings.batchSize()) {
          try {
            buffer.wait(settings.flushInterval().toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        batch = new ArrayList<>(Math.min(buffer.size(), settings.batchSize()));
        while (batch.size() < settings.batchSize() && !buffer.isEmpty()) {
          batch.add(buffer.pollFirst());
        }
        inFlight = batch.size();
      }
      if (batch.isEmpty()) {
        continue;
      }
      try {
        send(batch);
        written.inc(batch.size());
        backoffMillis = 100;
        if (reportedDown) {
          LOG.info("InfluxDB at {} accepts writes again", settings.url());
          reportedDown = false;
        }
        synchronized (buffer) {
          inFlight = 0;
          buffer.notifyAll();
        }
      } catch (RuntimeException e) {
        failures.inc();
        if (!reportedDown) {
          LOG.warn(
              "InfluxDB at {} refused a write ({}); buffering up to {} points and retrying",
              settings.url(),
              e.getMessage(),
              settings.bufferLimit());
          reportedDown = true;
        }
        requeue(batch);
        sleep(backoffMillis);
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF.toMillis());
      }
    }
  }

  /**
   * Puts a failed batch back in front, oldest first, dropping (and counting) what no longer fits.
   */
  private void requeue(List<MetricPoint> batch) {
    synchronized (buffer) {
      inFlight = 0;
      for (int i = batch.size() - 1; i >= 0; i--) {
        if (buffer.size() >= settings.bufferLimit()) {
          dropped.inc(i + 1);
          break;
        }
        buffer.addFirst(batch.get(i));
      }
    }
  }

  private void send(List<MetricPoint> batch) {
    if (!databaseReady) {
      createDatabaseIfAllowed();
      databaseReady = true;
    }
    BatchPoints.Builder points =
        BatchPoints.database(settings.database()).precision(TimeUnit.MILLISECONDS);
    for (MetricPoint point : batch) {
      points.point(toInflux(point));
    }
    influx.write(points.build());
  }

  /**
   * Creates the database for a first run against an empty InfluxDB. Creating needs an admin user; a
   * deployment that writes with a write-only user (as it should) or through the v1-compatible API
   * of InfluxDB 2.x/3.x (which has no CREATE DATABASE) has the database made beforehand: the
   * refusal is then expected, logged once, and writing goes ahead.
   */
  private void createDatabaseIfAllowed() {
    String error;
    try {
      QueryResult result =
          influx.query(new Query("CREATE DATABASE \"" + settings.database() + "\""));
      error = result.getError();
      if (error == null && result.getResults() != null) {
        error =
            result.getResults().stream()
                .map(QueryResult.Result::getError)
                .filter(Objects::nonNull)
                .findFirst()
                .orElse(null);
      }
    } catch (RuntimeException e) {
      if (isConnectionProblem(e)) {
        throw e; // InfluxDB is down: the write loop retries with backoff
      }
      error = e.getMessage();
    }
    if (error != null) {
      LOG.info(
          "InfluxDB at {} did not create database {} ({}); writing to it anyway: a write-only user"
              + " needs the database made beforehand",
          settings.url(),
          settings.database(),
          error);
    }
  }

  private static boolean isConnectionProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.io.IOException) {
        return true;
      }
    }
    return false;
  }

  static Point toInflux(MetricPoint point) {
    Point.Builder builder =
        Point.measurement(point.measurement()).time(point.epochMillis(), TimeUnit.MILLISECONDS);
    builder.tag(point.tags());
    for (Map.Entry<String, Object> field : point.fields().entrySet()) {
      Object value = field.getValue();
      if (value instanceof Long) {
        builder.addField(field.getKey(), (Long) value);
      } else if (value instanceof Double) {
        builder.addField(field.getKey(), (Double) value);
      } else if (value instanceof Boolean) {
        builder.addField(field.getKey(), (Boolean) value);
      } else {
        builder.addField(field.getKey(), String.valueOf(value));
      }
    }
    return builder.build();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() throws Exception {
    flush(true);
    running = false;
    sender.interrupt();
    sender.join(5000);
    influx.close();
  }
}
