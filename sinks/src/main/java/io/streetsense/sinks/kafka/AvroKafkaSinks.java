package io.streetsense.sinks.kafka;

import io.streetsense.schemas.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Kafka sinks for the pipeline's Avro records, exactly once by default: records become visible to
 * {@code read_committed} consumers when the checkpoint that covers them completes.
 *
 * <pre>{@code
 * Sink<WorkOrder> sink = AvroKafkaSinks.exactlyOnce(
 *         "localhost:9092", topics.workOrders(), WorkOrder.class, WorkOrder::getId,
 *         "streetsense-workorders", new Properties())
 *     .withMetrics(influxSettings);
 * }</pre>
 *
 * An exactly-once sink reports every transaction that could not be committed ({@link
 * CommitLossReportingSink}): losing output is never silent.
 */
public final class AvroKafkaSinks {
  /**
   * The default {@code transaction.timeout.ms}. Brokers cap transactions at {@code
   * transaction.max.timeout.ms} (15 min by default); the connector's default of 1 h would be
   * refused. The timeout also bounds how long the job may be down between a checkpoint and its
   * commit before the broker aborts that checkpoint's transaction and its output is lost (reported,
   * see {@link CommitLossReportingSink}). A {@code transaction.timeout.ms} in the client properties
   * wins (raise the brokers' maximum with it).
   */
  public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

  private static final String TRANSACTION_TIMEOUT_KEY = "transaction.timeout.ms";

  private AvroKafkaSinks() {}

  public static <T extends SpecificRecordBase> CommitLossReportingSink<T> exactlyOnce(
      String bootstrapServers,
      String topic,
      Class<T> type,
      SerializableFunction<T, String> key,
      String transactionalIdPrefix,
      Properties clientProperties) {
    Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
    Properties properties = new Properties();
    properties.putAll(clientProperties);
    if (properties.getProperty(TRANSACTION_TIMEOUT_KEY) == null) {
      properties.setProperty(
          TRANSACTION_TIMEOUT_KEY, String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
    }
    long transactionTimeoutMs = transactionTimeoutMs(properties);
    // The reporter's admin client connects with the same settings (the builder sets it too).
    properties.setProperty("bootstrap.servers", bootstrapServers);
    KafkaSink<T> sink =
        builder(bootstrapServers, topic, type, key, properties)
            .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
            .setTransactionalIdPrefix(transactionalIdPrefix)
            .build();
    return new CommitLossReportingSink<>(sink, topic, properties, transactionTimeoutMs, null);
  }

  private static long transactionTimeoutMs(Properties properties) {
    String value = properties.getProperty(TRANSACTION_TIMEOUT_KEY);
    try {
      long millis = Long.parseLong(value.strip());
      if (millis > 0) {
        return millis;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        TRANSACTION_TIMEOUT_KEY
            + " in the Kafka client properties must be a positive number of milliseconds, got '"
            + value
            + "'");
  }

  /** At-least-once, for records whose consumers tolerate repeats (dead letters). */
  public static <T extends SpecificRecordBase> KafkaSink<T> atLeastOnce(
      String bootstrapServers,
      String topic,
      Class<T> type,
      SerializableFunction<T, String> key,
      Properties clientProperties) {
    return builder(bootstrapServers, topic, type, key, clientProperties)
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }

  private static <T extends SpecificRecordBase>
      org.apache.flink.connector.kafka.sink.KafkaSinkBuilder<T> builder(
          String bootstrapServers,
          String topic,
          Class<T> type,
          SerializableFunction<T, String> key,
          Properties clientProperties) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    return KafkaSink.<T>builder()
        .setBootstrapServers(bootstrapServers)
        .setKafkaProducerConfig(clientProperties)
        .setRecordSerializer(
            KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setKeySerializationSchema(new KeySerializer<>(key))
                .setValueSerializationSchema(new ValueSerializer<>(AvroCodec.of(type)))
                .build());
  }

  /** The record key as UTF-8. A named class: Flink cannot infer a lambda's generic types here. */
  private static final class KeySerializer<T> implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private final SerializableFunction<T, String> key;

    KeySerializer(SerializableFunction<T, String> key) {
      this.key = key;
    }

    @Override
    public byte[] serialize(T record) {
      return key.apply(record).getBytes(StandardCharsets.UTF_8);
    }
  }

  /** The record as Avro single-object encoding. */
  private static final class ValueSerializer<T extends SpecificRecordBase>
      implements SerializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private final AvroCodec<T> codec;

    ValueSerializer(AvroCodec<T> codec) {
      this.codec = codec;
    }

    @Override
    public byte[] serialize(T record) {
      return codec.encode(record);
    }
  }
}
