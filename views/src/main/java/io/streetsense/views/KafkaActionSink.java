package io.streetsense.views;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.TeamAction;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces {@link TeamAction}s to the actions topic as Avro single-object encoding, acks=all and
 * idempotent, so an action the API answered 202 for is on every in-sync replica, once.
 *
 * <p>The producer is created by {@link #open()}, once the caller has seen that the actions topic
 * exists and is right ({@code PipelineTopics}): a producer's first send to a missing topic would
 * let a broker with {@code auto.create.topics.enable} create it with its defaults. Until then
 * {@link #send} fails.
 */
public final class KafkaActionSink implements ActionSink {
  private final AvroCodec<TeamAction> codec = AvroCodec.of(TeamAction.class);
  private final Properties props = new Properties();
  private final String topic;
  private KafkaProducer<String, byte[]> producer;
  private boolean closed;

  public KafkaActionSink(Properties kafka, String topic) {
    this.topic = Objects.requireNonNull(topic, "topic");
    props.putAll(Objects.requireNonNull(kafka, "kafka"));
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
    props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
    props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "streetsense-views-actions");
  }

  /** Creates the producer: call once the actions topic is known to exist. Idempotent. */
  public synchronized void open() {
    if (producer == null && !closed) {
      producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
  }

  private synchronized KafkaProducer<String, byte[]> producer() {
    return producer;
  }

  @Override
  public CompletableFuture<Void> send(String key, TeamAction action) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    KafkaProducer<String, byte[]> producer = producer();
    if (producer == null) {
      done.completeExceptionally(
          new IllegalStateException(
              "the actions topic " + topic + " has not been checked yet; the pipeline creates it"));
      return done;
    }
    try {
      producer.send(
          new ProducerRecord<>(topic, key, codec.encode(action)),
          (metadata, error) -> {
            if (error != null) {
              done.completeExceptionally(error);
            } else {
              done.complete(null);
            }
          });
    } catch (RuntimeException e) {
      // max.block.ms passed waiting for metadata, or the producer is closed.
      done.completeExceptionally(e);
    }
    return done;
  }

  @Override
  public void close() {
    KafkaProducer<String, byte[]> open;
    synchronized (this) {
      closed = true;
      open = producer;
    }
    if (open != null) {
      open.close(Duration.ofSeconds(10));
    }
  }
}
