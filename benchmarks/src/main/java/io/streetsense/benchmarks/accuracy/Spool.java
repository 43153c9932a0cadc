package io.streetsense.benchmarks.accuracy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Validated device records parked in an Avro file between the two stages of the benchmark: the
 * bridge's work (generate, validate, convert) runs once and is timed on its own, then the Flink job
 * reads the records back in order. A day of camera frames does not fit comfortably in a list, and
 * {@code env.fromData} would serialize all of them into the job graph.
 *
 * @param <T> the Avro record type
 */
public final class Spool<T extends SpecificRecordBase> implements AutoCloseable {
  private final Path file;
  private final Class<T> type;
  private final DataFileWriter<T> writer;
  private long count;

  private Spool(Path file, Class<T> type) throws IOException {
    this.file = file;
    this.type = type;
    this.writer = new DataFileWriter<>(new SpecificDatumWriter<>(type));
    writer.create(SpecificData.get().getSchema(type), file.toFile());
  }

  /** A new spool file of {@code type} records (replaced if it exists). */
  public static <T extends SpecificRecordBase> Spool<T> create(Path file, Class<T> type)
      throws IOException {
    return new Spool<>(Objects.requireNonNull(file, "file"), Objects.requireNonNull(type, "type"));
  }

  public void append(T record) {
    try {
      writer.append(record);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + file, e);
    }
    count++;
  }

  /** How many records were appended. */
  public long count() {
    return count;
  }

  public Path file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }

  /** The records back, in order, for a {@code DataGeneratorSource} of parallelism 1. */
  public GeneratorFunction<Long, T> reader() {
    return new Reader<>(file.toString(), type);
  }

  /** Reads a spool file sequentially; index {@code i} is the {@code i}-th record. */
  private static final class Reader<T extends SpecificRecordBase>
      implements GeneratorFunction<Long, T> {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final Class<T> type;
    private transient DataFileReader<T> in;
    private transient long next;

    Reader(String file, Class<T> type) {
      this.file = file;
      this.type = type;
    }

    @Override
    public void open(SourceReaderContext readerContext) throws Exception {
      in = new DataFileReader<>(new File(file), new SpecificDatumReader<>(type));
      next = 0;
    }

    @Override
    public T map(Long index) throws Exception {
      if (index != next) {
        // Several readers would each start at the file's beginning: the source must be single.
        throw new IllegalStateException(
            "spool " + file + " read out of order: index " + index + ", expected " + next);
      }
      next++;
      return in.next();
    }

    @Override
    public void close() throws Exception {
      if (in != null) {
        in.close();
      }
    }
  }
}
