package io.streetsense.benchmarks.bridge;

import io.streetsense.testing.RepositoryBlockMaps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command-line options of {@link BridgeThroughput}, validated; errors name the option and the
 * value.
 */
record BenchmarkOptions(
    int messages,
    List<PayloadKind> kinds,
    List<Mode> modes,
    List<Integer> windows,
    int publishers,
    int publishWindow,
    int brokerMaxInflight,
    int partitions,
    int repeats,
    int warmup,
    double target,
    Map<String, String> kafkaProperties,
    Path blockMap,
    Path outDir,
    Path workDir,
    boolean help) {

  /** The block the devices come from unless --blockmap names another. */
  static final String DEFAULT_BLOCK = "lingyan-south";

  static String usage() {
    return String.join(
        "\n",
        "Usage: BridgeThroughput [options]",
        "",
        "MQTT->Kafka bridge throughput against a bare Paho subscriber (the ceiling), on one",
        "Mosquitto and one Kafka started under a temporary directory. Live mode is a closed-loop",
        "saturation test (publishers send as fast as the broker acknowledges), not a latency test",
        "at a fixed rate.",
        "",
        "  --messages N            messages per case (default 100000)",
        "  --payload KIND          parking | camera | both (default both)",
        "  --mode MODE             live | drain | both (default both)",
        "  --windows LIST          bridge windows to try, comma-separated (default 100,1000,5000)",
        "  --publishers N          publisher connections, one thread each (default 2)",
        "  --publish-window N      unacknowledged QoS 1 publishes per connection (default 5000)",
        "  --broker-max-inflight N Mosquitto max_inflight_messages, 0 = no limit (default 0)",
        "  --partitions N          partitions of the benchmark topics (default 4)",
        "  --repeats N             runs of every case; the summary takes medians (default 1)",
        "  --warmup N              messages of an unrecorded warm-up per kind, 0 = none"
            + " (default 30000)",
        "  --target R              bridge/ceiling ratio to meet (default 0.9)",
        "  --kafka-prop K=V        extra bridge producer property (repeatable)",
        "  --blockmap FILE         block map the devices come from (default the repository's"
            + " blockmaps/"
            + DEFAULT_BLOCK
            + ".yaml)",
        "  --out DIR               where <date>-bridge-throughput.json goes"
            + " (default benchmarks/results)",
        "  --work-dir DIR          broker work directory (default a new temporary directory)",
        "  --help                  this text");
  }

  /**
   * The repository's map of {@link #DEFAULT_BLOCK}, relative to the working directory, so that the
   * results record where it is in the repository, not on this machine.
   */
  static Path defaultBlockMap() {
    return Path.of("").toAbsolutePath().relativize(RepositoryBlockMaps.file(DEFAULT_BLOCK));
  }

  static BenchmarkOptions parse(String[] args) {
    int messages = 100_000;
    List<PayloadKind> kinds = List.of(PayloadKind.PARKING, PayloadKind.CAMERA);
    List<Mode> modes = List.of(Mode.LIVE, Mode.DRAIN);
    List<Integer> windows = List.of(100, 1000, 5000);
    int publishers = 2;
    int publishWindow = 5000;
    int brokerMaxInflight = 0;
    int partitions = 4;
    int repeats = 1;
    int warmup = 30_000;
    double target = 0.9;
    Map<String, String> kafka = new LinkedHashMap<>();
    Path blockMap = null;
    Path outDir =
        Files.isDirectory(Path.of("benchmarks"))
            ? Path.of("benchmarks", "results")
            : Path.of("results");
    Path workDir = null;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        help = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(name + ": a value is needed");
      }
      String v = args[++i];
      switch (name) {
        case "--messages" -> messages = positive(name, v);
        case "--payload" -> kinds = choice(name, v, PayloadKind.values(), PayloadKind.class);
        case "--mode" -> modes = choice(name, v, Mode.values(), Mode.class);
        case "--windows" -> windows = windows(name, v);
        case "--publishers" -> publishers = positive(name, v);
        case "--publish-window" -> publishWindow = within(name, v, 1, 65_535);
        case "--broker-max-inflight" -> brokerMaxInflight = within(name, v, 0, 65_535);
        case "--partitions" -> partitions = positive(name, v);
        case "--repeats" -> repeats = positive(name, v);
        case "--warmup" -> warmup = within(name, v, 0, Integer.MAX_VALUE);
        case "--target" -> target = ratio(name, v);
        case "--kafka-prop" -> {
          int eq = v.indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException(name + ": '" + v + "' is not KEY=VALUE");
          }
          kafka.put(v.substring(0, eq), v.substring(eq + 1));
        }
        case "--blockmap" -> blockMap = Path.of(v);
        case "--out" -> outDir = Path.of(v);
        case "--work-dir" -> workDir = Path.of(v);
        default -> throw new IllegalArgumentException("unknown option " + name + " (see --help)");
      }
    }
    return new BenchmarkOptions(
        messages,
        kinds,
        modes,
        windows,
        publishers,
        publishWindow,
        brokerMaxInflight,
        partitions,
        repeats,
        warmup,
        target,
        Map.copyOf(kafka),
        blockMap != null ? blockMap : defaultBlockMap(),
        outDir,
        workDir,
        help);
  }

  private static int positive(String name, String v) {
    return within(name, v, 1, Integer.MAX_VALUE);
  }

  private static int within(String name, String v, int min, int max) {
    int n;
    try {
      n = Integer.parseInt(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": '" + v + "' is not a whole number");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          name + ": " + n + " is outside " + min + ".." + (max == Integer.MAX_VALUE ? "" : max));
    }
    return n;
  }

  private static double ratio(String name, String v) {
    double r;
    try {
      r = Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": '" + v + "' is not a number");
    }
    if (!(r > 0 && r <= 1)) {
      throw new IllegalArgumentException(name + ": " + v + " must be within (0, 1]");
    }
    return r;
  }

  private static List<Integer> windows(String name, String v) {
    List<Integer> out = new ArrayList<>();
    for (String part : v.split(",")) {
      int w = within(name, part.trim(), 1, 65_535);
      if (!out.contains(w)) {
        out.add(w);
      }
    }
    return List.copyOf(out);
  }

  private static <E extends Enum<E>> List<E> choice(
      String name, String v, E[] values, Class<E> type) {
    String s = v.trim().toUpperCase(Locale.ROOT);
    if (s.equals("BOTH")) {
      return List.of(values);
    }
    try {
      return List.of(Enum.valueOf(type, s));
    } catch (IllegalArgumentException e) {
      List<String> allowed = new ArrayList<>();
      for (E value : values) {
        allowed.add(value.name().toLowerCase(Locale.ROOT));
      }
      allowed.add("both");
      throw new IllegalArgumentException(name + ": '" + v + "' is not one of " + allowed);
    }
  }
}
