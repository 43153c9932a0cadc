package io.streetsense.services.internal.containers;

import io.streetsense.services.KafkaService;
import io.streetsense.services.internal.KafkaTopics;
import io.streetsense.services.internal.Ports;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.testcontainers.kafka.KafkaContainer;

/**
 * Kafka in {@value #IMAGE} via Testcontainers. NOT EXERCISED on machines without Docker (see {@link
 * ContainerService}).
 */
public final class KafkaContainerService extends ContainerService implements KafkaService {
  public static final String IMAGE = "apache/kafka:4.2.1";

  private KafkaContainerService(KafkaContainer container) {
    super(container);
  }

  public static KafkaContainerService create() {
    KafkaContainer kafka =
        new KafkaContainer(IMAGE)
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
            .withEnv("KAFKA_TRANSACTION_MAX_TIMEOUT_MS", "900000")
            .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
            .withEnv("KAFKA_NUM_PARTITIONS", "1")
            .withEnv("KAFKA_HEAP_OPTS", "-Xms64m -Xmx512m");
    // Fixed host port: the advertised listener keeps working after a container restart.
    kafka.setPortBindings(List.of(Ports.freePort() + ":9092"));
    kafka.start();
    return new KafkaContainerService(kafka);
  }

  @Override
  public String bootstrapServers() {
    return ((KafkaContainer) container).getBootstrapServers();
  }

  @Override
  public void createTopics(Collection<NewTopic> topics) {
    KafkaTopics.createTopics(bootstrapServers(), topics);
  }

  @Override
  protected void awaitReady(Duration timeout) {
    try (Admin admin = KafkaTopics.admin(bootstrapServers(), 3_000)) {
      await(timeout, "Kafka at " + bootstrapServers(), () -> KafkaTopics.isReady(admin));
    }
  }
}
