package io.streetsense.schemas;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * Encodes and decodes the pipeline's records as Avro single-object encoding: a two-byte marker, the
 * 8-byte fingerprint of the writer's schema, then the binary record.
 *
 * <p>Why single-object encoding: work orders live for months in compacted topics, so a reader built
 * today must decode records written by older builds. The fingerprint tells the decoder which writer
 * schema was used; every released version of a schema is registered here (see {@link
 * ReleasedSchemas}) and resolved against the reader's schema with Avro's normal resolution rules,
 * without an external schema registry.
 *
 * <pre>{@code
 * AvroCodec<WorkOrder> codec = AvroCodec.of(WorkOrder.class);
 * byte[] bytes = codec.encode(order);
 * WorkOrder back = codec.decode(bytes);
 * }</pre>
 *
 * <p>Instances are thread-safe and serializable (Flink ships them to its tasks): the Avro encoder
 * and decoder are built lazily on each side.
 */
public final class AvroCodec<T extends SpecificRecordBase> implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final Class<T> type;
  private transient BinaryMessageEncoder<T> encoder;
  private transient BinaryMessageDecoder<T> decoder;

  private AvroCodec(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
  }

  public static <T extends SpecificRecordBase> AvroCodec<T> of(Class<T> type) {
    return new AvroCodec<>(type);
  }

  public Class<T> type() {
    return type;
  }

  public Schema schema() {
    return SpecificData.get().getSchema(type);
  }

  public byte[] encode(T record) {
    try {
      ByteBuffer buffer = encoder().encode(record);
      return Arrays.copyOfRange(
          buffer.array(),
          buffer.arrayOffset() + buffer.position(),
          buffer.arrayOffset() + buffer.limit());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + type.getSimpleName(), e);
    }
  }

  /**
   * Decodes a record written with this schema or any released earlier version of it.
   *
   * @throws IOException if the bytes are not a single-object encoded record of a known schema
   */
  public T decode(byte[] bytes) throws IOException {
    try {
      return decoder().decode(bytes);
    } catch (AvroRuntimeException e) {
      // Bad header, unknown fingerprint, truncated body: all mean "not a record we can read".
      throw new IOException("not a " + type.getSimpleName() + " record: " + e.getMessage(), e);
    }
  }

  private BinaryMessageEncoder<T> encoder() {
    if (encoder == null) {
      encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema());
    }
    return encoder;
  }

  private BinaryMessageDecoder<T> decoder() {
    if (decoder == null) {
      SchemaStore.Cache store = new SchemaStore.Cache();
      for (Schema released : ReleasedSchemas.versionsOf(type.getSimpleName())) {
        store.addSchema(released);
      }
      BinaryMessageDecoder<T> created =
          new BinaryMessageDecoder<>(SpecificData.get(), schema(), store);
      decoder = created;
    }
    return decoder;
  }
}
