package io.streetsense.app;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.ingest.DeviceDirectory;
import io.streetsense.ingest.MessageValidator;
import io.streetsense.ingest.ValidationResult;
import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.Topics;
import io.streetsense.simulator.DeviceMessage;
import io.streetsense.simulator.StreetScenario;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Feeds a simulated street into the pipeline's Kafka topics as the bridge would (validated, Avro
 * single-object encoded, keyed by {@code blockId/deviceId}), in event-time order and only as far as
 * the test says, so a test decides what the job has seen when a team action arrives.
 */
final class StreetFeed implements AutoCloseable {
  private static final AvroCodec<ParkingSensorEvent> PARKING =
      AvroCodec.of(ParkingSensorEvent.class);
  private static final AvroCodec<CameraFrame> CAMERA = AvroCodec.of(CameraFrame.class);
  private static final AvroCodec<TeamAction> ACTION = AvroCodec.of(TeamAction.class);

  /** One validated device message, ready for its topic. */
  record DeviceRecord(Instant eventTime, boolean camera, byte[] key, byte[] value) {}

  private final KafkaProducer<byte[], byte[]> producer;
  private final Topics topics;
  private final List<DeviceRecord> street;
  private int next;
  private Instant fedUpTo = Instant.MIN;

  StreetFeed(String bootstrapServers, Topics topics, List<DeviceRecord> street) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    // One batch in flight: on a loaded machine the first batches to a topic created a moment ago
    // can meet NOT_LEADER_OR_FOLLOWER, and with several in flight the idempotent producer was seen
    // retrying OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout dropped them.
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    this.producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    this.topics = topics;
    this.street = street;
    awaitLeaders(List.of(topics.parking(), topics.camera(), topics.actions()));
  }

  /**
   * The scenario's messages through the bridge's validator (received the moment they were sent, so
   * the records are the same bytes in every run), in event-time order.
   */
  static List<DeviceRecord> records(StreetScenario scenario, BlockMaps blockMaps) {
    MessageValidator validator =
        new MessageValidator(DeviceDirectory.of(blockMaps), Clock.systemUTC());
    List<DeviceRecord> records = new ArrayList<>();
    scenario
        .messages()
        .forEach(
            m -> {
              ValidationResult result = validator.validate(m.topic(), m.payload(), m.eventTime());
              if (!(result instanceof ValidationResult.Accepted ok)) {
                throw new IllegalStateException("the simulator sent a bad message: " + result);
              }
              byte[] key = ok.topic().kafkaKey().getBytes(StandardCharsets.UTF_8);
              boolean camera = m.kind() == DeviceMessage.Kind.CAMERA;
              byte[] value =
                  camera
                      ? CAMERA.encode((CameraFrame) ok.record())
                      : PARKING.encode((ParkingSensorEvent) ok.record());
              records.add(new DeviceRecord(m.eventTime(), camera, key, value));
            });
    return List.copyOf(records);
  }

  /**
   * Produces the street's messages up to and including {@code time}; returns how many, once Kafka
   * has acknowledged every one of them.
   */
  int until(Instant time) {
    if (time.isAfter(fedUpTo)) {
      fedUpTo = time;
    }
    List<Future<RecordMetadata>> sends = new ArrayList<>();
    while (next < street.size() && !street.get(next).eventTime().isAfter(time)) {
      DeviceRecord r = street.get(next++);
      String topic = r.camera() ? topics.camera() : topics.parking();
      sends.add(producer.send(new ProducerRecord<>(topic, r.key(), r.value())));
    }
    acknowledged(sends);
    return sends.size();
  }

  /**
   * Plays the street on by {@code step} of street time past what was produced so far, but not past
   * {@code limit}: a street that keeps moving while a test waits, so no camera partition falls idle
   * (and comes back behind the watermark) during the wait.
   */
  int advance(Duration step, Instant limit) {
    Instant to = fedUpTo.plus(step);
    return until(to.isAfter(limit) ? limit : to);
  }

  /** Produces a team action as the team service does: keyed by its work order's id. */
  void action(TeamAction action) {
    byte[] key = action.getWorkOrderId().getBytes(StandardCharsets.UTF_8);
    acknowledged(
        List.of(producer.send(new ProducerRecord<>(topics.actions(), key, ACTION.encode(action)))));
  }

  /** A record the test meant to produce and did not would make the runs differ for no reason. */
  private void acknowledged(List<Future<RecordMetadata>> sends) {
    producer.flush();
    for (Future<RecordMetadata> send : sends) {
      try {
        send.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("Kafka did not take a record of the test", e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while producing", e);
      }
    }
  }

  /** Waits until every partition of the topics has a leader: they were created a moment ago. */
  private void awaitLeaders(List<String> names) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    for (String topic : names) {
      while (producer.partitionsFor(topic).stream().anyMatch(p -> p.leader() == null)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("no leader for every partition of " + topic);
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for " + topic, e);
        }
      }
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
