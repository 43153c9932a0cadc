package io.streetsense.benchmarks.load;

import io.streetsense.benchmarks.accuracy.Detection;
import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderTransition;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what the system under test writes, as its consumers do ({@code read_committed}), and turns
 * each record into latency samples against the intended publish time of the device message that
 * made it possible (see {@link TimeMap}):
 *
 * <ul>
 *   <li>a violation record (opened, updated, cleared) is emitted when the watermark passes its
 *       event time E, i.e. once a message with event time E + maxOutOfOrderness has arrived on
 *       every source partition: <b>processing latency</b> = its Kafka append time − intended(E +
 *       ooo); <b>from the observation</b> = append − intended(E) (adds the configured
 *       out-of-orderness, in wall time); <b>visible</b> = when this reader got it (after the
 *       transaction committed on a checkpoint) − intended(E + ooo);
 *   <li>a work-order record made by the detector or the system (deadlines) at event time T: the
 *       same with T;
 *   <li>a forwarded record of the passthrough baseline: append (or visible) − intended(its event
 *       time); only some partitions are read, as a sample.
 * </ul>
 *
 * <p>The topics are created with {@code message.timestamp.type=LogAppendTime}, so a record's
 * timestamp is when the broker appended it (for a transactional sink: before the commit).
 */
