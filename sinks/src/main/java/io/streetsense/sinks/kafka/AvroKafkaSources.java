package io.streetsense.sinks.kafka;

import io.streetsense.schemas.AvroCodec;
import java.io.IOException;
import java.util.Objects;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.Collector;

/**
 * Kafka sources for the pipeline's Avro records, reading committed records only.
 *
 * <p>A record that does not decode is counted ({@code undecodableRecords}), logged and skipped
 * rather than thrown: a throwing deserializer puts a Flink job into an endless restart loop on one
 * bad record. Only the bridge and the pipeline write these topics, so such a record means a bug or
 * a foreign producer.
 */
public final class AvroKafkaSources {
  private AvroKafkaSources() {}

  public static <T extends SpecificRecordBase> KafkaSource<T> committed(
      String bootstrapServers,
      String topic,
      String groupId,
      Class<T> type,
      OffsetsInitializer startingOffsets,
      Properties clientProperties) {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Properties properties = new Properties();
    properties.putAll(clientProperties);
    properties.setProperty("isolation.level", "read_committed");
    // A source never creates its topic with the broker's defaults: the pipeline creates them
    // (PipelineTopics) before the job starts.
    properties.setProperty("allow.auto.create.topics", "false");
    return KafkaSource.<T>builder()
        .setBootstrapServers(bootstrapServers)
        .setTopics(topic)
        .setGroupId(groupId)
        .setStartingOffsets(startingOffsets)
        .setProperties(properties)
        .setValueOnlyDeserializer(new SkippingAvroDeserializer<>(type))
        .build();
  }

  /** Decodes single-object encoded Avro; undecodable records are logged and skipped. */
  static final class SkippingAvroDeserializer<T extends SpecificRecordBase>
      implements DeserializationSchema<T> {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG =
        org.slf4j.LoggerFactory.getLogger(SkippingAvroDeserializer.class);

    private final AvroCodec<T> codec;
    private transient org.apache.flink.metrics.Counter undecodable;

    SkippingAvroDeserializer(Class<T> type) {
      this.codec = AvroCodec.of(type);
    }

    @Override
    public void open(InitializationContext context) {
      undecodable = context.getMetricGroup().counter("undecodableRecords");
    }

    @Override
    public T deserialize(byte[] message) throws IOException {
      throw new UnsupportedOperationException("the collector variant is used");
    }

    @Override
    public void deserialize(byte[] message, Collector<T> out) {
      try {
        out.collect(codec.decode(message));
      } catch (IOException e) {
        if (undecodable != null) {
          undecodable.inc();
        }
        LOG.warn(
            "skipping a record that is not a {}: {}", codec.type().getSimpleName(), e.getMessage());
      }
    }

    @Override
    public boolean isEndOfStream(T nextElement) {
      return false;
    }

    @Override
    public TypeInformation<T> getProducedType() {
      return TypeInformation.of(codec.type());
    }
  }
}
