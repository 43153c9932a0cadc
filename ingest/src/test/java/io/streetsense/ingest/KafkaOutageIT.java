package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka crashes mid-stream (SIGKILL) and stays down longer than the producer's delivery timeout,
 * while devices keep publishing: the bridge holds its MQTT acknowledgements, re-sends what the
 * producer gave up on, and when Kafka is back every (device, seq) is there.
 */
class KafkaOutageIT {
  @RegisterExtension static final Brokers brokers = new Brokers();

  static final int PER_SENSOR = 400;
  static final Duration OUTAGE = Duration.ofSeconds(10);

  @Test
  void kafkaDownLongerThanTheDeliveryTimeout_losesNothing() throws Exception {
    Topics topics = brokers.freshTopics();
    List<String> sensors = Devices.sensorIds();
    BridgeConfig config =
        BridgeConfig.builder()
            .mqttServerUri(brokers.mqtt().serverUri())
            .mqttClientId("outage-bridge-" + topics.parking())
            .blocks(List.of(Devices.BLOCK))
            .kafkaBootstrapServers(brokers.kafka().bootstrapServers())
            // Short timeouts so that the outage outlasts the producer's own retries and the
            // bridge's re-send path is exercised.
            .kafkaProperty("delivery.timeout.ms", "4000")
            .kafkaProperty("request.timeout.ms", "1500")
            .kafkaProperty("max.block.ms", "3000")
            .kafkaProperty("reconnect.backoff.max.ms", "500")
            .kafkaRetryBackoff(Duration.ofMillis(200), Duration.ofSeconds(2))
            .topics(topics)
            .window(200)
            .build();
    int total = PER_SENSOR * sensors.size();
    long started = System.nanoTime();
    try (MqttKafkaBridge bridge =
            MqttKafkaBridge.start(config, DeviceDirectory.of(TestMaps.jiashanLane()));
        TestPublisher publisher =
            new TestPublisher(brokers.mqtt().serverUri(), "outage-devices", 500)) {
      // About 12 s of traffic at ~400 msg/s; Kafka dies after ~2 s and is back after ~12 s.
      CompletableFuture<Void> publishing =
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int seq = 0; seq < PER_SENSOR; seq++) {
                    for (String sensor : sensors) {
                      publisher.publish(
                          Devices.parkingTopic(sensor),
                          Devices.parking(sensor, seq, Instant.now()));
                    }
                    Thread.sleep(30);
                  }
                  publisher.flush();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      Thread.sleep(2_000);
      long beforeKill = bridge.metrics().snapshot().kafkaSends();
      brokers.kafka().kill();
      long killedAt = System.nanoTime();
      Thread.sleep(OUTAGE.toMillis());
      BridgeMetrics.Snapshot during = bridge.metrics().snapshot();
      brokers.kafka().start();
      long downMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
      publishing.get(120, TimeUnit.SECONDS);

      DeliveryCheck check =
          DeliveryCheck.awaitDistinct(
              brokers.kafka().bootstrapServers(), topics.parking(), total, Duration.ofSeconds(90));
      awaitDrained(bridge);
      BridgeMetrics.Snapshot after = bridge.metrics().snapshot();
      System.out.printf(
          "[KafkaOutageIT] %d messages from %d sensors; Kafka killed after %d acked sends, down"
              + " %d ms; during the outage: %d in flight (window %d), %d re-sends so far; after:"
              + " %d records, %d distinct, %d duplicates, %d bridge re-sends, %d missing, %d MQTT"
              + " acks, %d stale acks skipped, %.1f s total%n",
          total,
          sensors.size(),
          beforeKill,
          downMs,
          during.inFlight(),
          config.window(),
          during.kafkaRetries(),
          check.records,
          check.distinct(),
          check.duplicates(),
          after.kafkaRetries(),
          check.missing(sensors, PER_SENSOR).size(),
          after.mqttAcks(),
          after.staleAcksSkipped(),
          (System.nanoTime() - started) / 1e9);
      assertEquals(List.of(), check.missing(sensors, PER_SENSOR), "lost (device, seq) pairs");
      assertEquals(0, check.keyMismatches);
      assertTrue(during.inFlight() > 0, "acknowledgements were held while Kafka was down");
      assertTrue(after.kafkaRetries() > 0, "the outage outlasted the producer's delivery timeout");
      assertEquals(MqttKafkaBridge.State.CONNECTED, bridge.state());
      assertEquals(0, after.inFlight());
    }
  }

  private static void awaitDrained(MqttKafkaBridge bridge) throws InterruptedException {
    // Everything received gets acknowledged once Kafka is back.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (bridge.metrics().snapshot().inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }
}
