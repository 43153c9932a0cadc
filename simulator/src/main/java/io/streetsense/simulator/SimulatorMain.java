package io.streetsense.simulator;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapException;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Command line: publishes a simulated street to an MQTT broker. {@code --help} lists the options.
 *
 * <pre>
 * java -cp ... io.streetsense.simulator.SimulatorMain --mqtt tcp://127.0.0.1:1883 \
 *     --blockmaps blockmaps/jiashan-lane.yaml --speed 60 --ground-truth truth.json
 * </pre>
 */
public final class SimulatorMain {
  static final String USAGE =
      """
      Usage: SimulatorMain [options]
      Publishes a simulated street block's parking-sensor and camera traffic over MQTT (QoS 1),
      exactly as docs/interfaces.md describes the device feeds, with scripted violations and
      their ground truth.

        --mqtt URI            MQTT broker (default tcp://127.0.0.1:1883)
        --blockmaps PATH      a block-map YAML file, or a directory of them
                              (default: the example maps bundled with StreetSense)
        --block ID            simulate only this block (default: every block loaded)
        --scenario NAME       demo | background (default demo). demo: 30 min with one illegal
                              stall (minutes 3-13) in the first camera-viewed no_vending zone and
                              one parking zone filling up; background: street life only
        --speed X             simulated seconds per wall-clock second; 0 = as fast as possible
                              (default 10)
        --duration D          simulated time to cover, e.g. PT30M, 30m, 90s, 2h
                              (default: the scenario's, 30 min)
        --start WHEN          now (default): simulated time ends at the current time, so every
                              timestamp is in the past and less than 24 h old (what the bridge
                              accepts); or an ISO-8601 instant such as 2026-11-23T02:00:00Z
        --seed N              random seed; same seed, same messages (default 1)
        --ground-truth FILE   write the scripted violations as JSON to FILE
        --client-id ID        MQTT client id (default: random)
        --max-inflight N      unacknowledged messages at a time (default 1000)
        --help                this text

      Ctrl-C stops cleanly: messages in flight are delivered, then it disconnects.
      """;

  /** Parsed command line. */
  record Options(
      String mqtt,
      Path blockmaps,
      String block,
      String scenario,
      double speed,
      Duration duration,
      Instant start,
      long seed,
      Path groundTruth,
      String clientId,
      int maxInflight,
      boolean help) {}

