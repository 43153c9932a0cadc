package io.streetsense.benchmarks.load;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Optional;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * How the load test's child JVMs (generator, pipeline) report to the controlling process: one JSON
 * object a line on stdout, prefixed {@code @@ }, with a {@code type}. Histograms travel as
 * HdrHistogram's compressed encoding in base64. Every other stdout line is log.
 */
final class ChildProtocol {
  static final String PREFIX = "@@ ";
  static final ObjectMapper JSON = new ObjectMapper();
  private static final PrintStream OUT = System.out;

  private ChildProtocol() {}

  static ObjectNode message(String type) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", type);
    return n;
  }

  static void emit(ObjectNode message) {
    String line;
    try {
      line = PREFIX + JSON.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    synchronized (OUT) {
      OUT.println(line);
      OUT.flush();
    }
  }

  /** The message on a stdout line, or empty for a log line. */
  static Optional<JsonNode> parse(String line) {
    if (!line.startsWith(PREFIX)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(line.substring(PREFIX.length())));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  static String encode(Histogram h) {
    ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
    int n = h.encodeIntoCompressedByteBuffer(buffer);
    return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), n));
  }

  static Histogram decode(String base64) {
    try {
      return Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("not an encoded histogram", e);
    }
  }
}
