package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge as its own process ({@link BridgeMain}), SIGKILLed several times while a device
 * publisher sends 50 000 QoS 1 messages over 100 sensors, and restarted each time: every (sensor,
 * seq) ends up in Kafka at least once; the duplicates (redelivered after each crash) are counted.
 */
class BridgeCrashIT {
  @RegisterExtension static final Brokers brokers = new Brokers();
  @TempDir static Path work;

  static final int SENSORS = 100;
  static final int PER_SENSOR = 500;
  static final int KILLS = 3;

  @Test
  void sigkilledBridge_losesNothing_andReportsDuplicates() throws Exception {
    Topics topics = brokers.freshTopics();
    List<String> sensors = new ArrayList<>();
    for (int i = 1; i <= SENSORS; i++) {
      sensors.add(String.format("LY-P-%04d", i));
    }
    String prefix = topics.parking().substring(0, topics.parking().length() - "parking".length());
    Path config = work.resolve("bridge.properties");
    Files.writeString(
        config,
        String.join(
            "\n",
            "mqtt.uris=" + brokers.mqtt().serverUri(),
            "mqtt.client.id=crash-bridge-" + prefix,
            "mqtt.blocks=lingyan-south",
            "kafka.bootstrap.servers=" + brokers.kafka().bootstrapServers(),
            "kafka.topic.prefix=" + prefix,
            "bridge.window=1000",
            "bridge.metrics.log.interval=PT5S",
            "blockmaps=" + TestMaps.repositoryBlockMaps()));
    int total = SENSORS * PER_SENSOR;
    AtomicInteger run = new AtomicInteger();
    long started = System.nanoTime();
    // The first run creates the session: publishing starts once its subscription stands.
    Process bridge = startBridge(config, run.incrementAndGet(), "subscribed at QoS 1");
    List<Long> killedAfter = new ArrayList<>();
    try (TestPublisher publisher =
        new TestPublisher(brokers.mqtt().serverUri(), "crash-devices-" + prefix, 1000)) {
      CompletableFuture<Void> publishing =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int seq = 0; seq < PER_SENSOR; seq++) {
                    Instant now = Instant.now();
                    for (String sensor : sensors) {
                      publisher.publish(
                          "blocks/lingyan-south/parking/" + sensor,
                          Devices.parking(sensor, seq, now));
                    }
                  }
                  publisher.flush();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      for (int kill = 0; kill < KILLS; kill++) {
        Thread.sleep(2_500);
        bridge.destroyForcibly(); // SIGKILL
        bridge.waitFor(30, TimeUnit.SECONDS);
        killedAfter.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        bridge = startBridge(config, run.incrementAndGet(), "MQTT connected");
      }
      publishing.get(180, TimeUnit.SECONDS);
      long published = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      DeliveryCheck check =
          DeliveryCheck.awaitDistinct(
              brokers.kafka().bootstrapServers(), topics.parking(), total, Duration.ofSeconds(120));
      List<String> missing = check.missing(sensors, PER_SENSOR);
      System.out.printf(
          "[BridgeCrashIT] %d QoS 1 messages from %d sensors; bridge process SIGKILLed %d times"
              + " (at %s ms) and restarted; published in %d ms; Kafka holds %d records: %d"
              + " distinct (sensor, seq), %d missing, %d duplicates (%.2f %%); %.1f s total%n",
          total,
          SENSORS,
          KILLS,
          killedAfter,
          published,
          check.records,
          check.distinct(),
          missing.size(),
          check.duplicates(),
          100.0 * check.duplicates() / total,
          (System.nanoTime() - started) / 1e9);
      assertEquals(List.of(), missing.subList(0, Math.min(20, missing.size())), "lost messages");
      assertEquals(total, check.distinct());
      assertEquals(0, check.keyMismatches);
    } finally {
      bridge.destroy(); // SIGTERM: the last run drains and stops cleanly
      if (!bridge.waitFor(40, TimeUnit.SECONDS)) {
        bridge.destroyForcibly();
      }
    }
    assertTrue(run.get() == KILLS + 1);
  }

  private static Process startBridge(Path config, int run, String readyLine)
      throws IOException, InterruptedException {
    Path log = work.resolve("bridge-run-" + run + ".log");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path argFile = work.resolve("classpath.args");
    Files.writeString(
        argFile,
        "-cp\n\""
            + System.getProperty("java.class.path").replace("\\", "\\\\").replace("\"", "\\\"")
            + "\"\n");
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx384m",
                "-XX:+UseSerialGC",
                "@" + argFile,
                BridgeMain.class.getName(),
                "--config",
                config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "bridge run " + run + " exited " + process.exitValue() + ":\n" + Files.readString(log));
      }
      if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(readyLine)) {
        return process;
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new IllegalStateException(
        "bridge run " + run + " did not connect:\n" + Files.readString(log));
  }
}
