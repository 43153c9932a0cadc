package io.streetsense.ingest;

import io.streetsense.schemas.Topics;
import io.streetsense.services.KafkaBroker;
import io.streetsense.services.MosquittoBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.NewTopic;

/** One Mosquitto and one Kafka for an IT class, and fresh topics per test. */
final class Brokers implements AutoCloseable {
  /** Partitions of the parking and camera topics in tests: more than one, to test keying. */
  static final int PARTITIONS = 3;

  final MosquittoBroker mqtt;
  final KafkaBroker kafka;

  Brokers(Path workDir) {
    this(workDir, builder -> builder);
  }

  /** With extra broker settings (credentials, ACL, TLS). */
  Brokers(Path workDir, UnaryOperator<MosquittoBroker.Builder> mqttSettings) {
    // Mosquitto's default of 20 in-flight messages per client would cap an ack-after-Kafka
    // bridge at about 20 messages per Kafka round trip; the bridge sets its own window.
    this.mqtt =
        mqttSettings
            .apply(MosquittoBroker.builder().maxInflightMessages(1000))
            .start(workDir.resolve("mosquitto"));
    KafkaBroker started;
    try {
      started = KafkaBroker.builder().maxHeap("512m").start(workDir.resolve("kafka"));
    } catch (RuntimeException e) {
      mqtt.close();
      throw e;
    }
    this.kafka = started;
  }

  /** Creates the bridge's three topics under a fresh prefix; dead letters take 8 MiB records. */
  Topics freshTopics() {
    Topics topics = Topics.withPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    kafka.createTopics(
        List.of(
            new NewTopic(topics.parking(), PARTITIONS, (short) 1),
            new NewTopic(topics.camera(), PARTITIONS, (short) 1),
            new NewTopic(topics.deadLetters(), 1, (short) 1)
                .configs(Map.of("max.message.bytes", Integer.toString(8 << 20)))));
    return topics;
  }

  @Override
  public void close() {
    try {
      kafka.close();
    } finally {
      mqtt.close();
    }
  }
}