  private SimulatorMain() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    // Not System.exit(0): after Ctrl-C the JVM is already shutting down, and System.exit would
    // block forever waiting for the shutdown hook that stopped us.
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the command line; returns the exit code (0 ok, 1 failed, 2 bad usage). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println("Try --help.");
      return 2;
    }
    if (options.help()) {
      out.print(USAGE);
      return 0;
    }
    try {
      return simulate(options, out);
    } catch (IllegalArgumentException | BlockMapException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    } catch (Exception e) {
      err.println("error: " + e);
      return 1;
    }
  }

  private static int simulate(Options o, PrintStream out) throws Exception {
    List<BlockMap> blocks = blocks(o);
    List<StreetScenario> scenarios = new ArrayList<>();
    for (BlockMap block : blocks) {
      scenarios.add(Scenarios.named(o.scenario(), block, o.seed(), o.duration()));
    }
    Duration duration = scenarios.get(0).duration();
    SimulatedClock clock =
        o.start() == null
            ? SimulatedClock.endingNow(duration, o.speed())
            : SimulatedClock.startingAt(o.start(), o.speed(), Clock.systemUTC());
    List<StreetScenario> started = new ArrayList<>();
    GroundTruth truth = null;
    for (StreetScenario s : scenarios) {
      StreetScenario at = s.startingAt(clock.simStart());
      started.add(at);
      truth = truth == null ? at.groundTruth() : truth.plus(at.groundTruth());
    }
    if (o.groundTruth() != null) {
      truth.writeJson(o.groundTruth());
      out.println(
          "Ground truth ("
              + truth.violations().size()
              + " scripted violations) written to "
              + o.groundTruth());
    }
    for (GroundTruth.Violation v : truth.violations()) {
      out.println(
          "Scripted: "
              + v.type()
              + " in "
              + v.block()
              + "/"
              + v.zone()
              + " from "
              + v.from()
              + " to "
              + v.to()
              + " seen by "
              + v.cameras());
    }
    out.println(
        "Simulating "
            + blocks.stream().map(BlockMap::id).toList()
            + ", scenario "
            + o.scenario()
            + ", "
            + duration
            + " of simulated time from "
            + clock.simStart()
            + (clock.asFastAsPossible() ? ", as fast as possible" : ", at " + o.speed() + "x")
            + ", to "
            + o.mqtt());

    MqttPublisher publisher = MqttPublisher.connect(o.mqtt(), o.clientId(), o.maxInflight());
    StreetSimulator simulator =
        new StreetSimulator(publisher, clock, Clock.systemUTC(), Duration.ofSeconds(1));
    AtomicReference<Thread> hook = new AtomicReference<>(new Thread(simulator::close, "sim-stop"));
    Runtime.getRuntime().addShutdownHook(hook.get());
    Instant end = clock.simStart().plus(duration);
    StreetSimulator.Result result;
    try (simulator) {
      result =
          simulator.run(
              StreetScenario.merge(started),
              (sent, simTime) ->
                  out.printf(
                      Locale.ROOT,
                      "sent %,d messages, simulated time %s (%.0f%%)%n",
                      sent,
                      simTime,
                      simTime == null
                          ? 0.0
                          : 100.0
                              * Duration.between(clock.simStart(), simTime).toMillis()
                              / Math.max(1, Duration.between(clock.simStart(), end).toMillis())));
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook.get());
    } catch (IllegalStateException shuttingDown) {
      // Ctrl-C: the hook is running and has closed the simulator.
    }
    out.printf(
        Locale.ROOT,
        "%s: %,d messages sent, %,d confirmed by the broker, in %.1f s%n",
        result.stopped() ? "Stopped" : "Done",
        result.sent(),
        result.delivered(),
        result.wallTime().toMillis() / 1000.0);
    return 0;
  }

  private static List<BlockMap> blocks(Options o) {
    BlockMaps maps;
    if (o.blockmaps() == null) {
      maps = BlockMapLoader.loadBundledExamples();
    } else if (Files.isDirectory(o.blockmaps())) {
      maps = BlockMapLoader.loadDirectory(o.blockmaps());
    } else {
      maps = BlockMaps.of(BlockMapLoader.load(o.blockmaps()));
    }
    if (o.block() != null) {
      return List.of(
          maps.block(o.block())
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "--block " + o.block() + ": no such block; loaded " + maps.ids())));
    }
    return List.copyOf(maps.all());
  }

  static Options parse(String[] args) {
    String mqtt = "tcp://127.0.0.1:1883";
    Path blockmaps = null;
    String block = null;
    String scenario = "demo";
    double speed = 10;
    Duration duration = null;
    Instant start = null;
    long seed = 1;
    Path groundTruth = null;
    String clientId = null;
    int maxInflight = MqttPublisher.DEFAULT_MAX_INFLIGHT;
    boolean help = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      if (arg.equals("--help") || arg.equals("-h")) {
        help = true;
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(arg + " needs a value");
        }
        value = args[++i];
      }
      switch (arg) {
        case "--mqtt" -> mqtt = value;
        case "--blockmaps", "--blockmap" -> blockmaps = Path.of(value);
        case "--block" -> block = value;
        case "--scenario" -> {
          if (!Scenarios.NAMES.contains(value.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(
                "--scenario " + value + ": expected one of " + Scenarios.NAMES);
          }
          scenario = value.toLowerCase(Locale.ROOT);
        }
        case "--speed" -> {
          speed = number(arg, value);
          if (!(speed >= 0 && Double.isFinite(speed))) {
            throw new IllegalArgumentException(arg + " " + value + ": must be 0 or more");
          }
        }
        case "--duration" -> duration = duration(arg, value);
        case "--start" -> {
          if (!value.equalsIgnoreCase("now")) {
            try {
              start = Instant.parse(value);
            } catch (DateTimeParseException e) {
              throw new IllegalArgumentException(
                  arg + " " + value + ": expected 'now' or an instant like 2026-11-23T02:00:00Z");
            }
          }
        }
        case "--seed" -> seed = integer(arg, value, Long.MIN_VALUE, Long.MAX_VALUE);
        case "--ground-truth" -> groundTruth = Path.of(value);
        case "--client-id" -> clientId = value;
        case "--max-inflight" -> maxInflight = (int) integer(arg, value, 1, 65_535);
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
    }
    return new Options(
        mqtt,
        blockmaps,
        block,
        scenario,
        speed,
        duration,
        start,
        seed,
        groundTruth,
        clientId,
        maxInflight,
        help);
  }

  private static double number(String option, String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " " + value + ": not a number");
    }
  }

  private static long integer(String option, String value, long min, long max) {
    long n;
    try {
      n = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " " + value + ": not a whole number");
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException(
          option + " " + value + ": must be within " + min + ".." + max);
    }
    return n;
  }

  /** ISO-8601 ({@code PT30M}) or a number with a unit: {@code 90s}, {@code 30m}, {@code 2h}. */
  static Duration duration(String option, String value) {
    Duration d;
    try {
      String v = value.trim().toLowerCase(Locale.ROOT);
      if (v.startsWith("pt") || v.startsWith("p")) {
        d = Duration.parse(value.trim().toUpperCase(Locale.ROOT));
      } else {
        long n = Long.parseLong(v.substring(0, v.length() - 1));
        d =
            switch (v.charAt(v.length() - 1)) {
              case 's' -> Duration.ofSeconds(n);
              case 'm' -> Duration.ofMinutes(n);
              case 'h' -> Duration.ofHours(n);
              default -> throw new IllegalArgumentException();
            };
      }
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          option + " " + value + ": expected a duration like PT30M, 90s, 30m or 2h");
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(option + " " + value + ": must be positive");
    }
    return d;
  }
}
