package io.streetsense.schemas;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Every released version of each record schema, kept as resources under {@code
 * io/streetsense/schemas/released/<Record>/v<N>.avsc}.
 *
 * <p>When a schema changes in a way that reaches a topic, copy the new {@code .avsc} (as the
 * generated class sees it: {@code Record.getClassSchema().toString(true)}) to the next {@code
 * v<N>.avsc}. {@code SchemaCompatibilityTest} checks that the current schema can read every
 * released version and that every released version can read the current one (full transitive
 * compatibility), and {@link AvroCodec} decodes records written by any of them.
 */
public final class ReleasedSchemas {
  private static final String ROOT = "/io/streetsense/schemas/released/";

  private ReleasedSchemas() {}

  /** Released versions of the named record, oldest first; empty if none was released yet. */
  public static List<Schema> versionsOf(String recordName) {
    List<Schema> versions = new ArrayList<>();
    for (int version = 1; ; version++) {
      String path = ROOT + recordName + "/v" + version + ".avsc";
      try (InputStream in = ReleasedSchemas.class.getResourceAsStream(path)) {
        if (in == null) {
          return versions;
        }
        versions.add(new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read released schema " + path, e);
      }
    }
  }
}
