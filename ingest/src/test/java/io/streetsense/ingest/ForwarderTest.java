package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ForwarderTest {
  static final Topics TOPICS = Topics.withPrefix("t.");
  static final String GOOD = MessageValidatorTest.parking("");
  static final String TOPIC = MessageValidatorTest.PARKING;

  final ControllableProducer producer = new ControllableProducer();
  final RecordingAcker acker = new RecordingAcker();
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  final AtomicReference<Throwable> fatal = new AtomicReference<>();
  final Clock clock = Clock.fixed(MessageValidatorTest.NOW, ZoneOffset.UTC);
  final BridgeMetrics metrics = new BridgeMetrics(clock);

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  Forwarder forwarder(int window, int deadLetterMax) {
    return new Forwarder(
        new MessageValidator(MessageValidatorTest.DIRECTORY, clock),
        producer,
        TOPICS,
        metrics,
        clock,
        window,
        deadLetterMax,
        Duration.ofMillis(10),
        Duration.ofMillis(50),
        scheduler,
        acker,
        fatal::set);
  }

  static boolean submit(Forwarder f, String topic, String json, int id)
      throws InterruptedException {
    return f.submit(topic, json.getBytes(StandardCharsets.UTF_8), id, 1, 0, () -> false);
  }

  @Test
  void acksGoOutInArrivalOrder_whenKafkaCompletesOutOfOrder() throws Exception {
    Forwarder f = forwarder(10, 4096);
    submit(f, TOPIC, GOOD, 1);
    submit(f, TOPIC, GOOD, 2);
    submit(f, TOPIC, "broken", 3);
    producer.send(1).succeed();
    producer.send(2).succeed();
    assertEquals(List.of(), acker.acked(), "2 and 3 wait for 1");
    assertEquals(3, f.inFlight());
    producer.send(0).succeed();
    assertEquals(List.of(1, 2, 3), acker.acked());
    assertEquals(0, f.inFlight());
    BridgeMetrics.Snapshot s = metrics.snapshot();
    assertEquals(2, s.parkingEvents());
    assertEquals(1, s.deadLetters());
    assertEquals(1L, s.deadLettersByReason().get(DeadLetterReason.INVALID_JSON));
    assertEquals(0, s.inFlight());
    assertEquals(3, s.kafkaSends());
  }

  @Test
  void validMessage_goesToParkingTopic_keyedByDevice_withHeaders() throws Exception {
    Forwarder f = forwarder(10, 4096);
    submit(f, TOPIC, GOOD, 7);
    ProducerRecord<byte[], byte[]> record = producer.send(0).record;
    assertEquals("t.parking", record.topic());
    assertEquals("jiashan-lane/JS-P-01", new String(record.key(), StandardCharsets.UTF_8));
    assertEquals(TOPIC, header(record, Forwarder.HEADER_TOPIC));
    assertEquals(
        Long.toString(MessageValidatorTest.NOW.toEpochMilli()),
        header(record, Forwarder.HEADER_RECEIVED_AT));
    ParkingSensorEvent event = AvroCodec.of(ParkingSensorEvent.class).decode(record.value());
    assertEquals(1842, event.getSeq());
  }

  @Test
  void rejectedMessage_goesToDeadLetters_byteForByte_withReasonAndTopic() throws Exception {
    Forwarder f = forwarder(10, 4096);
    byte[] payload = {'{', (byte) 0xC3, '}'};
    f.submit(TOPIC, payload, 9, 1, 0, () -> false);
    ProducerRecord<byte[], byte[]> record = producer.send(0).record;
    assertEquals("t.deadletters", record.topic());
    DeadLetter letter = AvroCodec.of(DeadLetter.class).decode(record.value());
    assertEquals("ingest", letter.getStage());
    assertEquals("NOT_UTF8", letter.getReason());
    assertEquals(TOPIC, letter.getSource());
    assertArrayEquals(payload, bytes(letter.getPayload()));
    assertEquals("jiashan-lane", letter.getBlockId());
    assertEquals("JS-P-01", letter.getDeviceId());
    assertEquals(List.of(), acker.acked(), "not acked before the dead letter is in Kafka");
    producer.send(0).succeed();
    assertEquals(List.of(9), acker.acked());
  }

  @Test
  void badTopic_isKeyedByTopic() throws Exception {
    Forwarder f = forwarder(10, 4096);
    submit(f, "junk/topic", GOOD, 1);
    ProducerRecord<byte[], byte[]> record = producer.send(0).record;
    assertEquals("junk/topic", new String(record.key(), StandardCharsets.UTF_8));
    assertEquals("BAD_TOPIC", AvroCodec.of(DeadLetter.class).decode(record.value()).getReason());
  }

  @Test
  void hugePayload_isTruncatedInTheDeadLetter_withSizeAndDigest() throws Exception {
    Forwarder f = forwarder(10, 2048);
    byte[] payload = new byte[100_000];
    java.util.Arrays.fill(payload, (byte) 'x');
    f.submit(TOPIC, payload, 1, 1, 0, () -> false);
    ProducerRecord<byte[], byte[]> record = producer.send(0).record;
    DeadLetter letter = AvroCodec.of(DeadLetter.class).decode(record.value());
    assertEquals("OVERSIZED", letter.getReason());
    assertEquals(2048, letter.getPayload().remaining());
    assertTrue(letter.getDetail().contains("of 100000 bytes kept"), letter.getDetail());
    assertTrue(letter.getDetail().contains("sha256"), letter.getDetail());
    assertEquals("100000", header(record, Forwarder.HEADER_PAYLOAD_SIZE));
  }

  @Test
  void retriableFailure_isResent_andAckedOnlyAfterKafkaTookIt() throws Exception {
    Forwarder f = forwarder(10, 4096);
    submit(f, TOPIC, GOOD, 1);
    submit(f, TOPIC, GOOD, 2);
    producer.send(1).succeed();
    producer.send(0).fail(new TimeoutException("Expiring 1 record(s): delivery timeout"));
    assertEquals(List.of(), acker.acked());
    ControllableProducer.Send resend = producer.awaitSend(3);
    assertArrayEquals(producer.send(0).record.value(), resend.record.value(), "same record");
    assertEquals(List.of(), acker.acked(), "held while the re-send is in flight");
    resend.fail(new TimeoutException("still down"));
    ControllableProducer.Send again = producer.awaitSend(4);
    again.succeed();
    assertEquals(List.of(1, 2), acker.acked());
    assertEquals(2, metrics.snapshot().kafkaRetries());
    assertEquals(2, metrics.snapshot().parkingEvents(), "a re-sent record counts once");
    assertEquals(null, fatal.get());
  }

  @Test
  void synchronousSendException_isRetriedLikeAFailedCallback() throws Exception {
    ControllableProducer throwingOnce =
        new ControllableProducer() {
          boolean thrown;

          @Override
          public synchronized java.util.concurrent.Future<
                  org.apache.kafka.clients.producer.RecordMetadata>
              send(
                  ProducerRecord<byte[], byte[]> record,
                  org.apache.kafka.clients.producer.Callback callback) {
            if (!thrown) {
              thrown = true;
              throw new TimeoutException("Topic not present in metadata after 60000 ms");
            }
            return super.send(record, callback);
          }
        };
    Forwarder f =
        new Forwarder(
            new MessageValidator(MessageValidatorTest.DIRECTORY, clock),
            throwingOnce,
            TOPICS,
            metrics,
            clock,
            10,
            4096,
            Duration.ofMillis(10),
            Duration.ofMillis(50),
            scheduler,
            acker,
            fatal::set);
    submit(f, TOPIC, GOOD, 1);
    throwingOnce.awaitSend(1).succeed();
    assertEquals(List.of(1), acker.acked());
  }

  @Test
  void nonRetriableFailure_stopsLoudly_andAcksNothingMore() throws Exception {
    Forwarder f = forwarder(10, 4096);
    submit(f, TOPIC, GOOD, 1);
    submit(f, TOPIC, GOOD, 2);
    producer.send(0).fail(new RecordTooLargeException("too large"));
    producer.send(1).succeed();
    assertNotNull(fatal.get());
    assertInstanceOf(RecordTooLargeException.class, fatal.get().getCause());
    assertEquals(List.of(), acker.acked());
    assertFalse(submit(f, TOPIC, GOOD, 3), "a failed forwarder takes nothing");
    assertEquals(2, producer.sends().size());
    assertFalse(f.awaitDrained(Duration.ofMillis(10)));
  }

  @Test
  void fullWindow_blocksTheCaller_untilAnAckFreesAPermit() throws Exception {
    Forwarder f = forwarder(2, 4096);
    submit(f, TOPIC, GOOD, 1);
    submit(f, TOPIC, GOOD, 2);
    CompletableFuture<Boolean> third =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return submit(f, TOPIC, GOOD, 3);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(300);
    assertFalse(third.isDone(), "window of 2 is full");
    assertEquals(2, producer.sends().size());
    producer.send(1).succeed();
    Thread.sleep(200);
    assertFalse(third.isDone(), "message 2 is done but not acked: 1 still holds the window");
    producer.send(0).succeed();
    assertTrue(third.get(5, TimeUnit.SECONDS));
    assertEquals(3, producer.sends().size());
  }

  @Test
  void waitingForTheWindow_givesUp_whenTheConnectionIsGone() throws Exception {
    Forwarder f = forwarder(1, 4096);
    submit(f, TOPIC, GOOD, 1);
    long start = System.nanoTime();
    assertFalse(f.submit(TOPIC, GOOD.getBytes(StandardCharsets.UTF_8), 2, 1, 0, () -> true));
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
    assertEquals(1, producer.sends().size(), "the abandoned message was never sent");
  }

  @Test
  void awaitDrained_returnsWhenEverythingIsAcked() throws Exception {
    Forwarder f = forwarder(10, 4096);
    submit(f, TOPIC, GOOD, 1);
    assertFalse(f.awaitDrained(Duration.ofMillis(50)));
    scheduler.schedule(() -> producer.send(0).succeed(), 100, TimeUnit.MILLISECONDS);
    assertTrue(f.awaitDrained(Duration.ofSeconds(5)));
    assertEquals(List.of(1), acker.acked());
  }

  static String header(ProducerRecord<byte[], byte[]> record, String key) {
    return header(record.headers(), key);
  }

  static String header(org.apache.kafka.common.header.Headers headers, String key) {
    Header h = headers.lastHeader(key);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}
