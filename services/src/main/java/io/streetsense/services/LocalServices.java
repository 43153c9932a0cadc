package io.streetsense.services;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka, MQTT and InfluxDB together, started in parallel under one base work directory ({@code
 * kafka/}, {@code mqtt/}, {@code influx/}), natively or in containers as {@link ServiceMode} says.
 *
 * <pre>{@code
 * try (LocalServices services = LocalServices.start(Path.of(".streetsense"))) {
 *   services.kafka().createTopic("camera-frames", 4, false);
 *   bridge.connect(services.mqtt().serverUri(), services.kafka().bootstrapServers());
 *   sink.connect(services.influx().url());
 * }
 * }</pre>
 *
 * <p>If one service fails to start, the others are closed and the first failure is thrown.
 */
public final class LocalServices implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalServices.class);

  private final KafkaService kafka;
  private final MqttService mqtt;
  private final InfluxService influx;
  private final Map<String, Duration> startupTimes;
  private boolean closed;

  private LocalServices(
      KafkaService kafka,
      MqttService mqtt,
      InfluxService influx,
      Map<String, Duration> startupTimes) {
    this.kafka = kafka;
    this.mqtt = mqtt;
    this.influx = influx;
    this.startupTimes = Collections.unmodifiableMap(startupTimes);
  }

  /** Starts all three with default settings. */
  public static LocalServices start(Path workDir) {
    return start(workDir, MosquittoBroker.builder());
  }

  /** Starts all three; {@code mqttSettings} configures Mosquitto's queue and in-flight limits. */
  public static LocalServices start(Path workDir, MosquittoBroker.Builder mqttSettings) {
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(mqttSettings, "mqttSettings");
    Path base = workDir.toAbsolutePath();
    long started = System.nanoTime();
    Map<String, Duration> times = Collections.synchronizedMap(new LinkedHashMap<>());
    ExecutorService pool =
        Executors.newFixedThreadPool(
            3,
            r -> {
              Thread t = new Thread(r, "streetsense-services-start");
              t.setDaemon(true);
              return t;
            });
    try {
      CompletableFuture<KafkaService> kafka =
          timed(pool, "kafka", times, () -> Services.kafka(base.resolve("kafka")));
      CompletableFuture<MqttService> mqtt =
          timed(pool, "mqtt", times, () -> Services.mqtt(base.resolve("mqtt"), mqttSettings));
      CompletableFuture<InfluxService> influx =
          timed(pool, "influx", times, () -> Services.influx(base.resolve("influx")));
      List<CompletableFuture<? extends ManagedService>> all = List.of(kafka, mqtt, influx);
      try {
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
      } catch (CompletionException e) {
        // Wait for the others so that none is left running behind our back, then close them.
        List<ManagedService> running = new ArrayList<>();
        for (CompletableFuture<? extends ManagedService> f : all) {
          try {
            running.add(f.join());
          } catch (CompletionException ignored) {
            // this one failed; its own start cleaned up
          }
        }
        running.forEach(ManagedService::close);
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        throw new IllegalStateException("could not start the local services", cause);
      }
      times.put("total", Duration.ofNanos(System.nanoTime() - started));
      LocalServices services = new LocalServices(kafka.join(), mqtt.join(), influx.join(), times);
      LOG.info("local services ready: {} (start-up times {})", services, services.startupTimes);
      return services;
    } finally {
      pool.shutdown();
    }
  }

  private static <T> CompletableFuture<T> timed(
      ExecutorService pool, String name, Map<String, Duration> times, Supplier<T> start) {
    return CompletableFuture.supplyAsync(
        () -> {
          long t0 = System.nanoTime();
          T service = start.get();
          times.put(name, Duration.ofNanos(System.nanoTime() - t0));
          return service;
        },
        pool);
  }

  public KafkaService kafka() {
    return kafka;
  }

  public MqttService mqtt() {
    return mqtt;
  }

  public InfluxService influx() {
    return influx;
  }

  /** Wall-clock start-up time per service ("kafka", "mqtt", "influx") and "total". */
  public Map<String, Duration> startupTimes() {
    return startupTimes;
  }

  /** Stops all three (in parallel); idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RuntimeException failure = null;
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (ManagedService s : List.of(kafka, mqtt, influx)) {
      stops.add(CompletableFuture.runAsync(s::close));
    }
    for (CompletableFuture<Void> stop : stops) {
      try {
        stop.join();
      } catch (CompletionException e) {
        if (failure == null) {
          failure = new IllegalStateException("could not stop a local service", e.getCause());
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return "kafka="
        + kafka.bootstrapServers()
        + ", mqtt="
        + mqtt.serverUri()
        + ", influx="
        + influx.url();
  }
}
