package io.streetsense.app;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderTransition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What a downstream consumer sees of the work-orders topic: committed records only ({@code
 * read_committed}), every record from the beginning, in the order of the topic.
 */
final class CommittedOrders implements AutoCloseable {
  private static final AvroCodec<WorkOrder> CODEC = AvroCodec.of(WorkOrder.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String orderKey;
  private final List<WorkOrder> committed = new ArrayList<>();
  private WorkOrder latest;

  /** Reads {@code topic}; {@link #await} watches the orders filed under {@code orderKey}. */
  CommittedOrders(String bootstrapServers, String topic, String orderKey) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    this.consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(p -> new TopicPartition(topic, p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.orderKey = orderKey;
  }

  /** Every committed record read so far, of every order. */
  List<WorkOrder> committed() {
    poll(Duration.ZERO);
    return List.copyOf(committed);
  }

  /** The history of the latest committed record under the order key (empty before the first). */
  List<WorkOrderTransition> latestHistory() {
    poll(Duration.ZERO);
    return latest == null ? List.of() : latest.getHistory();
  }

  /** Waits until the latest committed record under the order key satisfies {@code condition}. */
  WorkOrder await(String run, String what, Duration timeout, Predicate<WorkOrder> condition)
      throws InterruptedException {
    return await(run, what, timeout, condition, () -> {});
  }

  /** As {@link #await}, running {@code meanwhile} between polls (every 100 ms or so). */
  WorkOrder await(
      String run, String what, Duration timeout, Predicate<WorkOrder> condition, Runnable meanwhile)
      throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      poll(Duration.ofMillis(100));
      meanwhile.run();
      if (latest != null && condition.test(latest)) {
        System.out.println(
            "[CommittedOrders "
                + run
                + "] committed "
                + what
                + " after "
                + Duration.ofNanos(System.nanoTime() - t0).toMillis()
                + " ms");
        return latest;
      }
    }
    throw new AssertionError(
        run
            + ": no committed "
            + what
            + " within "
            + timeout
            + "; latest committed: "
            + (latest == null
                ? "none"
                : latest.getStatus()
                    + " "
                    + latest.getHistory().stream().map(WorkOrderTransition::getKind).toList()
                    + " ("
                    + latest.getLatestNote()
                    + ")"));
  }

  /**
   * How many records of the topic belong to aborted transactions (what a failed attempt wrote and
   * never committed): those a {@code read_uncommitted} reader sees less those a {@code
   * read_committed} one sees, both read now. Counting against records consumed earlier would be
   * wrong on the compacted work-order topic, whose cleaner may have removed superseded records
   * since.
   */
  static int countAborted(String bootstrapServers, String topic) {
    return readAll(bootstrapServers, topic, "read_uncommitted").size()
        - readAll(bootstrapServers, topic, "read_committed").size();
  }

  /** The committed dead letters of a topic, counted by reason and detail's first words. */
  static Map<String, Long> committedDeadLetters(String bootstrapServers, String topic) {
    AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
    Map<String, Long> reasons = new TreeMap<>();
    for (byte[] value : readAll(bootstrapServers, topic, "read_committed")) {
      try {
        DeadLetter letter = codec.decode(value);
        String detail = letter.getDetail() == null ? "" : letter.getDetail();
        String what = letter.getReason() + " " + detail.substring(0, Math.min(60, detail.length()));
        reasons.merge(what, 1L, Long::sum);
      } catch (IOException e) {
        throw new UncheckedIOException("not a dead letter in " + topic, e);
      }
    }
    return reasons;
  }

  /** Every record value of the topic, from the beginning to the end offsets seen at the start. */
  private static List<byte[]> readAll(String bootstrapServers, String topic, String isolation) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<byte[], byte[]> all =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          all.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      all.assign(partitions);
      all.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = all.endOffsets(partitions);
      List<byte[]> values = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (partitions.stream().anyMatch(p -> all.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read " + topic + " to its end " + end);
        }
        for (ConsumerRecord<byte[], byte[]> record : all.poll(Duration.ofMillis(100))) {
          values.add(record.value());
        }
      }
      return values;
    }
  }

  private void poll(Duration timeout) {
    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
      WorkOrder order;
      try {
        order = CODEC.decode(record.value());
      } catch (IOException e) {
        throw new UncheckedIOException("not a work order at offset " + record.offset(), e);
      }
      committed.add(order);
      if (orderKey.equals(order.getOrderKey())) {
        latest = order;
      }
    }
  }

  @Override
  public void close() {
    consumer.close();
  }
}
