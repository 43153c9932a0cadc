package io.streetsense.benchmarks.load;

import io.streetsense.benchmarks.ProcStats;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.services.InfluxDb;
import io.streetsense.services.KafkaBroker;
import io.streetsense.services.MosquittoBroker;
import io.streetsense.testing.RepositoryBlockMaps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load-test harness: a simulated city driven open loop at fixed rates into the real pipeline
 * (MQTT broker, bridge, Kafka, Flink job with every detector and the work-order loop, InfluxDB),
 * with a bare passthrough job on the same brokers and bridge as the baseline. See the "Load test"
 * section of benchmarks/README.md for what each figure means.
 *
 * <p>Processes: this one (control and measurement), the generator ({@link LoadGenerator}), the
 * system under test ({@link PipelineProcess}: bridge + Flink MiniCluster), Kafka (a child JVM),
 * Mosquitto and InfluxDB, all on this machine.
 */
@Command(
    name = "load-test",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Load-tests the pipeline: open-loop load at fixed rates (latency from the intended send"
          + " time, HdrHistogram), the highest sustainable rate (consumer lag grows by at most 1 %%"
          + " of the load), draining a backlog, CPU and memory per process, detection accuracy;"
          + " against a bare passthrough job as the baseline.",
      "Writes benchmarks/results/load-<date>-<scenario>.json and .html."
    })
public final class LoadTest implements Callable<Integer> {
  /** Measured processes that are JVMs (their heap is read from hsperfdata). */
  static final Set<String> JVMS =
      Set.of(
          "generator",
          PhaseRun.COMBINED_PROCESS,
          PhaseRun.BRIDGE_PROCESS,
          PhaseRun.JOB_PROCESS,
          "kafka",
          "load-test");

  enum Mode {
    SMOKE,
    FIXED,
    SEARCH,
    DRAIN,
    FULL,
    SCALE
  }

  @Option(
      names = "--mode",
      defaultValue = "smoke",
      description =
          "smoke (short fixed rate + small drain on a small city: does it all work), fixed (the"
              + " --rates), search (highest sustainable rate, then 80 %% of it), drain, full"
              + " (search + 80 %% + drain), scale (one fixed rate on cities of each"
              + " --scale-blocks: heap, GC, checkpoint size, state per zone, job CPU per message)."
              + " Default: ${DEFAULT-VALUE}.")
  String mode;

  @Option(
      names = "--shape",
      description =
          "How the system under test is deployed: combined (bridge and Flink job in one JVM, as"
              + " 'streetsense run'), split (the bridge in one JVM as 'streetsense bridge', the job"
              + " in another as 'streetsense job' outside a cluster), both (each phase once per"
              + " shape; not in mode scale). Default: combined (scale: split, so the job's heap,"
              + " GC and CPU are the job's alone).")
  String shapeOption;

  @Option(
      names = "--scale-blocks",
      split = ",",
      description =
          "Mode scale: the city sizes, blocks, each on a fresh city, system under test and"
              + " topics. Default: 100,300,1000.")
  List<Integer> scaleBlocks;

  @Option(names = "--scenario", description = "Name in the result files. Default: the mode.")
  String scenario;

  @Option(
      names = "--rates",
      split = ",",
      description =
          "Fixed rates, msgs/s (mode fixed; mode scale takes the first). Default: 10000 (smoke:"
              + " 2000; scale: 4000).")
  List<Double> rates;

  @Option(names = "--duration", description = "Seconds per step. Default: 60 (smoke: 40).")
  Integer durationSeconds;

  @Option(
      names = "--durations",
      split = ",",
      description =
          "Seconds of each fixed rate's step, in the order of --rates (mode fixed), instead of"
              + " --duration for all: e.g. --rates 8000,8000 --durations 600,1800 plays an hour of"
              + " the city's event time, then measures a 30-minute step at the same rate.")
  List<Integer> durationsSeconds;

  @Option(
      names = "--warmup",
      description = "Seconds at the start of each step not counted. Default: 20 (smoke: 10).")
  Integer warmupSeconds;

