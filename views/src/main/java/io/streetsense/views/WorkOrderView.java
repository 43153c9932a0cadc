package io.streetsense.views;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory view of every work order, built by reading the compacted work-orders topic from the
 * beginning on every start (so it survives restarts without state of its own).
 *
 * <p>Reads committed records only (the work-order operator writes transactionally), with manual
 * partition assignment and no consumer group: every instance of the service reads everything. The
 * view is {@linkplain #isCaughtUp() caught up} once it has read every partition up to the end
 * offset it saw at start; before that the HTTP API answers 503.
 *
 * <pre>{@code
 * try (WorkOrderView view = WorkOrderView.start(kafkaProps, topics.workOrders(), listeners)) {
 *   view.awaitCaughtUp(Duration.ofSeconds(30));
 *   view.ofTeam("urban-squad-1", Set.of(WorkOrderStatus.DISPATCHED));
 * }
 * }</pre>
 *
 * <p>A record that cannot be decoded is logged and counted ({@link #undecodable()}), never allowed
 * to stop the view: the topic's other orders still matter to the teams.
 */
public final class WorkOrderView implements WorkOrderReader, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkOrderView.class);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long PARTITION_REFRESH_MS = 30_000;

  /** Called on the view's consumer thread for every record, in offset order per partition. */
  public interface Listener {
    /**
     * @param previous the version the view held before (null for a new order)
     * @param current the new version (null for a tombstone)
     */
    void onRecord(int partition, long offset, WorkOrder previous, WorkOrder current);

    /** The partitions and the end offsets the view must reach to be caught up. */
    default void onAssigned(Map<Integer, Long> endOffsetsAtStart) {}
  }

  /** Runs on the view's thread before it reads, e.g. to wait for the topics and check them. */
  @FunctionalInterface
  public interface BeforeReading {
    /**
     * @param closed true once the view is closing: stop waiting then
     * @return false to stop without reading (closing); an exception stops the view with it
     */
    boolean run(java.util.function.BooleanSupplier closed) throws Exception;
  }

  private final WorkOrderIndex index = new WorkOrderIndex();
  private final AvroCodec<WorkOrder> codec = AvroCodec.of(WorkOrder.class);
  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch caughtUp = new CountDownLatch(1);
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong undecodable = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;
  private volatile Throwable failure;

  private final BeforeReading beforeReading;

  private WorkOrderView(
      Properties kafka, String topic, List<Listener> listeners, BeforeReading beforeReading) {
    this.topic = Objects.requireNonNull(topic, "topic");
    this.beforeReading = Objects.requireNonNull(beforeReading, "beforeReading");
    this.listeners.addAll(listeners);
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    // Reading must never create the topic with the broker's defaults (one partition, delete after
    // the retention time): the pipeline creates it, compacted.
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "streetsense-views-" + topic);
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.thread = new Thread(this::run, "workorder-view");
    this.thread.setDaemon(true);
  }

  /**
   * Starts reading {@code topic} from the beginning.
   *
   * @param kafka consumer properties: at least {@code bootstrap.servers}; security settings pass
   *     through; isolation level, offsets and group are set here
   */
  public static WorkOrderView start(Properties kafka, String topic, List<Listener> listeners) {
    return start(kafka, topic, listeners, closed -> true);
  }

  /**
   * As {@link #start(Properties, String, List)}, running {@code beforeReading} on the view's thread
   * first: the views service waits there for the pipeline's topics and checks them.
   */
  public static WorkOrderView start(
      Properties kafka, String topic, List<Listener> listeners, BeforeReading beforeReading) {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(listeners, "listeners");
    WorkOrderView view = new WorkOrderView(kafka, topic, listeners, beforeReading);
    view.thread.start();
    return view;
  }

  private void run() {
    try {
      if (!beforeReading.run(() -> closed)) {
        return; // closed while waiting
      }
      Map<TopicPartition, Long> target = assignAll();
      if (target == null) {
        return; // closed while waiting for the topic
      }
      long lastRefresh = System.currentTimeMillis();
      while (!closed) {
        ConsumerRecords<String, byte[]> batch = consumer.poll(POLL);
        for (ConsumerRecord<String, byte[]> record : batch) {
          apply(record);
        }
        if (caughtUp.getCount() > 0 && reached(target)) {
          LOG.info(
              "work-order view caught up: {} orders from {} records of {}",
              index.size(),
              records.get(),
              topic);
          caughtUp.countDown();
        }
        if (System.currentTimeMillis() - lastRefresh > PARTITION_REFRESH_MS) {
          lastRefresh = System.currentTimeMillis();
          addNewPartitions();
        }
      }
    } catch (WakeupException e) {
      if (!closed) {
        failure = e;
      }
    } catch (Exception | Error e) {
      failure = e;
      LOG.error("work-order view stopped: {}", e.toString(), e);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  /** Waits for the topic, assigns all its partitions from the beginning; null if closed. */
  private Map<TopicPartition, Long> assignAll() {
    long warnedAt = 0;
    while (!closed) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (infos != null && !infos.isEmpty()) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo info : infos) {
          partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        Map<Integer, Long> byPartition = new HashMap<>();
        end.forEach((tp, offset) -> byPartition.put(tp.partition(), offset));
        for (Listener listener : listeners) {
          listener.onAssigned(byPartition);
        }
        LOG.info(
            "work-order view reading {} from the beginning, end offsets {}", topic, byPartition);
        return new HashMap<>(end);
      }
      if (System.currentTimeMillis() - warnedAt > 60_000) {
        warnedAt = System.currentTimeMillis();
        LOG.warn("work-order topic {} does not exist yet; waiting for it", topic);
      }
      sleep(1000);
    }
    return null;
  }

  private void addNewPartitions() {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
    if (infos == null || infos.size() <= consumer.assignment().size()) {
      return;
    }
    List<TopicPartition> all = new ArrayList<>();
    List<TopicPartition> added = new ArrayList<>();
    for (PartitionInfo info : infos) {
      TopicPartition tp = new TopicPartition(topic, info.partition());
      all.add(tp);
      if (!consumer.assignment().contains(tp)) {
        added.add(tp);
      }
    }
    consumer.assign(all);
    consumer.seekToBeginning(added);
    Map<Integer, Long> fromStart = new HashMap<>();
    for (TopicPartition tp : added) {
      fromStart.put(tp.partition(), 0L);
    }
    for (Listener listener : listeners) {
      listener.onAssigned(fromStart);
    }
    LOG.info("work-order topic {} grew: now reading partitions {} too", topic, added);
  }

  private boolean reached(Map<TopicPartition, Long> target) {
    for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void apply(ConsumerRecord<String, byte[]> record) {
    records.incrementAndGet();
    WorkOrder current = null;
    String id = record.key();
    if (record.value() != null) {
      try {
        current = codec.decode(record.value());
        id = current.getId();
      } catch (IOException e) {
        undecodable.incrementAndGet();
        LOG.warn(
            "skipping undecodable work order at {}-{}@{}: {}",
            record.topic(),
            record.partition(),
            record.offset(),
            e.getMessage());
        return;
      }
    }
    if (id == null) {
      undecodable.incrementAndGet();
      LOG.warn(
          "skipping tombstone without key at {}-{}@{}",
          record.topic(),
          record.partition(),
          record.offset());
      return;
    }
    WorkOrder previous = index.put(id, current);
    for (Listener listener : listeners) {
      try {
        listener.onRecord(record.partition(), record.offset(), previous, current);
      } catch (RuntimeException e) {
        // A failing listener (the MQTT push) must not stop the view that the HTTP API serves.
        LOG.error("work-order view listener failed on {}: {}", id, e.toString(), e);
      }
    }
  }

  /** Waits until the view is caught up; false on timeout. Throws if the view has failed. */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (caughtUp.await(100, TimeUnit.MILLISECONDS)) {
        return true;
      }
      Throwable f = failure;
      if (f != null) {
        throw new IllegalStateException("work-order view failed: " + f, f);
      }
    }
    return caughtUp.getCount() == 0;
  }

  @Override
  public boolean isCaughtUp() {
    return caughtUp.getCount() == 0;
  }

  /** Null while the view runs; the error that stopped it otherwise. */
  public Throwable failure() {
    return failure;
  }

  public long recordsRead() {
    return records.get();
  }

  public long undecodable() {
    return undecodable.get();
  }

  public WorkOrderIndex index() {
    return index;
  }

  @Override
  public Optional<WorkOrder> get(String id) {
    return index.get(id);
  }

  @Override
  public List<WorkOrder> ofTeam(String teamId, Set<WorkOrderStatus> statuses) {
    return index.ofTeam(teamId, statuses);
  }

  @Override
  public List<WorkOrder> withStatus(Set<WorkOrderStatus> statuses) {
    return index.withStatus(statuses);
  }

  @Override
  public List<WorkOrder> matching(Predicate<WorkOrder> filter) {
    return index.matching(filter);
  }

  @Override
  public int size() {
    return index.size();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
