package io.streetsense.schemas;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's topic layout, created and checked in one place.
 *
 * <p>The job ({@code streetsense run}, {@code streetsense job}) {@linkplain #ensure creates} the
 * missing topics with their role's configuration and then {@linkplain #verify verifies} all of
 * them. The views and the bridge never create a topic: they {@linkplain #await wait} for the ones
 * they use and verify them the same way. No client of ours lets the broker auto-create a topic
 * (consumers set {@code allow.auto.create.topics=false}; producers start only once this class has
 * seen their topic), so a topic made with the broker's defaults — one partition, {@code
 * cleanup.policy=delete} — cannot appear behind the pipeline's back.
 *
 * <p>What each role needs, and what {@link #verify} refuses:
 *
 * <ul>
 *   <li>{@code workorders}: compacted. {@code cleanup.policy} must include {@code compact}; with
 *       {@code compact,delete} also {@code retention.ms=-1}, since the views rebuild every order
 *       from this topic on every start and must not lose the old ones.
 *   <li>every other topic: {@code cleanup.policy=delete}. They are keyed by device, zone, order or
 *       source topic, so compaction would drop readings, violations, commands and dead letters.
 *   <li>partitions: at least the pipeline's {@code --partitions}. Fewer is refused (a topic with
 *       fewer was made by someone else, e.g. auto-created, and leaves the job's source readers
 *       idle); more is accepted, the job and the views pick up added partitions. The views and the
 *       bridge do not know the pipeline's setting and ask for at least one.
 * </ul>
 *
 * <p>{@code message.timestamp.type} is not checked: the job takes event time from the records' own
 * fields ({@code eventTime}, {@code requestedAt}) and never from Kafka's record timestamp, so
 * {@code LogAppendTime} changes nothing it computes.
 */
public final class PipelineTopics {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineTopics.class);
  private static final long REQUEST_TIMEOUT_S = 60;

  /** How long a topic created a moment ago may take to be described by the broker. */
  private static final Duration CREATED_VISIBLE_WITHIN = Duration.ofSeconds(30);

  private PipelineTopics() {}

  /** A topic exists with a setting that is wrong for its role. */
  public static final class TopicMismatchException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final String topic;
    private final String setting;
    private final String found;
    private final String needed;

    TopicMismatchException(String topic, String setting, String found, String needed) {
      super(
          "Kafka topic '"
              + topic
              + "' has "
              + setting
              + "="
              + found
              + " but the pipeline needs "
              + setting
              + "="
              + needed
              + " (fix the topic, e.g. with kafka-configs.sh or kafka-topics.sh, or delete it and"
              + " let streetsense run/job create it)");
      this.topic = topic;
      this.setting = setting;
      this.found = found;
      this.needed = needed;
    }

    public String topic() {
      return topic;
    }

    public String setting() {
      return setting;
    }

    public String found() {
      return found;
    }

    public String needed() {
      return needed;
    }
  }

  /**
   * Client properties for {@link #ensure}, {@link #verify} and {@link #await}: {@code
   * clientProperties} (security settings, config providers) with {@code bootstrapServers}.
   */
  public static Properties adminProperties(String bootstrapServers, Properties clientProperties) {
    Properties admin = new Properties();
    admin.putAll(clientProperties);
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return admin;
  }

  /** As {@link #adminProperties(String, Properties)}, from a map of client properties. */
  public static Properties adminProperties(
      String bootstrapServers, Map<String, String> clientProperties) {
    Properties client = new Properties();
    client.putAll(clientProperties);
    return adminProperties(bootstrapServers, client);
  }

  /** The configuration the pipeline creates {@code topic} with (besides its partitions). */
  public static Map<String, String> creationConfig(Topics topics, String topic) {
    return topics.compacted().contains(topic)
        ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)
        : Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE);
  }

  /**
   * Creates every missing topic of {@code topics} with {@code partitions} partitions, the broker's
   * default replication factor and its role's configuration, then verifies all of them. A topic
   * created concurrently by someone else (another job starting, an operator) is fine as long as it
   * passes {@link #verify}.
   *
   * @param adminProperties Kafka client properties with at least {@code bootstrap.servers};
   *     security settings pass through
   * @throws TopicMismatchException when an existing topic is wrong for its role
   */
  public static void ensure(Properties adminProperties, Topics topics, int partitions) {
    requirePartitions(partitions);
    try (Admin admin = Admin.create(adminConfig(adminProperties))) {
      Set<String> existing = admin.listTopics().names().get(REQUEST_TIMEOUT_S, TimeUnit.SECONDS);
      List<NewTopic> missing = new ArrayList<>();
      for (String topic : topics.all()) {
        if (!existing.contains(topic)) {
          missing.add(
              new NewTopic(topic, partitions, (short) -1).configs(creationConfig(topics, topic)));
        }
      }
      List<String> created = new ArrayList<>();
      if (!missing.isEmpty()) {
        Map<String, KafkaFuture<Void>> results = admin.createTopics(missing).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
          try {
            result.getValue().get(REQUEST_TIMEOUT_S, TimeUnit.SECONDS);
            created.add(result.getKey());
          } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
              throw new IllegalStateException(
                  "could not create Kafka topic '" + result.getKey() + "': " + e.getCause(),
                  e.getCause());
            }
            LOG.info("topic {} was created concurrently; verifying it", result.getKey());
          }
        }
      }
      if (!created.isEmpty()) {
        LOG.info(
            "created topics {} with {} partitions (compacted: {})",
            created,
            partitions,
            topics.compacted());
      }
      long deadline = System.nanoTime() + CREATED_VISIBLE_WITHIN.toNanos();
      while (true) {
        Set<String> absent = verify(admin, topics, topics.all(), partitions);
        if (absent.isEmpty()) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kafka topics " + absent + " were created but the broker does not describe them");
        }
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the pipeline's topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create the pipeline's Kafka topics: " + e, e);
    }
  }

  /**
   * Checks that every topic in {@code names} (a subset of {@code topics}) exists and is right for
   * its role.
   *
   * @throws TopicMismatchException when a topic is wrong for its role
   * @throws IllegalStateException when a topic does not exist
   */
  public static void verify(
      Properties adminProperties, Topics topics, Collection<String> names, int minPartitions) {
    requirePartitions(minPartitions);
    try (Admin admin = Admin.create(adminConfig(adminProperties))) {
      Set<String> absent = verify(admin, topics, names, minPartitions);
      if (!absent.isEmpty()) {
        throw new IllegalStateException(
            "Kafka topics "
                + absent
                + " do not exist (streetsense run or streetsense job creates them)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while checking the Kafka topics", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not check the Kafka topics " + names + ": " + e, e);
    }
  }

  /**
   * Waits until every topic in {@code names} exists, then verifies them: for the parts that read or
   * write the pipeline's topics but never create them (the views, the bridge), which may start
   * before the job. Logs which topics it waits for, at start and every minute.
   *
   * @param timeout how long to wait for the topics to exist; null for as long as it takes
   * @param stop polled while waiting: true gives up (e.g. the caller is closing)
   * @return true once the topics exist and are right; false if {@code stop} said to give up
   * @throws TopicMismatchException when a topic is wrong for its role
   * @throws IllegalStateException when the topics do not appear within {@code timeout}
   */
  public static boolean await(
      Properties adminProperties,
      Topics topics,
      Collection<String> names,
      int minPartitions,
      Duration timeout,
      BooleanSupplier stop) {
    requirePartitions(minPartitions);
    long started = System.nanoTime();
    long lastLog = 0;
    try (Admin admin = Admin.create(adminConfig(adminProperties))) {
      while (!stop.getAsBoolean()) {
        Set<String> absent;
        try {
          long callMs = 10_000;
          if (timeout != null) {
            long leftMs = timeout.toMillis() - (System.nanoTime() - started) / 1_000_000;
            callMs = Math.max(1_000, Math.min(callMs, leftMs));
          }
          absent = verify(admin, topics, names, minPartitions, callMs);
        } catch (TimeoutException e) {
          absent = new LinkedHashSet<>(names);
          LOG.debug("Kafka does not answer yet: {}", e.toString());
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof RetriableException)) {
            // Wrong credentials, not allowed to describe the topics: no use waiting. Kafka's own
            // exception says it best (SaslAuthenticationException, TopicAuthorizationException).
            if (e.getCause() instanceof RuntimeException cause) {
              throw cause;
            }
            throw new IllegalStateException(
                "cannot check the Kafka topics " + names + ": " + e.getCause(), e.getCause());
          }
          absent = new LinkedHashSet<>(names);
          LOG.debug("Kafka does not answer yet: {}", e.getCause().toString());
        }
        if (absent.isEmpty()) {
          LOG.info("Kafka topics {} are there and right for their roles", names);
          return true;
        }
        long now = System.nanoTime();
        if (timeout != null && now - started > timeout.toNanos()) {
          throw new IllegalStateException(
              "Kafka topics "
                  + absent
                  + " do not exist after "
                  + timeout
                  + "; the pipeline (streetsense run or streetsense job) creates them");
        }
        if (lastLog == 0 || now - lastLog > TimeUnit.MINUTES.toNanos(1)) {
          lastLog = now;
          LOG.info(
              "waiting for Kafka topics {}: the pipeline (streetsense run or streetsense job)"
                  + " creates them",
              absent);
        }
        Thread.sleep(500);
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Verifies the topics that exist; returns the ones that do not. */
  private static Set<String> verify(
      Admin admin, Topics topics, Collection<String> names, int minPartitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    return verify(
        admin, topics, names, minPartitions, TimeUnit.SECONDS.toMillis(REQUEST_TIMEOUT_S));
  }

  private static Set<String> verify(
      Admin admin, Topics topics, Collection<String> names, int minPartitions, long timeoutMs)
      throws InterruptedException, ExecutionException, TimeoutException {
    for (String name : names) {
      if (!topics.all().contains(name)) {
        throw new IllegalArgumentException(name + " is not one of the pipeline's topics " + topics);
      }
    }
    Set<String> absent = new LinkedHashSet<>();
    Map<String, TopicDescription> described = new LinkedHashMap<>();
    Map<String, KafkaFuture<TopicDescription>> descriptions =
        admin.describeTopics(names).topicNameValues();
    for (Map.Entry<String, KafkaFuture<TopicDescription>> d : descriptions.entrySet()) {
      try {
        described.put(d.getKey(), d.getValue().get(timeoutMs, TimeUnit.MILLISECONDS));
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          absent.add(d.getKey());
        } else {
          throw e;
        }
      }
    }
    if (described.isEmpty()) {
      return absent;
    }
    List<ConfigResource> resources = new ArrayList<>();
    for (String name : described.keySet()) {
      resources.add(new ConfigResource(ConfigResource.Type.TOPIC, name));
    }
    Map<ConfigResource, Config> configs;
    try {
      configs = admin.describeConfigs(resources).all().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        // Described a moment ago, configuration not yet: treat all as absent and look again.
        absent.addAll(described.keySet());
        return absent;
      }
      throw e;
    }
    for (TopicDescription description : described.values()) {
      String topic = description.name();
      Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
      check(topics, topic, description.partitions().size(), config, minPartitions);
    }
    return absent;
  }

  private static void check(
      Topics topics, String topic, int partitions, Config config, int minPartitions) {
    if (partitions < minPartitions) {
      throw new TopicMismatchException(
          topic,
          "partitions",
          Integer.toString(partitions),
          "at least " + minPartitions + " (the pipeline's --partitions)");
    }
    String policy = value(config, TopicConfig.CLEANUP_POLICY_CONFIG);
    Set<String> policies = new LinkedHashSet<>();
    for (String p : (policy == null ? "" : policy).split(",")) {
      if (!p.isBlank()) {
        policies.add(p.strip().toLowerCase(java.util.Locale.ROOT));
      }
    }
    if (topics.compacted().contains(topic)) {
      if (!policies.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
        throw new TopicMismatchException(
            topic, TopicConfig.CLEANUP_POLICY_CONFIG, policy, TopicConfig.CLEANUP_POLICY_COMPACT);
      }
      String retention = value(config, TopicConfig.RETENTION_MS_CONFIG);
      if (policies.contains(TopicConfig.CLEANUP_POLICY_DELETE) && !"-1".equals(retention)) {
        throw new TopicMismatchException(
            topic,
            TopicConfig.RETENTION_MS_CONFIG,
            retention,
            "-1 (with cleanup.policy=" + policy + "; or cleanup.policy=compact alone)");
      }
    } else if (policies.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
      throw new TopicMismatchException(
          topic, TopicConfig.CLEANUP_POLICY_CONFIG, policy, TopicConfig.CLEANUP_POLICY_DELETE);
    }
  }

  private static String value(Config config, String name) {
    ConfigEntry entry = config == null ? null : config.get(name);
    return entry == null ? null : entry.value();
  }

  private static void requirePartitions(int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
  }

  private static Properties adminConfig(Properties clientProperties) {
    Objects.requireNonNull(clientProperties, "adminProperties");
    if (clientProperties.getProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
      throw new IllegalArgumentException("adminProperties need bootstrap.servers");
    }
    // Everything passes through (security settings, config providers); the Admin client ignores
    // consumer and producer settings.
    Properties admin = new Properties();
    admin.putAll(clientProperties);
    admin.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "streetsense-topics");
    return admin;
  }
}