  @Option(
      names = "--initial-warmup",
      description =
          "Seconds of an uncounted first step at half the first rate (JIT, caches). Default: 30"
              + " (smoke: 15); 0 for none.")
  Integer initialWarmupSeconds;

  @Option(
      names = "--search-start",
      defaultValue = "5000",
      description = "First rate of the search, msgs/s. Default: ${DEFAULT-VALUE}.")
  double searchStart;

  @Option(
      names = "--search-factor",
      defaultValue = "1.5",
      description = "Growth while sustained. Default: ${DEFAULT-VALUE}.")
  double searchFactor;

  @Option(
      names = "--search-precision",
      defaultValue = "0.1",
      description = "Stop when failed/sustained <= 1 + this. Default: ${DEFAULT-VALUE}.")
  double searchPrecision;

  @Option(
      names = "--search-max",
      defaultValue = "80000",
      description = "Default: ${DEFAULT-VALUE}.")
  double searchMax;

  @Option(
      names = "--search-steps",
      defaultValue = "7",
      description = "Most steps of the search. Default: ${DEFAULT-VALUE}.")
  int searchSteps;

  @Option(
      names = "--backlog",
      description =
          "Messages of the drain's backlog; 0 for no drain. Default: 1000000 (full, drain), 50000"
              + " (smoke), 0 otherwise.")
  Long backlogOption;

  @Option(
      names = "--blocks",
      description =
          "Blocks in the city: the real maps, then synthetic copies. Default: 100 (smoke: 20).")
  Integer blocksOption;

  @Option(
      names = "--blockmaps",
      description =
          "Folder of real block maps. Default: the repository's blockmaps/ when run inside it,"
              + " else the bundled example.")
  Path blockmaps;

  @Option(names = "--seed", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--mix",
      defaultValue = "stalls=6,goods=6,overflow=2,near-misses=4",
      description = "Scripted events per block and event hour. Default: ${DEFAULT-VALUE}.")
  String mixSpec;

  @Option(
      names = "--street",
      defaultValue = "day",
      description =
          "day (busy street, 20 %% missed frames: the accuracy benchmark's) or mild. Default:"
              + " ${DEFAULT-VALUE}.")
  String streetName;

  @Option(
      names = "--baseline",
      defaultValue = "passthrough",
      description = "passthrough or none. Default: ${DEFAULT-VALUE}.")
  String baseline;

