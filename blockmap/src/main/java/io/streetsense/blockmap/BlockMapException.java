package io.streetsense.blockmap;

import java.util.OptionalInt;

/**
 * A block map that cannot be loaded: unreadable, not YAML, or invalid. Names the file, the line
 * when known, the key and the offending value, e.g.
 *
 * <pre>
 * jiashan-lane.yaml:42: zones[JS-Z-F01].polygon: a polygon needs at least 3 points, got [[0.00, 0.55], [0.25, 0.55]]
 * </pre>
 *
 * <p>Keys are paths from the top of the file. Elements of the id-carrying lists ({@code teams,
 * shops, zones, sensors, cameras}) are addressed by id, {@code zones[JS-Z-M1].schedule[0].to};
 * other list elements, and elements whose id is itself missing or bad, by index from 0, {@code
 * cameras[JS-C-01].views[2].zone}, {@code zones[3].id}.
 */
public final class BlockMapException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String file;
  private final int line; // 1-based; 0 when unknown
  private final String key;
  private final String value;
  private final String problem;

  /**
   * @param file the file name
   * @param line 1-based line number, 0 when unknown
   * @param key the key path, null when the problem is not with one key
   * @param value the offending value as written, null when there is none (a missing key)
   * @param problem what is wrong, including the value where it helps
   */
  public BlockMapException(
      String file, int line, String key, String value, String problem, Throwable cause) {
    super(format(file, line, key, problem), cause);
    this.file = file;
    this.line = line;
    this.key = key;
    this.value = value;
    this.problem = problem;
  }

  public BlockMapException(String file, int line, String key, String value, String problem) {
    this(file, line, key, value, problem, null);
  }

  private static String format(String file, int line, String key, String problem) {
    StringBuilder message = new StringBuilder(file);
    if (line > 0) {
      message.append(':').append(line);
    }
    message.append(": ");
    if (key != null) {
      message.append(key).append(": ");
    }
    return message.append(problem).toString();
  }

  /** The file name the problem is in. */
  public String file() {
    return file;
  }

  /** The 1-based line of the problem, when known. */
  public OptionalInt line() {
    return line > 0 ? OptionalInt.of(line) : OptionalInt.empty();
  }

  /**
   * The path of the offending key, e.g. {@code zones[JS-Z-M1].schedule[0].to}; null when the
   * problem is not with one key (an unreadable file, broken YAML syntax).
   */
  public String key() {
    return key;
  }

  /** The offending value as written in the file; null when there is none (a missing key). */
  public String value() {
    return value;
  }

  /** What is wrong, without file, line and key. */
  public String problem() {
    return problem;
  }
}
