package io.streetsense.services;

import io.streetsense.services.internal.KafkaTopics;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;

/** A single-node Kafka cluster: {@link KafkaBroker} (child JVM) or a container. */
public interface KafkaService extends ManagedService {

  /** {@code host:port} for {@code bootstrap.servers}; stable across stop and start. */
  String bootstrapServers();

  /**
   * Creates topics and waits until they exist. Topics that exist already are left as they are, so a
   * program can create its topics on every start.
   */
  void createTopics(Collection<NewTopic> topics);

  /** Creates one topic with replication factor 1; {@code compacted} sets cleanup.policy=compact. */
  default void createTopic(String name, int partitions, boolean compacted) {
    createTopics(List.of(KafkaTopics.newTopic(name, partitions, compacted)));
  }
}