final class OutputReader implements AutoCloseable {
  private static final AvroCodec<ViolationEvent> VIOLATIONS = AvroCodec.of(ViolationEvent.class);
  private static final AvroCodec<WorkOrder> WORK_ORDERS = AvroCodec.of(WorkOrder.class);
  private static final AvroCodec<ParkingSensorEvent> PARKING =
      AvroCodec.of(ParkingSensorEvent.class);
  private static final AvroCodec<CameraFrame> CAMERA = AvroCodec.of(CameraFrame.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final String violationsTopic;
  private final String workOrdersTopic;
  private final String forwardPrefix;
  private final Supplier<TimeMap> map;
  private final long oooMs;
  private final LatencyBook book;
  private final Thread thread;
  private final List<Detection> opened = new ArrayList<>();
  private final java.util.Map<String, Integer> historySizes = new java.util.HashMap<>();
  final AtomicLong violations = new AtomicLong();
  final AtomicLong workOrders = new AtomicLong();
  final AtomicLong forwarded = new AtomicLong();
  final AtomicLong notAppendTime = new AtomicLong();
  final AtomicLong undecodable = new AtomicLong();
  private volatile boolean stopping;

  /**
   * @param forwardPrefix the passthrough's forward topics' prefix, or null for the real pipeline
   * @param forwardPartitions how many partitions of each forward topic to read (a sample)
   */
  OutputReader(
      String bootstrap,
      String violationsTopic,
      String workOrdersTopic,
      String forwardPrefix,
      int forwardPartitions,
      Supplier<TimeMap> map,
      long oooMs,
      LatencyBook book) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "50");
    this.consumer = new KafkaConsumer<>(p);
    this.violationsTopic = violationsTopic;
    this.workOrdersTopic = workOrdersTopic;
    this.forwardPrefix = forwardPrefix;
    this.map = map;
    this.oooMs = oooMs;
    this.book = book;
    List<TopicPartition> partitions = new ArrayList<>();
    if (forwardPrefix == null) {
      partitions.addAll(partitions(violationsTopic, Integer.MAX_VALUE));
      partitions.addAll(partitions(workOrdersTopic, Integer.MAX_VALUE));
    } else {
      partitions.addAll(
          partitions(forwardPrefix + PassthroughJob.PARKING_SUFFIX, forwardPartitions));
      partitions.addAll(
          partitions(forwardPrefix + PassthroughJob.CAMERA_SUFFIX, forwardPartitions));
    }
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    this.thread = new Thread(this::loop, "loadtest-output-reader");
    thread.setDaemon(true);
    thread.start();
  }

  private List<TopicPartition> partitions(String topic, int limit) {
    List<TopicPartition> out = new ArrayList<>();
    for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
      if (info.partition() < limit) {
        out.add(new TopicPartition(topic, info.partition()));
      }
    }
    return out;
  }

  private void loop() {
    try {
      poll();
    } catch (Throwable t) {
      failure = t.toString();
      t.printStackTrace(System.out);
    }
  }

  /** Why the reader stopped early, or null. */
  volatile String failure;

  private void poll() {
    while (!stopping) {
      var batch = consumer.poll(Duration.ofMillis(100));
      double receivedMs = System.currentTimeMillis();
      TimeMap m = map.get();
      for (ConsumerRecord<byte[], byte[]> r : batch) {
        if (r.timestampType() != TimestampType.LOG_APPEND_TIME) {
          notAppendTime.incrementAndGet();
        }
        try {
          handle(r, m, receivedMs);
        } catch (IOException | RuntimeException e) {
          undecodable.incrementAndGet();
        }
      }
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r, TimeMap m, double receivedMs)
      throws IOException {
    double append = r.timestamp();
    if (r.topic().equals(violationsTopic)) {
      ViolationEvent v = VIOLATIONS.decode(r.value());
      violations.incrementAndGet();
      long e = v.getEventTime().toEpochMilli();
      double due = m.measuredIntendedMs(e + oooMs);
      book.record("violation", due, append - due);
      book.record("violation:" + v.getType(), due, append - due);
      book.record("violationVisible", due, receivedMs - due);
      double observed = m.measuredIntendedMs(e);
      book.record("violationFromObservation", observed, append - observed);
      if (v.getKind() == ViolationEventKind.OPENED) {
        synchronized (opened) {
          opened.add(
              new Detection(
                  v.getViolationId(),
                  v.getBlockId(),
                  v.getZoneId(),
                  v.getType().name(),
                  v.getShopId(),
                  v.getDetectedAt(),
                  v.getEventTime()));
        }
      }
    } else if (r.topic().equals(workOrdersTopic)) {
      WorkOrder w = WORK_ORDERS.decode(r.value());
      workOrders.incrementAndGet();
      List<WorkOrderTransition> history = w.getHistory();
      if (history.isEmpty()) {
        return;
      }
      WorkOrderTransition last = history.get(history.size() - 1);
      Integer seen = historySizes.put(w.getId(), history.size());
      if (seen == null) {
        // The filing record (FILE, and DISPATCH when a team is routed): its time is the opening
        // violation's event time, so it is due as that violation record is.
        double due = m.measuredIntendedMs(history.get(0).getAt().toEpochMilli() + oooMs);
        book.record("workOrder", due, append - due);
        book.record("workOrderVisible", due, receivedMs - due);
      } else if (!last.getActor().startsWith("team:") && !last.getActor().startsWith("ops:")) {
        // A later change by the detector or the system (new evidence, verification, escalation):
        // due when the watermark passed its event time (updatedAt). Diagnostics, by kind.
        String kind = history.size() > seen ? last.getKind().name() : "EVIDENCE";
        double due = m.measuredIntendedMs(w.getUpdatedAt().toEpochMilli() + oooMs);
        book.record("workOrder:" + kind, due, append - due);
      }
    } else {
      long e =
          r.topic().endsWith(PassthroughJob.PARKING_SUFFIX)
              ? PARKING.decode(r.value()).getEventTime().toEpochMilli()
              : CAMERA.decode(r.value()).getEventTime().toEpochMilli();
      forwarded.incrementAndGet();
      double due = m.measuredIntendedMs(e);
      book.record("forward", due, append - due);
      book.record("forwardVisible", due, receivedMs - due);
    }
  }

  /** The violations opened so far. */
  List<Detection> opened() {
    synchronized (opened) {
      return List.copyOf(opened);
    }
  }

  @Override
  public void close() {
    stopping = true;
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    consumer.close(Duration.ofSeconds(5));
  }
}
