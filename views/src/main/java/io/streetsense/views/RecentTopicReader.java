package io.streetsense.views;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the recent part of some topics and then follows them, on a thread of its own, for the
 * console's views that need only the last while of a topic (device health: the last offline limit
 * of the device topics; violations standing: the last day). No consumer group: every views process
 * reads for itself from a time back, found with {@code offsetsForTimes}, and nothing is committed.
 * Waits for topics that do not exist yet. Each record goes to {@code onRecord}, and {@code
 * everySecond} runs about once a second, both on the reader's thread.
 */
final class RecentTopicReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecentTopicReader.class);

  private final String name;
  private final Map<String, Duration> lookBack;
  private final Clock clock;
  private final Consumer<ConsumerRecord<String, byte[]>> onRecord;
  private final Runnable everySecond;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean closed;

  /**
   * @param name what the reader is for, in its log lines and thread name ("device-health view")
   * @param clientId the Kafka client id
   * @param lookBack per topic, how far back to start reading
   * @param readCommitted read only committed records (topics written in transactions)
   */
  RecentTopicReader(
      String name,
      Properties kafka,
      String clientId,
      Map<String, Duration> lookBack,
      boolean readCommitted,
      Clock clock,
      Consumer<ConsumerRecord<String, byte[]>> onRecord,
      Runnable everySecond) {
    this.name = Objects.requireNonNull(name, "name");
    this.lookBack = new LinkedHashMap<>(lookBack);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onRecord = Objects.requireNonNull(onRecord, "onRecord");
    this.everySecond = Objects.requireNonNull(everySecond, "everySecond");
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    if (readCommitted) {
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    }
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, name.replace(' ', '-'));
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    try {
      if (!assign()) {
        return;
      }
      long lastTick = 0;
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          onRecord.accept(r);
        }
        long now = System.currentTimeMillis();
        if (now - lastTick >= 1000) {
          lastTick = now;
          everySecond.run();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("{} stopped: {}", name, e.toString(), e);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  /**
   * Waits for every topic, then starts each its look-back's time ago. False if closed meanwhile.
   */
  private boolean assign() {
    long warnedAt = 0;
    while (!closed) {
      Map<TopicPartition, Long> from = new HashMap<>();
      boolean all = true;
      long now = clock.millis();
      for (Map.Entry<String, Duration> topic : lookBack.entrySet()) {
        List<PartitionInfo> parts = consumer.partitionsFor(topic.getKey(), Duration.ofSeconds(10));
        if (parts == null || parts.isEmpty()) {
          all = false;
          break;
        }
        for (PartitionInfo p : parts) {
          from.put(
              new TopicPartition(topic.getKey(), p.partition()), now - topic.getValue().toMillis());
        }
      }
      if (all) {
        consumer.assign(from.keySet());
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(from);
        List<TopicPartition> toEnd = new ArrayList<>();
        offsets.forEach(
            (tp, o) -> {
              if (o == null) {
                toEnd.add(tp);
              } else {
                consumer.seek(tp, o.offset());
              }
            });
        consumer.seekToEnd(toEnd);
        LOG.info("{} reading {}", name, describe());
        return true;
      }
      if (System.currentTimeMillis() - warnedAt > 60_000) {
        warnedAt = System.currentTimeMillis();
        LOG.info("{} waiting for Kafka topics {}", name, lookBack.keySet());
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private String describe() {
    List<String> parts = new ArrayList<>();
    lookBack.forEach((topic, back) -> parts.add(topic + " from " + back + " back"));
    return String.join(", ", parts);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
