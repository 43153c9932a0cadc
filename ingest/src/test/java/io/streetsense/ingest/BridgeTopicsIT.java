package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.PipelineTopics;
import io.streetsense.schemas.Topics;
import io.streetsense.services.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge never creates its topics, even on a broker that auto-creates them: it waits for the
 * pipeline's up to its startup timeout and refuses ones that are wrong for their role.
 */
class BridgeTopicsIT {
  @TempDir static Path work;
  static KafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka =
        KafkaBroker.builder()
            .property("auto.create.topics.enable", "true")
            .start(work.resolve("kafka"));
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  static BridgeConfig config(Topics topics) {
    return BridgeConfigTest.minimal()
        .kafkaBootstrapServers(kafka.bootstrapServers())
        .topics(topics)
        .startupTimeout(Duration.ofSeconds(2))
        .build();
  }

  static Topics freshTopics() {
    return Topics.withPrefix("bridge-" + UUID.randomUUID().toString().substring(0, 8) + ".");
  }

  @Test
  void missingTopics_areNotCreated_andTheBridgeFailsNamingThem() throws Exception {
    Topics topics = freshTopics();
    IllegalStateException failed =
        assertThrows(
            IllegalStateException.class,
            () -> MqttKafkaBridge.start(config(topics), MessageValidatorTest.DIRECTORY));
    assertTrue(
        failed.getMessage().contains(topics.parking())
            && failed.getMessage().contains("streetsense run or streetsense job"),
        failed.getMessage());
    Properties admin = new Properties();
    admin.put("bootstrap.servers", kafka.bootstrapServers());
    try (Admin client = Admin.create(admin)) {
      assertTrue(
          client.listTopics().names().get(30, TimeUnit.SECONDS).stream()
              .noneMatch(topics.all()::contains),
          "the bridge created a topic");
    }
  }

  @Test
  void aCompactedDeviceTopic_isRefused() {
    Topics topics = freshTopics();
    kafka.createTopic(topics.parking(), 1, true);
    kafka.createTopic(topics.camera(), 1, false);
    kafka.createTopic(topics.deadLetters(), 1, false);
    PipelineTopics.TopicMismatchException refused =
        assertThrows(
            PipelineTopics.TopicMismatchException.class,
            () -> MqttKafkaBridge.start(config(topics), MessageValidatorTest.DIRECTORY));
    assertEquals(topics.parking(), refused.topic());
    assertEquals("cleanup.policy", refused.setting());
    assertEquals("compact", refused.found());
  }
}
