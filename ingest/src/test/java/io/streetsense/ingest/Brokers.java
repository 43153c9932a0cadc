package io.streetsense.ingest;

import io.streetsense.schemas.Topics;
import io.streetsense.services.KafkaBroker;
import io.streetsense.services.MosquittoBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Mosquitto and one Kafka for an IT class, and fresh topics per test. Registered as an
 * extension ({@code @RegisterExtension static final Brokers brokers = new Brokers();}) they are
 * started in a temporary folder before the class's first test and stopped, the folder removed,
 * after its last; a class that must prepare the brokers' settings first (certificates, passwords)
 * starts them itself with {@link #Brokers(Path, UnaryOperator)}.
 */
final class Brokers implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  /** Partitions of the parking and camera topics in tests: more than one, to test keying. */
  static final int PARTITIONS = 3;

  private MosquittoBroker mqtt;
  private KafkaBroker kafka;
  private Path ownDir;

  /** Started and stopped around the tests of the class that registers it. */
  Brokers() {}

  /** Started now in {@code workDir}, with extra broker settings (credentials, ACL, TLS). */
  Brokers(Path workDir, UnaryOperator<MosquittoBroker.Builder> mqttSettings) {
    start(workDir, mqttSettings);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    ownDir = Files.createTempDirectory("brokers-" + context.getRequiredTestClass().getSimpleName());
    start(ownDir, builder -> builder);
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    try {
      if (kafka != null) {
        close();
      }
    } finally {
      if (ownDir == null) {
        return;
      }
      try (Stream<Path> files = Files.walk(ownDir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  MosquittoBroker mqtt() {
    return mqtt;
  }

  KafkaBroker kafka() {
    return kafka;
  }

  private void start(Path workDir, UnaryOperator<MosquittoBroker.Builder> mqttSettings) {
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
