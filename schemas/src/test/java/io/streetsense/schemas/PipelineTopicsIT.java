package io.streetsense.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.services.KafkaBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creating and checking the pipeline's topics against a real broker (one for the class). */
class PipelineTopicsIT {
  @TempDir static Path dir;
  static KafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = KafkaBroker.start(dir.resolve("kafka"));
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  static Properties admin() {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    return p;
  }

  @Test
  void refusesAWorkOrderTopicThatIsNotCompacted() {
    Topics topics = Topics.withPrefix("delete-policy.");
    kafka.createTopic(topics.workOrders(), 4, false); // cleanup.policy=delete, as auto-created

    PipelineTopics.TopicMismatchException refused =
        assertThrows(
            PipelineTopics.TopicMismatchException.class,
            () -> PipelineTopics.ensure(admin(), topics, 2));

    assertEquals(topics.workOrders(), refused.topic());
    assertEquals("cleanup.policy", refused.setting());
    assertEquals("delete", refused.found());
    assertEquals("compact", refused.needed());
    String message = refused.getMessage();
    assertTrue(
        message.contains("'delete-policy.workorders'")
            && message.contains("cleanup.policy=delete")
            && message.contains("cleanup.policy=compact"),
        message);
    // The views refuse it the same way once it exists.
    assertThrows(
        PipelineTopics.TopicMismatchException.class,
        () ->
            PipelineTopics.await(
                admin(), topics, List.of(topics.workOrders()), 1, null, () -> false));
  }

  @Test
  void refusesFewerPartitionsThanThePipelinesSettingAndAcceptsMore() {
    Topics topics = Topics.withPrefix("partitions.");
    kafka.createTopic(topics.parking(), 1, false);
    kafka.createTopic(topics.camera(), 6, false);

    PipelineTopics.TopicMismatchException refused =
        assertThrows(
            PipelineTopics.TopicMismatchException.class,
            () -> PipelineTopics.ensure(admin(), topics, 3));

    assertEquals(topics.parking(), refused.topic());
    assertEquals("partitions", refused.setting());
    assertEquals("1", refused.found());
    assertTrue(refused.getMessage().contains("at least 3"), refused.getMessage());
    // Readers that do not know the setting accept any count.
    PipelineTopics.verify(admin(), topics, List.of(topics.parking(), topics.camera()), 1);
  }

  @Test
  void refusesACompactedDeviceTopicAndACompactWorkOrderTopicWithRetention() throws Exception {
    Topics topics = Topics.withPrefix("roles.");
    kafka.createTopic(topics.deadLetters(), 2, true);
    kafka.createTopics(
        List.of(
            new NewTopic(topics.workOrders(), 2, (short) 1)
                .configs(
                    Map.of(
                        TopicConfig.CLEANUP_POLICY_CONFIG, "compact,delete",
                        TopicConfig.RETENTION_MS_CONFIG, "604800000"))));

    PipelineTopics.TopicMismatchException deadLetters =
        assertThrows(
            PipelineTopics.TopicMismatchException.class,
            () -> PipelineTopics.verify(admin(), topics, List.of(topics.deadLetters()), 1));
    assertEquals("compact", deadLetters.found());
    assertEquals("delete", deadLetters.needed());

    PipelineTopics.TopicMismatchException workOrders =
        assertThrows(
            PipelineTopics.TopicMismatchException.class,
            () -> PipelineTopics.verify(admin(), topics, List.of(topics.workOrders()), 1));
    assertEquals("retention.ms", workOrders.setting());
    assertEquals("604800000", workOrders.found());
  }

  @Test
  void twoEnsuresRacingOnAnEmptyBrokerBothSucceed() throws Exception {
    Topics topics = Topics.withPrefix("race.");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier start = new CyclicBarrier(2);
      Runnable ensure =
          () -> {
            try {
              start.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            PipelineTopics.ensure(admin(), topics, 3);
          };
      Future<?> first = pool.submit(ensure);
      Future<?> second = pool.submit(ensure);
      first.get(60, TimeUnit.SECONDS);
      second.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }

    try (Admin admin = Admin.create(admin())) {
      var described = admin.describeTopics(topics.all()).allTopicNames().get(30, TimeUnit.SECONDS);
      for (String topic : topics.all()) {
        assertEquals(3, described.get(topic).partitions().size(), topic);
      }
      ConfigResource workOrders =
          new ConfigResource(ConfigResource.Type.TOPIC, topics.workOrders());
      String policy =
          admin
              .describeConfigs(List.of(workOrders))
              .all()
              .get(30, TimeUnit.SECONDS)
              .get(workOrders)
              .get(TopicConfig.CLEANUP_POLICY_CONFIG)
              .value();
      assertEquals("compact", policy);
    }
  }
}
