package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two bridges in one MQTT 5 shared-subscription group: every message reaches Kafka exactly once (no
 * crash, so no redelivery) and both bridges carry a share of the load.
 */
class SharedSubscriptionIT {
  @RegisterExtension static final Brokers brokers = new Brokers();

  static final int PER_SENSOR = 400;

  @Test
  void twoBridgesInOneGroup_splitTheLoad_andEachMessageArrivesOnce() throws Exception {
    Topics topics = brokers.freshTopics();
    String group = "ingest-" + topics.parking().substring(3, 11);
    List<String> sensors = Devices.sensorIds();
    int total = PER_SENSOR * sensors.size();
    try (MqttKafkaBridge a = MqttKafkaBridge.start(config("a", group, topics), directory());
        MqttKafkaBridge b = MqttKafkaBridge.start(config("b", group, topics), directory());
        TestPublisher publisher =
            new TestPublisher(brokers.mqtt().serverUri(), "shared-devices", 500)) {
      long started = System.nanoTime();
      for (int seq = 0; seq < PER_SENSOR; seq++) {
        for (String sensor : sensors) {
          publisher.publish(
              Devices.parkingTopic(sensor), Devices.parking(sensor, seq, Instant.now()));
        }
      }
      publisher.flush();
      DeliveryCheck check =
          DeliveryCheck.of(
              KafkaReader.readAtLeast(
                  brokers.kafka().bootstrapServers(),
                  topics.parking(),
                  total,
                  Duration.ofSeconds(90)));
      double seconds = (System.nanoTime() - started) / 1e9;
      // Let the last acknowledgements go out, then read the split.
      Thread.sleep(500);
      BridgeMetrics.Snapshot sa = a.metrics().snapshot();
      BridgeMetrics.Snapshot sb = b.metrics().snapshot();
      System.out.printf(
          "[SharedSubscriptionIT] %d messages in %.1f s: bridge a %d (%.1f %%), bridge b %d (%.1f"
              + " %%); Kafka holds %d records, %d distinct, %d duplicates%n",
          total,
          seconds,
          sa.parkingEvents(),
          100.0 * sa.parkingEvents() / total,
          sb.parkingEvents(),
          100.0 * sb.parkingEvents() / total,
          check.records,
          check.distinct(),
          check.duplicates());
      assertEquals(List.of(), check.missing(sensors, PER_SENSOR));
      assertEquals(0, check.duplicates(), "a shared subscription delivers each message once");
      assertEquals(total, sa.parkingEvents() + sb.parkingEvents());
      assertTrue(sa.parkingEvents() > total / 10, "bridge a took a share");
      assertTrue(sb.parkingEvents() > total / 10, "bridge b took a share");
    }
  }

  static DeviceDirectory directory() {
    return DeviceDirectory.of(TestMaps.jiashanLane());
  }

  static BridgeConfig config(String name, String group, Topics topics) {
    return BridgeConfig.builder()
        .mqttServerUri(brokers.mqtt().serverUri())
        .mqttClientId(group + "-" + name)
        .sharedSubscriptionGroup(group)
        .kafkaBootstrapServers(brokers.kafka().bootstrapServers())
        .topics(topics)
        .window(200)
        .build();
  }
}
