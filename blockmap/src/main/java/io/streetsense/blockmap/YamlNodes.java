package io.streetsense.blockmap;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Typed reading of a composed YAML node tree of one file. Works on nodes rather than on the objects
 * SnakeYAML would construct, so that every value keeps its line and its text as written, and every
 * error can name file, line, key and value.
 */
final class YamlNodes {
  /** Longer values are cut in messages: a 250-shop list helps nobody. */
  private static final int MAX_VALUE_CHARS = 160;

  private final String file;

  YamlNodes(String file) {
    this.file = file;
  }

  String file() {
    return file;
  }

  // ---------------------------------------------------------------- errors

  /** An error about a value, which the message quotes as written: "problem, got value". */
  BlockMapException invalid(Node node, String key, String problem) {
    String value = render(node);
    return new BlockMapException(file, line(node), key, value, problem + ", got " + value);
  }

  /** An error whose message already says what it needs to. */
  BlockMapException error(Node node, String key, String value, String problem) {
    return new BlockMapException(file, line(node), key, value, problem);
  }

  static int line(Node node) {
    return node == null || node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
  }

  /** The node as written: scalars with their quotes, collections in flow style. */
  static String render(Node node) {
    String text = renderFull(node);
    return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS) + "…";
  }

  private static String renderFull(Node node) {
    if (node instanceof ScalarNode scalar) {
      return switch (scalar.getScalarStyle()) {
        case DOUBLE_QUOTED -> '"' + scalar.getValue() + '"';
        case SINGLE_QUOTED -> "'" + scalar.getValue() + "'";
        default -> scalar.getValue().isEmpty() ? "nothing" : scalar.getValue();
      };
    }
    if (node instanceof SequenceNode sequence) {
      return sequence.getValue().stream()
          .map(YamlNodes::renderFull)
          .collect(Collectors.joining(", ", "[", "]"));
    }
    if (node instanceof MappingNode mapping) {
      return mapping.getValue().stream()
          .map(t -> renderFull(t.getKeyNode()) + ": " + renderFull(t.getValueNode()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    return String.valueOf(node);
  }

  // ---------------------------------------------------------------- structure

  /** The keys of a mapping, checked for duplicates; keys are addressed below {@code path}. */
  Fields fields(Node node, String path) {
    if (!(node instanceof MappingNode mapping)) {
      throw invalid(node, path, "expected a mapping of keys to values");
    }
    Map<String, Node> values = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
        throw invalid(tuple.getKeyNode(), path, "keys must be plain names");
      }
      String key = keyNode.getValue();
      if (values.putIfAbsent(key, tuple.getValueNode()) != null) {
        throw error(keyNode, join(path, key), key, "duplicate key '" + key + "'");
      }
    }
    return new Fields(mapping, path, values);
  }

  List<Node> list(Node node, String key) {
    if (!(node instanceof SequenceNode sequence)) {
      throw invalid(node, key, "expected a list");
    }
    return sequence.getValue();
  }

  String string(Node node, String key) {
    if (!(node instanceof ScalarNode scalar) || Tag.NULL.equals(node.getTag())) {
      throw invalid(node, key, "expected a text value");
    }
    if (scalar.getValue().isBlank()) {
      throw invalid(node, key, "must not be empty");
    }
    // Any scalar is text as written: a berth labelled 01 stays "01".
    return scalar.getValue();
  }

  List<String> strings(Node node, String key) {
    List<String> values = new ArrayList<>();
    List<Node> items = list(node, key);
    for (int i = 0; i < items.size(); i++) {
      values.add(string(items.get(i), key + "[" + i + "]"));
    }
    return values;
  }

  int integer(Node node, String key) {
    if (node instanceof ScalarNode scalar && Tag.INT.equals(node.getTag())) {
      try {
        return Integer.parseInt(scalar.getValue().replace("_", ""));
      } catch (NumberFormatException e) {
        // falls through: a YAML 1.1 int such as 0x1F or 1:30 is no count of anything here
      }
    }
    throw invalid(node, key, "expected a whole number");
  }

  /** A number, NaN and infinities included: the callers' range checks reject them by name. */
  double number(Node node, String key) {
    if (node instanceof ScalarNode scalar
        && (Tag.INT.equals(node.getTag()) || Tag.FLOAT.equals(node.getTag()))) {
      String text = scalar.getValue().replace("_", "").toLowerCase(Locale.ROOT);
      switch (text) {
        case ".nan":
          return Double.NaN;
        case ".inf", "+.inf":
          return Double.POSITIVE_INFINITY;
        case "-.inf":
          return Double.NEGATIVE_INFINITY;
        default:
          try {
            return Double.parseDouble(text);
          } catch (NumberFormatException e) {
            break;
          }
      }
    }
    throw invalid(node, key, "expected a number");
  }

  Duration positiveDuration(Node node, String key) {
    String text = string(node, key);
    Duration duration;
    try {
      duration = Duration.parse(text);
    } catch (DateTimeParseException e) {
      throw invalid(node, key, "expected an ISO-8601 duration such as PT5M or PT1H30M");
    }
    if (duration.isNegative() || duration.isZero()) {
      throw invalid(node, key, "must be a positive duration");
    }
    return duration;
  }

  /** One of the constants of {@code type}, spelled exactly; the error lists them. */
  <E extends Enum<E>> E constant(Node node, String key, Class<E> type, String what) {
    String text = string(node, key);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(text)) {
        return constant;
      }
    }
    throw invalid(
        node,
        key,
        "unknown "
            + what
            + "; expected one of "
            + Arrays.stream(type.getEnumConstants())
                .map(Enum::name)
                .collect(Collectors.joining(", ")));
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The keys of one YAML mapping, addressed by a path for messages. */
  final class Fields {
    private final MappingNode node;
    private final String path;
    private final Map<String, Node> values;

    private Fields(MappingNode node, String path, Map<String, Node> values) {
      this.node = node;
      this.path = path;
      this.values = values;
    }

    /** The same keys addressed under another path, e.g. by id once the id is known. */
    Fields at(String newPath) {
      return new Fields(node, newPath, values);
    }

    MappingNode node() {
      return node;
    }

    String path() {
      return path;
    }

    /** The full path of one of these keys, e.g. {@code zones[JS-Z-M1].schedule}. */
    String key(String key) {
      return join(path, key);
    }

    Collection<String> keys() {
      return values.keySet();
    }

    boolean has(String key) {
      return values.containsKey(key);
    }

    Node required(String key) {
      Node value = values.get(key);
      if (value == null) {
        throw missing(key, "required key is missing");
      }
      return value;
    }

    Optional<Node> optional(String key) {
      return Optional.ofNullable(values.get(key));
    }

    /** Node of a key that must not be here, or empty. */
    BlockMapException notAllowed(String key, String why) {
      return invalid(values.get(key), key(key), why);
    }

    BlockMapException missing(String key, String problem) {
      return error(node, key(key), null, problem);
    }

    /** Typo protection: fails on the first key not in {@code allowed}, naming the allowed ones. */
    void allowOnly(Collection<String> allowed) {
      for (String key : values.keySet()) {
        if (!allowed.contains(key)) {
          String suggestion =
              allowed.stream()
                  .filter(candidate -> editDistance(candidate, key) <= typoDistance(key))
                  .findFirst()
                  .map(candidate -> "did you mean '" + candidate + "'? ")
                  .orElse("");
          throw error(
              keyNode(key),
              key(key),
              key,
              "unknown key '"
                  + key
                  + "'; "
                  + suggestion
                  + "allowed keys: "
                  + String.join(", ", allowed));
        }
      }
    }

    private Node keyNode(String key) {
      return node.getValue().stream()
          .map(NodeTuple::getKeyNode)
          .filter(k -> k instanceof ScalarNode s && s.getValue().equals(key))
          .findFirst()
          .orElse(node);
    }
  }

  /** How far a key may be from an allowed one to be taken for its typo: short keys, fewer. */
  private static int typoDistance(String key) {
    return Math.max(1, Math.min(2, key.length() / 3));
  }

  /** Levenshtein distance, for "did you mean" on short keys. */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
