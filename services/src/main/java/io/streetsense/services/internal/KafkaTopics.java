package io.streetsense.services.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/** AdminClient helpers shared by the Kafka implementations. */
public final class KafkaTopics {
  private KafkaTopics() {}

  public static NewTopic newTopic(String name, int partitions, boolean compacted) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    NewTopic topic = new NewTopic(name, partitions, (short) 1);
    if (compacted) {
      topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
    }
    return topic;
  }

  public static Admin admin(String bootstrapServers, int timeoutMs) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "streetsense-services");
    return Admin.create(props);
  }

  /** True when the broker answers DescribeCluster with at least one (unfenced) broker. */
  public static boolean isReady(Admin admin) throws Exception {
    return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
  }

  public static void createTopics(String bootstrapServers, Collection<NewTopic> topics) {
    if (topics.isEmpty()) {
      return;
    }
    try (Admin admin = admin(bootstrapServers, 30_000)) {
      var results = admin.createTopics(List.copyOf(topics)).values();
      for (var entry : results.entrySet()) {
        try {
          entry.getValue().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "could not create topic " + entry.getKey() + " on " + bootstrapServers,
                e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "timed out creating topics on " + bootstrapServers + ": " + topics, e);
    }
  }
}
