package io.streetsense.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from the beginning, without a consumer group. */
final class KafkaReader {
  private KafkaReader() {}

  /** Reads until {@code done} holds for what was read, or fails after {@code timeout}. */
  static List<ConsumerRecord<byte[], byte[]>> readUntil(
      String bootstrap,
      String topic,
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
      Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                16 << 20,
                ConsumerConfig.FETCH_MAX_BYTES_CONFIG,
                64 << 20))) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(records)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "timed out after "
                  + timeout
                  + " reading "
                  + topic
                  + ": "
                  + records.size()
                  + " records");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    }
    return records;
  }

  /** Reads at least {@code count} records. */
  static List<ConsumerRecord<byte[], byte[]>> readAtLeast(
      String bootstrap, String topic, int count, Duration timeout) {
    return readUntil(bootstrap, topic, r -> r.size() >= count, timeout);
  }

  /** Reads what is there: until a poll returns nothing for a while. */
  static List<ConsumerRecord<byte[], byte[]>> readQuiet(String bootstrap, String topic) {
    long[] lastSize = {-1};
    long[] stableSince = {0};
    return readUntil(
        bootstrap,
        topic,
        r -> {
          long now = System.nanoTime();
          if (r.size() != lastSize[0]) {
            lastSize[0] = r.size();
            stableSince[0] = now;
            return false;
          }
          return now - stableSince[0] > Duration.ofSeconds(2).toNanos();
        },
        Duration.ofMinutes(2));
  }
}