  @Option(names = "--partitions", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
  int partitions;

  @Option(names = "--parallelism", defaultValue = "2", description = "Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "PT5S",
      description = "Default: ${DEFAULT-VALUE} (the run command's).")
  Duration checkpointInterval;

  @Option(
      names = "--bridge-window",
      defaultValue = "1000",
      description = "Default: ${DEFAULT-VALUE}.")
  int bridgeWindow;

  @Option(
      names = "--flink-conf",
      description =
          "Extra Flink configuration for the job's local cluster, KEY=VALUE, repeatable (e.g."
              + " pipeline.auto-watermark-interval=50ms, execution.buffer-timeout=10ms).")
  List<String> flinkConf;

  @Option(
      names = "--checkpoint-storage",
      defaultValue = "filesystem",
      description =
          "filesystem (a folder in the work dir) or jobmanager (the job's own default: memory,"
              + " at most 5 MB per state handle, which a 100-block city exceeds). Default:"
              + " ${DEFAULT-VALUE}.")
  String checkpointStorage;

  @Option(
      names = "--connections",
      defaultValue = "2",
      description = "Generator MQTT connections (threads). Default: ${DEFAULT-VALUE}.")
  int connections;

  @Option(
      names = "--generator-client",
      defaultValue = "raw",
      description =
          "raw (a minimal MQTT 3.1.1 QoS 1 publisher that batches writes) or paho (Paho mqttv3,"
              + " several times the CPU per message). Default: ${DEFAULT-VALUE}.")
  String generatorClient;

  @Option(
      names = "--publish-window",
      defaultValue = "1000",
      description = "Unacknowledged publishes per connection. Default: ${DEFAULT-VALUE}.")
  int publishWindow;

  @Option(
      names = "--profile",
      description =
          "Record the system under test with Java Flight Recorder (sut-<phase>.jfr in the work"
              + " directory) and report, for each step's counted part, the CPU microseconds per"
              + " device message by pipeline stage (MQTT, bridge, Kafka, Flink source, each"
              + " detector, work orders, metrics, checkpointing, GC, ...). Costs a few percent of"
              + " CPU.")
  boolean profile;

  @Option(
      names = "--sut-heap",
      description =
          "Heap of each system-under-test JVM (both in the split shape). Default: 2g (scale: 6g:"
              + " at 1000 blocks the job JVM does not even start in 2g).")
  String sutHeap;

  @Option(
      names = "--generator-heap",
      defaultValue = "1g",
      description = "Default: ${DEFAULT-VALUE}.")
  String generatorHeap;

  @Option(names = "--kafka-heap", defaultValue = "1g", description = "Default: ${DEFAULT-VALUE}.")
  String kafkaHeap;

  @Option(
      names = "--out",
      defaultValue = "benchmarks/results",
      description = "Where the report goes. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(names = "--work-dir", description = "Services, logs, block maps. Default: a temp dir.")
  Path workDir;

  // Resolved settings, read by PhaseRun.
  Duration duration;
  Duration warmup;
  Duration initialWarmup;
  long backlog;
  int blocks;
  CityScenario.Mix mix;
  CityScenario.Street street;
  List<PhaseRun.Shape> shapes;
  private Mode resolvedMode;

  public static void main(String[] args) {
    quietLogger("io.streetsense.blockmap.BlockMapLoader");
    System.exit(
        new CommandLine(new LoadTest()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
  }

  private void resolve() {
    resolvedMode = Mode.valueOf(mode.toUpperCase(Locale.ROOT));
    boolean smoke = resolvedMode == Mode.SMOKE;
    duration = Duration.ofSeconds(durationSeconds != null ? durationSeconds : smoke ? 40 : 60);
    warmup = Duration.ofSeconds(warmupSeconds != null ? warmupSeconds : smoke ? 10 : 20);
    initialWarmup =
        Duration.ofSeconds(initialWarmupSeconds != null ? initialWarmupSeconds : smoke ? 15 : 30);
    if (rates == null) {
      rates = List.of(smoke ? 2000.0 : resolvedMode == Mode.SCALE ? 4000.0 : 10000.0);
    }
    if (resolvedMode == Mode.SCALE) {
      // One rate per city: the curve is against blocks, not rate.
      rates = List.of(rates.get(0));
      if (scaleBlocks == null) {
        scaleBlocks = List.of(100, 300, 1000);
      }
    }
    if (sutHeap == null) {
      sutHeap = resolvedMode == Mode.SCALE ? "6g" : "2g";
    }
    String shapeName =
        shapeOption != null ? shapeOption : resolvedMode == Mode.SCALE ? "split" : "combined";
    shapes =
        switch (shapeName.toLowerCase(Locale.ROOT)) {
          case "combined" -> List.of(PhaseRun.Shape.COMBINED);
          case "split" -> List.of(PhaseRun.Shape.SPLIT);
          case "both" -> List.of(PhaseRun.Shape.COMBINED, PhaseRun.Shape.SPLIT);
          default ->
              throw new IllegalArgumentException(
                  "--shape: combined, split or both, not " + shapeName);
        };
    if (resolvedMode == Mode.SCALE && shapes.size() > 1) {
      throw new IllegalArgumentException("--mode scale takes one --shape: combined or split");
    }
    backlog =
        backlogOption != null
            ? backlogOption
            : switch (resolvedMode) {
              case FULL, DRAIN -> 1_000_000L;
              case SMOKE -> 50_000L;
              default -> 0L;
            };
    blocks = blocksOption != null ? blocksOption : smoke ? 20 : 100;
    mix = CityScenario.Mix.parse(mixSpec);
    street = CityScenario.Street.valueOf(streetName.toUpperCase(Locale.ROOT));
    if (scenario == null) {
      scenario = resolvedMode.name().toLowerCase(Locale.ROOT);
    }
    // The shape is part of the result files' name unless it is the default combined one.
    if (!shapeLabel().equals("combined") && !scenario.endsWith("-" + shapeLabel())) {
      scenario = scenario + "-" + shapeLabel();
    }
    if (blockmaps == null) {
      blockmaps = repositoryBlockMaps();
    }
    if (warmup.compareTo(duration) >= 0) {
      throw new IllegalArgumentException("--warmup must be shorter than --duration");
    }
  }

  /** The repository's example maps, or null outside a checkout (the city uses the bundled map). */
  private static Path repositoryBlockMaps() {
    try {
      return RepositoryBlockMaps.directory();
    } catch (IllegalStateException notInACheckout) {
      return null;
    }
  }

  /** combined, split or both. */
  String shapeLabel() {
    return shapes.size() > 1 ? "both" : shapes.get(0).label();
  }

  boolean scale() {
    return resolvedMode == Mode.SCALE;
  }

  boolean search() {
    return resolvedMode == Mode.SEARCH || resolvedMode == Mode.FULL;
  }

  /** The length of the i-th fixed step: its --durations entry, else --duration. */
  Duration durationOfFixedStep(int i) {
    return durationsSeconds != null && i < durationsSeconds.size()
        ? Duration.ofSeconds(durationsSeconds.get(i))
        : duration;
  }

  List<Double> fixedRates() {
    return resolvedMode == Mode.FIXED || resolvedMode == Mode.SMOKE || resolvedMode == Mode.SCALE
        ? rates
        : List.of();
  }

  /** The uncounted first step's rate: half the first rate tried; 0 for none. */
  double warmupRate() {
    if (initialWarmup.isZero()) {
      return 0;
    }
    double first =
        search() ? searchStart : fixedRates().isEmpty() ? searchStart : fixedRates().get(0);
    return Math.round(first / 2 / 100) * 100.0;
  }

  @Override
  public Integer call() throws Exception {
    resolve();
    Instant started = Instant.now();
    String loadAtStart = ProcStats.loadAverage();
    String command = "benchmarks/load-test " + String.join(" ", argsForReport());
    progress(
        "load test '%s' (mode %s), %d cores, load average %s",
        scenario, resolvedMode.name().toLowerCase(Locale.ROOT), cores(), loadAtStart);
    Path dir =
        workDir != null
            ? Files.createDirectories(workDir)
            : Files.createTempDirectory("load-test-");
    if (scale()) {
      return new ScaleRun(this, started, command, loadAtStart, dir).run();
    }
    CityMaps.City city = CityMaps.write(blockmaps, blocks, dir.resolve("blockmaps"));
    progress(
        "city: %d blocks (%d real from %s, %d synthetic), %,d cameras, %,d sensors, %,d zones;"
            + " violations per block and event hour: %s",
        city.blocks(),
        city.realBlocks(),
        blockmaps == null ? "the bundled example" : blockmaps,
        city.syntheticBlocks(),
        city.cameras(),
        city.sensors(),
        city.zones(),
        mix);
    long oooMs = DetectorConfig.defaults().maxOutOfOrderness().toMillis();
    List<Results.Phase> phases = new ArrayList<>();
    Map<String, Object> services = new LinkedHashMap<>();
    int queued = (int) Math.min(Integer.MAX_VALUE - 1, Math.max(2_000_000L, 2 * backlog));
    try (MosquittoBroker mqtt =
            MosquittoBroker.builder()
                .maxInflightMessages(1000)
                .maxQueuedMessages(queued)
                .autosaveIntervalSeconds(3600)
                .start(dir.resolve("mqtt"));
        KafkaBroker kafka = KafkaBroker.builder().maxHeap(kafkaHeap).start(dir.resolve("kafka"));
        InfluxDb influx = InfluxDb.start(dir.resolve("influx"))) {
      Map<String, Long> pids = servicePids();
      services.put("mqtt", mqtt.serverUri() + " (Mosquitto, max_inflight_messages 1000)");
      services.put("kafka", kafka.bootstrapServers() + " (heap " + kafkaHeap + ")");
      services.put("influxdb", influx.url());
      services.put("pids", pids);
      progress(
          "services: Mosquitto %s, Kafka %s, InfluxDB %s (pids %s); work dir %s",
          mqtt.serverUri(), kafka.bootstrapServers(), influx.url(), pids, dir);
      List<PhaseRun.Kind> kinds = new ArrayList<>();
      if ("passthrough".equalsIgnoreCase(baseline)) {
        kinds.add(PhaseRun.Kind.PASSTHROUGH);
      }
      kinds.add(PhaseRun.Kind.PIPELINE);
      for (PhaseRun.Shape shape : shapes) {
        for (PhaseRun.Kind kind : kinds) {
          boolean split = shape == PhaseRun.Shape.SPLIT;
          phases.add(
              new PhaseRun(
                      this,
                      kind,
                      city,
                      mqtt.serverUri(),
                      kafka.bootstrapServers(),
                      influx.url(),
                      pids,
                      dir.resolve(kind.label() + (split ? "-split" : "")),
                      oooMs,
                      shape,
                      split ? "split" : null)
                  .run());
        }
      }
    }
    String loadAtEnd = ProcStats.loadAverage();
    LoadReport report =
        new LoadReport(
            this, started, command, loadAtStart, loadAtEnd, city, services, phases, oooMs);
    Path json = report.writeJson(out);
    Path html = report.writeHtml(out);
    System.out.println();
    System.out.println(report.summaryText());
    System.out.printf(Locale.ROOT, "load average at start %s, at end %s%n", loadAtStart, loadAtEnd);
    System.out.println("report: " + json.toAbsolutePath());
    System.out.println("charts: " + html.toAbsolutePath());
    boolean failed = phases.stream().anyMatch(p -> p.checks().containsKey("error"));
    return failed ? 1 : 0;
  }

  /** The settings as a command line, for the report. */
  private List<String> argsForReport() {
    List<String> a = new ArrayList<>();
    a.add("--mode " + mode);
    a.add("--shape " + shapeLabel());
    if (scale()) {
      a.add(
          "--scale-blocks " + String.join(",", scaleBlocks.stream().map(String::valueOf).toList()));
    }
    if (resolvedMode == Mode.FIXED || resolvedMode == Mode.SMOKE || scale()) {
      a.add(
          "--rates "
              + String.join(
                  ",", rates.stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList()));
    }
    a.add("--duration " + duration.toSeconds());
    if (durationsSeconds != null && !durationsSeconds.isEmpty()) {
      a.add(
          "--durations "
              + String.join(",", durationsSeconds.stream().map(String::valueOf).toList()));
    }
    a.add("--warmup " + warmup.toSeconds());
    if (!scale()) {
      a.add("--blocks " + blocks);
    }
    if (backlog > 0) {
      a.add("--backlog " + backlog);
    }
    if (search()) {
      a.add(
          String.format(
              Locale.ROOT,
              "--search-start %.0f --search-factor %s --search-steps %d",
              searchStart,
              searchFactor,
              searchSteps));
    }
    if (!"passthrough".equalsIgnoreCase(baseline)) {
      a.add("--baseline " + baseline);
    }
    if (flinkConf != null) {
      flinkConf.forEach(c -> a.add("--flink-conf " + c));
    }
    if (sutHeap != null) {
      a.add("--sut-heap " + sutHeap);
    }
    return a;
  }

  Map<String, Object> settingsForReport() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", resolvedMode.name().toLowerCase(Locale.ROOT));
    m.put("scenario", scenario);
    m.put("shape", shapeLabel());
    if (scale()) {
      m.put("scaleBlocks", scaleBlocks);
    }
    m.put("stepSeconds", duration.toSeconds());
    m.put("fixedStepSeconds", durationsSeconds == null ? List.of() : durationsSeconds);
    m.put("stepWarmupSeconds", warmup.toSeconds());
    m.put("initialWarmupSeconds", initialWarmup.toSeconds());
    m.put("fixedRates", fixedRates());
    if (search()) {
      m.put(
          "search",
          Map.of(
              "start", searchStart,
              "factor", searchFactor,
              "precision", searchPrecision,
              "max", searchMax,
              "steps", searchSteps));
    }
    m.put("backlog", backlog);
    m.put(
        "sustainableWhen",
        "lag slope after the step's warm-up <= 1 % of the rate, and the"
            + " generator published >= 97 % of it");
    m.put("seed", seed);
    m.put("mix", mix.toString());
    m.put("street", street.name().toLowerCase(Locale.ROOT));
    m.put("partitions", partitions);
    m.put("parallelism", parallelism);
    m.put("checkpointInterval", checkpointInterval.toString());
    m.put("bridgeWindow", bridgeWindow);
    m.put("checkpointStorage", checkpointStorage);
    m.put("flinkConf", flinkConf == null ? List.of() : flinkConf);
    m.put("generatorConnections", connections);
    m.put("generatorClient", generatorClient);
    m.put("generatorPublishWindow", publishWindow);
    Map<String, String> heaps = new LinkedHashMap<>();
    // In the split shape each system-under-test JVM gets --sut-heap.
    for (PhaseRun.Shape shape : shapes) {
      if (shape == PhaseRun.Shape.SPLIT) {
        heaps.put(PhaseRun.BRIDGE_PROCESS, sutHeap);
        heaps.put(PhaseRun.JOB_PROCESS, sutHeap);
      } else {
        heaps.put(PhaseRun.COMBINED_PROCESS, sutHeap);
      }
    }
    heaps.put("generator", generatorHeap);
    heaps.put("kafka", kafkaHeap);
    m.put("heaps", heaps);
    return m;
  }

  /** Mosquitto, InfluxDB and the Kafka JVM among this process's descendants. */
  static Map<String, Long> servicePids() {
    Map<String, Long> out = new LinkedHashMap<>();
    ProcessHandle.current()
        .descendants()
        .forEach(
            p -> {
              Optional<String> command = p.info().command();
              if (command.isEmpty()) {
                return;
              }
              String c = command.get();
              String args = String.join(" ", p.info().arguments().orElse(new String[0]));
              if (c.endsWith("/mosquitto")) {
                out.putIfAbsent("mosquitto", p.pid());
              } else if (c.endsWith("/influxd")) {
                out.putIfAbsent("influxdb", p.pid());
              } else if (c.endsWith("/java") && args.contains("kafka.Kafka")) {
                out.putIfAbsent("kafka", p.pid());
              }
            });
    return out;
  }

  /** One line per loaded block map is noise here; log4j-core is a runtime dependency only. */
  static void quietLogger(String name) {
    try {
      Class<?> level = Class.forName("org.apache.logging.log4j.Level");
      Class.forName("org.apache.logging.log4j.core.config.Configurator")
          .getMethod("setLevel", String.class, level)
          .invoke(null, name, level.getField("WARN").get(null));
    } catch (ReflectiveOperationException | LinkageError e) {
      // another logging backend: keep its settings
    }
  }

  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  static String shortName(String process) {
    return switch (process) {
      case "generator" -> "gen";
      case "bridge+flink" -> "sut";
      case "bridge" -> "bridge";
      case "job" -> "job";
      case "mosquitto" -> "mqtt";
      case "influxdb" -> "influx";
      case "load-test" -> "me";
      default -> process;
    };
  }

  static void progress(String format, Object... args) {
    System.out.printf(
        Locale.ROOT,
        "%tT %s%n",
        System.currentTimeMillis(),
        String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
