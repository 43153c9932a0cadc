package io.streetsense.ingest;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge's core, free of MQTT: validate a message, write it (or its dead letter) to Kafka, and
 * acknowledge it to MQTT only after Kafka acknowledged it, in arrival order.
 *
 * <p>Window: a semaphore of {@code window} permits; {@link #submit} takes one and blocks while none
 * is left (backpressure into Paho's callback thread, so into TCP and the broker's queue). A permit
 * comes back when the message's acknowledgement has gone out.
 *
 * <p>Ordered acknowledgements: MQTT wants PUBACKs in the order the PUBLISHes arrived. Entries wait
 * in an arrival-ordered queue; a Kafka callback marks its entry done, and the done prefix of the
 * queue is acknowledged. A slow record holds back the acknowledgements of later ones, never the
 * other way round.
 *
 * <p>Kafka failures: within {@code delivery.timeout.ms} the idempotent producer retries by itself,
 * in order. When it gives up with a retriable error (broker down longer than that), the record is
 * re-sent by this class after a backoff, oldest first, for as long as it takes: its MQTT
 * acknowledgement (and every later one) is held, so nothing is lost, and the broker keeps
 * redelivering on reconnect. A non-retriable error (authorization, record too large, ...) is a
 * configuration problem that re-sending cannot fix: the forwarder stops loudly, reporting the error
 * to {@code onFatal}, and acknowledges nothing more.
 */
final class Forwarder {
  private static final Logger LOG = LoggerFactory.getLogger(Forwarder.class);
  static final String STAGE = "ingest";
  static final String HEADER_TOPIC = "mqtt.topic";
  static final String HEADER_RECEIVED_AT = "received.at";
  static final String HEADER_PAYLOAD_SIZE = "payload.size";
  private static final long PERMIT_POLL_MS = 100;

  /** Acknowledges one MQTT message; called in arrival order, under the forwarder's lock. */
  interface Acker {
    void ack(int messageId, int qos, long generation);
  }

  private static final AvroCodec<ParkingSensorEvent> PARKING =
      AvroCodec.of(ParkingSensorEvent.class);
  private static final AvroCodec<CameraFrame> CAMERA = AvroCodec.of(CameraFrame.class);
  private static final AvroCodec<DeadLetter> DEAD_LETTER = AvroCodec.of(DeadLetter.class);

  private final MessageValidator validator;
  private final Producer<byte[], byte[]> producer;
  private final Topics topics;
  private final BridgeMetrics metrics;
  private final Clock clock;
  private final int deadLetterMaxPayloadBytes;
  private final Duration retryBackoffMin;
  private final Duration retryBackoffMax;
  private final ScheduledExecutorService scheduler;
  private final Acker acker;
  private final Consumer<Throwable> onFatal;
  private final Semaphore permits;

  private final Object lock = new Object();
  private final ArrayDeque<Entry> queue = new ArrayDeque<>();
  private final PriorityQueue<Entry> retries =
      new PriorityQueue<>(Comparator.comparingLong(e -> e.arrival));
  private long arrivals;
  private boolean retryScheduled;
  private int consecutiveFailures;
  private int retryRounds;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  Forwarder(
      MessageValidator validator,
      Producer<byte[], byte[]> producer,
      Topics topics,
      BridgeMetrics metrics,
      Clock clock,
      int window,
      int deadLetterMaxPayloadBytes,
      Duration retryBackoffMin,
      Duration retryBackoffMax,
      ScheduledExecutorService scheduler,
      Acker acker,
      Consumer<Throwable> onFatal) {
    this.validator = Objects.requireNonNull(validator, "validator");
    this.producer = Objects.requireNonNull(producer, "producer");
    this.topics = Objects.requireNonNull(topics, "topics");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.deadLetterMaxPayloadBytes = deadLetterMaxPayloadBytes;
    this.retryBackoffMin = Objects.requireNonNull(retryBackoffMin, "retryBackoffMin");
    this.retryBackoffMax = Objects.requireNonNull(retryBackoffMax, "retryBackoffMax");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.acker = Objects.requireNonNull(acker, "acker");
    this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1: " + window);
    }
    this.permits = new Semaphore(window);
  }

  /**
   * Takes one message: validates it, sends it to Kafka, and acknowledges it later. Blocks while the
   * in-flight window is full.
   *
   * @param abandon polled while waiting for the window: true when the message is no longer wanted
   *     (its connection dropped, the bridge is closing)
   * @return false when the message was not taken (the forwarder failed or {@code abandon} said so);
   *     it is then not acknowledged and the broker redelivers it
   * @throws InterruptedException when interrupted while waiting for the window (not taken either)
   */
  boolean submit(
      String topic,
      byte[] payload,
      int messageId,
      int qos,
      long generation,
      BooleanSupplier abandon)
      throws InterruptedException {
    // Wait for a permit, but give up on a message whose MQTT connection is gone (the broker
    // redelivers it) so that Paho can stop its callback thread while Kafka is down.
    while (!permits.tryAcquire(PERMIT_POLL_MS, TimeUnit.MILLISECONDS)) {
      if (failure.get() != null || abandon.getAsBoolean()) {
        return false;
      }
    }
    if (failure.get() != null || abandon.getAsBoolean()) {
      permits.release();
      return false;
    }
    Instant receivedAt = clock.instant();
    metrics.received();
    ValidationResult result = validator.validate(topic, payload, receivedAt);
    Entry entry = toEntry(result, topic, payload, receivedAt, messageId, qos, generation);
    synchronized (lock) {
      entry.arrival = arrivals++;
      queue.addLast(entry);
    }
    metrics.inFlightChanged(1);
    send(entry);
    return true;
  }

  /** Messages taken and not yet acknowledged. */
  int inFlight() {
    synchronized (lock) {
      return queue.size();
    }
  }

  Throwable failure() {
    return failure.get();
  }

  /**
   * Waits until every taken message is acknowledged, the forwarder failed, or the timeout passed.
   *
   * @return true when nothing is in flight any more
   */
  boolean awaitDrained(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!queue.isEmpty() && failure.get() == null) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return queue.isEmpty();
    }
  }

  private Entry toEntry(
      ValidationResult result,
      String topic,
      byte[] payload,
      Instant receivedAt,
      int messageId,
      int qos,
      long generation) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(HEADER_TOPIC, topic.getBytes(StandardCharsets.UTF_8));
    headers.add(
        HEADER_RECEIVED_AT,
        Long.toString(receivedAt.toEpochMilli()).getBytes(StandardCharsets.US_ASCII));
    if (result instanceof ValidationResult.Accepted ok) {
      byte[] key = ok.topic().kafkaKey().getBytes(StandardCharsets.UTF_8);
      ProducerRecord<byte[], byte[]> record =
          ok.record() instanceof ParkingSensorEvent parking
              ? new ProducerRecord<>(topics.parking(), null, key, PARKING.encode(parking), headers)
              : new ProducerRecord<>(
                  topics.camera(), null, key, CAMERA.encode((CameraFrame) ok.record()), headers);
      return new Entry(record, ok.topic().kind(), null, messageId, qos, generation);
    }
    Rejection rejection = (Rejection) result;
    byte[] kept = payload;
    String detail = rejection.detail();
    if (payload.length > deadLetterMaxPayloadBytes) {
      // A Kafka record cannot hold an arbitrarily large MQTT payload (MQTT allows 256 MB); keep
      // the head, and say so with the full size and a digest, rather than fail the bridge.
      kept = Arrays.copyOf(payload, deadLetterMaxPayloadBytes);
      detail +=
          " [payload truncated for the dead-letter topic: first "
              + deadLetterMaxPayloadBytes
              + " of "
              + payload.length
              + " bytes kept; sha256 of the full payload "
              + sha256(payload)
              + "]";
    }
    headers.add(
        HEADER_PAYLOAD_SIZE, Integer.toString(payload.length).getBytes(StandardCharsets.US_ASCII));
    DeadLetter letter =
        DeadLetter.newBuilder()
            .setStage(STAGE)
            .setReason(rejection.reason().name())
            .setDetail(detail)
            .setSource(topic)
            .setPayload(ByteBuffer.wrap(kept))
            .setReceivedAt(receivedAt)
            .setBlockId(rejection.blockId())
            .setDeviceId(rejection.deviceId())
            .build();
    String keyText =
        rejection.blockId() != null ? rejection.blockId() + "/" + rejection.deviceId() : topic;
    ProducerRecord<byte[], byte[]> record =
        new ProducerRecord<>(
            topics.deadLetters(),
            null,
            keyText.getBytes(StandardCharsets.UTF_8),
            DEAD_LETTER.encode(letter),
            headers);
    return new Entry(record, null, rejection.reason(), messageId, qos, generation);
  }

  private void send(Entry entry) {
    if (failure.get() != null) {
      return;
    }
    long start = System.nanoTime();
    try {
      producer.send(entry.record, (metadata, error) -> onResult(entry, start, error));
    } catch (RuntimeException e) {
      // send() throws for what it cannot even queue (metadata unavailable within max.block.ms,
      // producer closed): the same as a failed attempt.
      onResult(entry, start, e);
    }
  }

  private void onResult(Entry entry, long startNanos, Exception error) {
    if (error == null) {
      metrics.kafkaAcked(System.nanoTime() - startNanos);
      if (entry.reason == null) {
        metrics.forwarded(entry.kind);
      } else {
        metrics.deadLettered(entry.reason);
      }
      complete(entry);
      return;
    }
    if (error instanceof RetriableException) {
      retryLater(entry, error);
    } else {
      fail(
          new IllegalStateException(
              "Kafka rejected a record for "
                  + entry.record.topic()
                  + " with a non-retriable error; the bridge stops acknowledging MQTT messages",
              error));
    }
  }

  private void complete(Entry entry) {
    int released = 0;
    synchronized (lock) {
      if (consecutiveFailures > 0) {
        LOG.info(
            "Kafka is accepting records again (after {} failed attempts); re-sent records are"
                + " acknowledged to MQTT in arrival order",
            consecutiveFailures);
        consecutiveFailures = 0;
        retryRounds = 0;
      }
      entry.done = true;
      while (!queue.isEmpty() && queue.peekFirst().done) {
        Entry head = queue.pollFirst();
        acker.ack(head.messageId, head.qos, head.generation);
        released++;
      }
      if (queue.isEmpty()) {
        lock.notifyAll();
      }
    }
    if (released > 0) {
      metrics.inFlightChanged(-released);
      permits.release(released);
    }
  }

  private void retryLater(Entry entry, Exception error) {
    metrics.kafkaRetry();
    synchronized (lock) {
      if (consecutiveFailures == 0) {
        LOG.warn(
            "Kafka send to {} failed ({}); holding MQTT acknowledgements and re-sending in"
                + " arrival order until Kafka takes the records (logged once per outage)",
            entry.record.topic(),
            error.toString());
      }
      consecutiveFailures++;
      retries.add(entry);
      if (!retryScheduled) {
        retryScheduled = true;
        long delayMs = backoffMillis(retryRounds++);
        scheduler.schedule(this::resendAll, delayMs, TimeUnit.MILLISECONDS);
      }
    }
  }

  private void resendAll() {
    List<Entry> batch = new ArrayList<>();
    synchronized (lock) {
      retryScheduled = false;
      while (!retries.isEmpty()) {
        batch.add(retries.poll());
      }
    }
    LOG.debug("re-sending {} records to Kafka", batch.size());
    for (Entry entry : batch) {
      send(entry);
    }
  }

  /** Exponential backoff per retry round (not per record: a whole batch fails at once). */
  private long backoffMillis(int round) {
    long min = Math.max(1, retryBackoffMin.toMillis());
    return Math.min(Math.max(min, retryBackoffMax.toMillis()), min << Math.min(20, round));
  }

  private void fail(Throwable error) {
    if (failure.compareAndSet(null, error)) {
      LOG.error("{}", error.getMessage(), error);
      synchronized (lock) {
        lock.notifyAll();
      }
      onFatal.accept(error);
    }
  }

  private static String sha256(byte[] payload) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
    }
  }

  /** One message between arrival and its MQTT acknowledgement. */
  private static final class Entry {
    final ProducerRecord<byte[], byte[]> record;
    final DeviceKind kind;
    final DeadLetterReason reason;
    final int messageId;
    final int qos;
    final long generation;
    long arrival;
    boolean done;

    Entry(
        ProducerRecord<byte[], byte[]> record,
        DeviceKind kind,
        DeadLetterReason reason,
        int messageId,
        int qos,
        long generation) {
      this.record = record;
      this.kind = kind;
      this.reason = reason;
      this.messageId = messageId;
      this.qos = qos;
      this.generation = generation;
    }
  }
}
