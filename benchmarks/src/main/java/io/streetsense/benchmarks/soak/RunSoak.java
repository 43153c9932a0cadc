package io.streetsense.benchmarks.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streetsense.app.RestorePoint;
import io.streetsense.app.WorkOrderFeed;
import io.streetsense.benchmarks.accuracy.AccuracyMatcher;
import io.streetsense.benchmarks.accuracy.AccuracyResult;
import io.streetsense.benchmarks.accuracy.Detection;
import io.streetsense.benchmarks.accuracy.Expected;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.Shop;
import io.streetsense.blockmap.TimeWindow;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderTransition;
import io.streetsense.services.LocalServices;
import io.streetsense.simulator.GroundTruth;
import io.streetsense.simulator.Scenarios;
import io.streetsense.simulator.SimulatedClock;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.simulator.StreetSimulator;
import io.streetsense.testing.RepositoryBlockMaps;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The soak of {@code streetsense run} on a real street: the real command line in a child JVM,
 * against Mosquitto, Kafka and InfluxDB started here, fed a scripted day over MQTT, optionally
 * SIGKILLed and restarted while the street plays; then every committed work order is read back and
 * checked against the ground truth and, with {@code --kills} or {@code --compare}, record for
 * record against an undisturbed run. A program that prints a report, not a test.
 */
@Command(
    name = "run-soak",
    mixinStandardHelpOptions = true,
    description =
        "Runs `streetsense run --config FILE` as a child process on a busy scripted street played"
            + " fast over MQTT (optionally SIGKILLing and restarting it), then checks the committed"
            + " work orders against the ground truth and an undisturbed run, and reports"
            + " checkpoints and state size.")
public final class RunSoak implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String CONSUMER_GROUP = "streetsense-detectors";

  @Option(
      names = "--block",
      paramLabel = "FILE",
      description =
          "Block map YAML, or the name of one in the repository's blockmaps/ folder"
              + " (default: ${DEFAULT-VALUE}: market FRI-SUN 17:00-21:30, 32 seating permits).")
  String block = "lingyan-south";

  @Option(names = "--seed", description = "Scenario seed (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(
      names = "--hours",
      description = "Hours of event time played (default: ${DEFAULT-VALUE}).")
  double hours = 8;

  @Option(
      names = "--ends-at",
      paramLabel = "auto|now|HH:MM",
      description =
          "Where the window ends, in the block's local time: 'auto' (default) the latest 22:00"
              + " that lets the window start less than 22 h ago (so the market and the evening's"
              + " seating are in it), else a minute ago; 'now' a minute ago; HH:MM the latest such"
              + " local time. The bridge accepts timestamps at most 24 h old.")
  String endsAt = "auto";

  @Option(
      names = "--speed",
      description =
          "Event seconds per wall second while publishing; 0 = as fast as the broker takes them"
              + " (default: ${DEFAULT-VALUE}: 8 h play in 4 min, so kills land while it plays).")
  double speed = 120;

  @Option(
      names = "--kills",
      description =
          "SIGKILL the run this many times at evenly spaced points of the street's event time,"
              + " restarting it each time; > 0 implies --compare (default: ${DEFAULT-VALUE}).")
  int kills = 0;

  @Option(
      names = "--compare",
      description = "First an undisturbed run on its own topics and state, then compare.")
  boolean compare;

  @Option(
      names = "--quiet",
      description =
          "The work-order topic counts as settled after this long without a new committed record,"
              + " once the bridge has forwarded everything and the job has caught up"
              + " (default: ${DEFAULT-VALUE}).")
  Duration quiet = Duration.ofSeconds(30);

  @Option(
      names = "--drain-timeout",
      description = "Longest wait for the pipeline to catch up (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout = Duration.ofMinutes(30);

  @Option(names = "--heap", description = "-Xmx of the run process (default: ${DEFAULT-VALUE}).")
  String heap = "2g";

  @Option(
      names = "--jar",
      paramLabel = "FILE",
      description = "The runnable jar (default: cli/target/streetsense.jar of the repository).")
  Path jar;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Directory for the JSON report (default: benchmarks/results).")
  Path out;

  @Option(
      names = "--work-dir",
      paramLabel = "DIR",
      description = "Services, deployment folders, state and logs (default: a new temp dir).")
  Path workDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new RunSoak()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Instant runStarted = Instant.now();
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Path blockFile = resolveBlock(block);
    BlockMap map = BlockMapLoader.load(blockFile);
    Duration span = Duration.ofMinutes(Math.round(hours * 60));
    ZonedDateTime from = windowStart(map, Instant.now(), span, endsAt);
    StreetScenario scenario =
        Scenarios.scriptedDay(map, seed, from.toLocalDate(), from.toLocalTime(), span);
    GroundTruth truth = scenario.groundTruth();
    Duration clearFor = map.rules().verify().clearFor();
    List<Expected> expected = AccuracyMatcher.expected(truth.violations(), clearFor);
    Map<String, Object> street = describeStreet(map, scenario, span, expected, truth);
    boolean twoRuns = compare || kills > 0;
    Path jarFile = jar != null ? jar : repositoryRoot().resolve("cli/target/streetsense.jar");
    if (!Files.isRegularFile(jarFile)) {
      throw new IllegalArgumentException(
          jarFile + " is missing: build it (./mvnw -pl cli -am package -DskipTests)");
    }
    Path dir =
        (workDir != null
                ? Files.createDirectories(workDir)
                : Files.createTempDirectory("run-soak-"))
            .toAbsolutePath();
    System.out.printf(
        Locale.ROOT,
        "run-soak: %s, seed %d, %s to %s local (%s to %s UTC), %s of event time at speed %s;"
            + " kills %d%s; work dir %s%n",
        map.id(),
        seed,
        from.toLocalDateTime(),
        from.plus(span).toLocalDateTime(),
        scenario.start(),
        scenario.start().plus(span),
        span,
        speed == 0 ? "max" : String.valueOf(speed),
        kills,
        twoRuns ? " (after an undisturbed run)" : "",
        dir);
    System.out.println("street: " + street);

    Map<String, Object> report = new LinkedHashMap<>();
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("block", map.id());
    settings.put("seed", seed);
    settings.put("hours", hours);
    settings.put("endsAt", endsAt);
    settings.put("speed", speed);
    settings.put("kills", kills);
    settings.put("compare", twoRuns);
    settings.put("quiet", quiet.toString());
    settings.put("heap", heap);
    // Where the jar is in the repository, not on this machine (the results are committed).
    settings.put(
        "jar",
        jarFile.toAbsolutePath().startsWith(repositoryRoot())
            ? repositoryRoot().relativize(jarFile.toAbsolutePath()).toString()
            : jarFile.toString());
    report.put("settings", settings);
    report.put("street", street);

    Phase undisturbed = null;
    Phase main;
    try (LocalServices services = LocalServices.start(dir.resolve("services"))) {
      if (twoRuns) {
        undisturbed = new Phase("undisturbed", 0, dir, jarFile, services, scenario, span);
        undisturbed.run();
      }
      main =
          new Phase(kills > 0 ? "killed" : "soak", kills, dir, jarFile, services, scenario, span);
      main.run();
    }

    AccuracyMatcher matcher = new AccuracyMatcher(clearFor);
    List<Map<String, Object>> phases = new ArrayList<>();
    boolean ok = true;
    for (Phase p : twoRuns ? List.of(undisturbed, main) : List.of(main)) {
      Map<String, Object> r = p.report(matcher, expected);
      phases.add(r);
      ok &= Boolean.TRUE.equals(r.get("ok"));
    }
    report.put("runs", phases);
    if (twoRuns) {
      Map<String, Object> cmp = compare(undisturbed.orderRecords(), main.orderRecords());
      report.put("comparison", cmp);
      ok &= Boolean.TRUE.equals(cmp.get("equal"));
    }
    report.put("ok", ok);
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("loadAverageBefore", loadBefore);
    machine.put("loadAverageAfter", loadAfter);
    machine.put("startedAt", runStarted.toString());
    machine.put("wallSeconds", Duration.between(runStarted, Instant.now()).toSeconds());
    report.put("machine", machine);

    print(report);
    Path outDir = out != null ? out : repositoryRoot().resolve("benchmarks/results");
    Files.createDirectories(outDir);
    Path file =
        outDir.resolve(
            LocalDate.now(ZoneOffset.UTC) + "-run-soak" + (kills > 0 ? "-kills" : "") + ".json");
    Files.writeString(file, JSON.writeValueAsString(report) + "\n");
    System.out.println("report: " + file);
    return ok ? 0 : 1;
  }

  // ---------------------------------------------------------------------------------------------
  // One run of the pipeline: a deployment folder, the street played, kills, the drain, the reading.

  /** A committed work-order record and when this program read it. */
  record Received(WorkOrder order, long nanos) {}

  private final class Phase {
    final String name;
    final int killCount;
    final Path folder;
    final Path jarFile;
    final LocalServices services;
    final StreetScenario scenario;
    final Duration span;
    final String prefix;
    final String influxDb;
    final Topics topics;
    final List<Received> orders = new CopyOnWriteArrayList<>();
    final List<ViolationEvent> violations = new CopyOnWriteArrayList<>();
    final List<Map<String, Object>> starts = new ArrayList<>();
    final List<Map<String, Object>> killsDone = new ArrayList<>();
    final AtomicLong sent = new AtomicLong();
    final AtomicReference<Instant> simTime = new AtomicReference<>(Instant.EPOCH);
    volatile boolean publishingDone;
    volatile RunProcess current;
    StreetSimulator.Result published;
    long publishSeconds;
    long deviceRecords;
    long drainSeconds;
    String drainNote = "";
    int finalExit;
    boolean finalSavepoint;
    List<Map<String, Object>> checkpoints = List.of();
    int checkpointErrorLines;
    String killerFailure;

    Phase(
        String name,
        int killCount,
        Path dir,
        Path jarFile,
        LocalServices services,
        StreetScenario scenario,
        Duration span)
        throws Exception {
      this.name = name;
      this.killCount = killCount;
      this.folder = Files.createDirectories(dir.resolve(name));
      this.jarFile = jarFile;
      this.services = services;
      this.scenario = scenario;
      this.span = span;
      String id = UUID.randomUUID().toString().substring(0, 8);
      this.prefix = "soak-" + name + "-" + id + ".";
      this.influxDb = "soak_" + name + "_" + id;
      this.topics = Topics.withPrefix(prefix);
    }

    Path stateDir() {
      return folder.resolve("streetsense-state");
    }

    void run() throws Exception {
      Path blockmaps = Files.createDirectories(folder.resolve("blockmaps"));
      BlockMap map = scenario.block();
      Files.copy(
          resolveBlock(block), blockmaps.resolve(map.id() + ".yaml"), REPLACE_EXISTING_OPTION);
      // As a deployment writes it: the services, the block maps, a topic prefix, partitions and
      // checkpoint interval; no state directory (the default ./streetsense-state applies).
      Path config = folder.resolve("streetsense.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "mqtt=" + services.mqtt().serverUri(),
              "kafka=" + services.kafka().bootstrapServers(),
              "influx=" + services.influx().url(),
              "influx-db=" + influxDb,
              "blockmaps=" + blockmaps,
              "topic-prefix=" + prefix,
              "partitions=4",
              "checkpoint-interval=PT5S",
              ""));
      System.out.printf("[%s] config %s, topics %s*%n", name, config, prefix);
      startRun(1);
      Instant t0 = Instant.now();
      try (WorkOrderFeed feed =
          WorkOrderFeed.start(
              services.kafka().bootstrapServers(),
              new Properties(),
              topics,
              o -> orders.add(new Received(o, System.nanoTime())),
              violations::add)) {
        Thread killer = new Thread(this::killLoop, "run-soak-killer");
        killer.setDaemon(true);
        killer.start();
        try (StreetSimulator simulator =
            StreetSimulator.overMqtt(
                services.mqtt().serverUri(),
                SimulatedClock.startingAt(scenario.start(), speed, Clock.systemUTC()))) {
          published =
              simulator.run(
                  scenario.iterator(),
                  (n, at) -> {
                    sent.set(n);
                    simTime.set(at);
                  });
        }
        publishingDone = true;
        publishSeconds = Duration.between(t0, Instant.now()).toSeconds();
        System.out.printf(
            "[%s] published %,d messages in %d s (%,d confirmed)%n",
            name, published.sent(), publishSeconds, published.delivered());
        killer.join();
        drain();
        List<Received> snapshot = List.copyOf(orders);
        System.out.printf(
            "[%s] settled: %,d committed work-order records of %d orders, %,d violation records%n",
            name,
            snapshot.size(),
            snapshot.stream().map(r -> r.order().getId()).distinct().count(),
            violations.size());
      } finally {
        RunProcess last = current;
        finalExit = last.terminate(Duration.ofMinutes(2));
        finalSavepoint = last.output().contains("stopped the job with savepoint");
        System.out.printf(
            "[%s] SIGTERM: exit %d%s%n",
            name, finalExit, finalSavepoint ? ", stopped with a savepoint" : "");
      }
      checkpoints = checkpointPoints();
      for (int i = 1; i <= starts.size(); i++) {
        Path log = folder.resolve("run-" + i + ".log");
        checkpointErrorLines +=
            (int)
                Files.readAllLines(log).stream()
                    .filter(l -> l.contains("ERROR") && l.contains("checkpoint"))
                    .count();
      }
    }

    void startRun(int number) throws Exception {
      RunProcess run =
          RunProcess.start(
              jarFile,
              folder.resolve("streetsense.properties"),
              folder,
              folder.resolve("run-" + number + ".log"),
              heap);
      current = run;
      Duration ready = run.awaitOutput("running; Flink job", Duration.ofMinutes(3));
      String state = run.line("state: ");
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("run", number);
      s.put("pid", run.pid());
      s.put("state", state);
      s.put("readySeconds", ready.toMillis() / 1000.0);
      starts.add(s);
      System.out.printf(
          "[%s] run %d (pid %d) %s; running after %.1f s%n",
          name, number, run.pid(), state, ready.toMillis() / 1000.0);
    }

    void killLoop() {
      try {
        for (int i = 1; i <= killCount; i++) {
          Instant point = scenario.start().plus(span.multipliedBy(i).dividedBy(killCount + 1));
          while (!publishingDone && simTime.get().isBefore(point)) {
            Thread.sleep(100);
          }
          RunProcess run = current;
          Instant eventTime = simTime.get();
          long sentAtKill = sent.get();
          run.kill();
          Instant killedAt = Instant.now();
          RestorePoint onDisk = RestorePoint.latest(stateDir()).orElse(null);
          Map<String, Object> k = new LinkedHashMap<>();
          k.put("kill", i);
          k.put("pid", run.pid());
          k.put("at", killedAt.toString());
          k.put("streetEventTime", eventTime.toString());
          k.put("messagesPublished", sentAtKill);
          k.put("whilePublishing", !publishingDone);
          k.put("newestOnDisk", onDisk == null ? null : onDisk.describe());
          killsDone.add(k);
          System.out.printf(
              "[%s] SIGKILL %d of pid %d at street time %s (%,d published%s); newest on disk: %s%n",
              name,
              i,
              run.pid(),
              eventTime,
              sentAtKill,
              publishingDone ? ", after publishing ended" : "",
              onDisk == null ? "none" : onDisk.describe());
          startRun(i + 1);
          String state = current.line("state: ");
          k.put("restartedWith", state);
          k.put(
              "resumedFromNewest",
              onDisk != null
                  && state.startsWith("state: resuming from")
                  && state.contains(onDisk.path().toString()));
        }
      } catch (Exception e) {
        killerFailure = e.toString();
        System.out.println("[" + name + "] kill loop failed: " + e);
      }
    }

    /**
     * Waits until the bridge has forwarded every published message, the job's committed source
     * offsets reach the device topics' ends, and no work-order record has come for {@link #quiet}.
     */
    void drain() throws Exception {
      long t0 = System.nanoTime();
      long deadline = t0 + drainTimeout.toNanos();
      Properties admin = new Properties();
      admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.kafka().bootstrapServers());
      try (Admin kafka = Admin.create(admin)) {
        List<String> deviceTopics =
            List.of(topics.parking(), topics.camera(), topics.deadLetters());
        while (true) {
          deviceRecords = endOffsets(kafka, deviceTopics).values().stream().mapToLong(l -> l).sum();
          if (deviceRecords >= published.sent()) {
            break;
          }
          if (System.nanoTime() > deadline) {
            drainNote = "the bridge had forwarded only " + deviceRecords + " records";
            return;
          }
          Thread.sleep(1000);
        }
        System.out.printf(
            "[%s] the bridge forwarded everything (%,d device and dead-letter records) after"
                + " %d s%n",
            name, deviceRecords, (System.nanoTime() - t0) / 1_000_000_000);
        List<String> sources = List.of(topics.parking(), topics.camera());
        long forwarded = System.nanoTime();
        while (true) {
          Map<TopicPartition, Long> ends = endOffsets(kafka, sources);
          Map<TopicPartition, OffsetAndMetadata> committed =
              kafka.listConsumerGroupOffsets(CONSUMER_GROUP).partitionsToOffsetAndMetadata().get();
          long lag = 0;
          boolean any = false;
          for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            OffsetAndMetadata c = committed.get(e.getKey());
            any |= c != null;
            lag += e.getValue() - (c == null ? 0 : c.offset());
          }
          if (lag <= 0) {
            break;
          }
          if (!any && System.nanoTime() - forwarded > Duration.ofSeconds(90).toNanos()) {
            System.out.printf(
                "[%s] consumer group %s has committed no offsets on %s*: waiting for quiet only%n",
                name, CONSUMER_GROUP, prefix);
            break;
          }
          if (System.nanoTime() > deadline) {
            drainNote = "the job's committed offsets were " + lag + " records behind";
            return;
          }
          Thread.sleep(1000);
        }
        System.out.printf(
            "[%s] the job caught up (committed offsets at the end) after %d s%n",
            name, (System.nanoTime() - t0) / 1_000_000_000);
        long quietFrom = System.nanoTime();
        int seen = orders.size() + violations.size();
        while (System.nanoTime() - quietFrom < quiet.toNanos()) {
          Thread.sleep(500);
          int now = orders.size() + violations.size();
          if (now != seen) {
            seen = now;
            quietFrom = System.nanoTime();
          }
          if (System.nanoTime() > deadline) {
            drainNote = "the work-order topic never went quiet";
            return;
          }
        }
        drainSeconds = (System.nanoTime() - t0) / 1_000_000_000;
      }
    }

    /** {@code pipeline,stage=checkpoint} points of this run's InfluxDB database. */
    List<Map<String, Object>> checkpointPoints() throws Exception {
      String answer;
      try {
        answer =
            services
                .influx()
                .query(influxDb, "SELECT * FROM \"pipeline\" WHERE \"stage\" = 'checkpoint'");
      } catch (IllegalStateException e) {
        System.out.println("[" + name + "] no checkpoint points: " + e.getMessage());
        return List.of();
      }
      List<Map<String, Object>> out = new ArrayList<>();
      for (JsonNode result : JSON.readTree(answer).path("results")) {
        for (JsonNode series : result.path("series")) {
          List<String> columns = new ArrayList<>();
          series.path("columns").forEach(c -> columns.add(c.asText()));
          for (JsonNode row : series.path("values")) {
            Map<String, Object> point = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) {
              JsonNode v = row.get(i);
              point.put(
                  columns.get(i),
                  v == null || v.isNull() ? null : v.isNumber() ? v.numberValue() : v.asText());
            }
            out.add(point);
          }
        }
      }
      return out;
    }

    /** Every committed record of each order, in commit order, keyed by order id. */
    Map<String, List<WorkOrder>> orderRecords() {
      Map<String, List<WorkOrder>> byId = new TreeMap<>();
      for (Received r : orders) {
        byId.computeIfAbsent(r.order().getId(), k -> new ArrayList<>()).add(r.order());
      }
      return byId;
    }

    Map<String, Object> report(AccuracyMatcher matcher, List<Expected> expected) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("name", name);
      r.put("topicPrefix", prefix);
      r.put("influxDb", influxDb);
      r.put("stateDir", stateDir().toString());
      r.put("messagesPublished", published == null ? 0 : published.sent());
      r.put("publishSeconds", publishSeconds);
      r.put("deviceAndDeadLetterRecords", deviceRecords);
      r.put("drainSeconds", drainSeconds);
      r.put("drainProblem", drainNote.isEmpty() ? null : drainNote);
      r.put("starts", starts);
      r.put("kills", killsDone);
      r.put("killLoopFailure", killerFailure);
      r.put("finalExitOnSigterm", finalExit);
      r.put("finalSavepoint", finalSavepoint);

      Map<String, List<WorkOrder>> byId = orderRecords();
      List<WorkOrder> finals = byId.values().stream().map(l -> l.get(l.size() - 1)).toList();
      List<Detection> detections = new ArrayList<>();
      for (WorkOrder o : finals) {
        detections.add(
            new Detection(
                o.getId(),
                o.getBlockId(),
                o.getZoneId(),
                o.getType().name(),
                o.getShopId(),
                o.getDetectedAt(),
                o.getFiledAt()));
      }
      AccuracyResult acc = matcher.match(expected, detections);
      Map<String, Object> orderReport = new LinkedHashMap<>();
      orderReport.put("committedRecords", orders.size());
      orderReport.put("orders", finals.size());
      orderReport.put("expected", expected.size());
      orderReport.put("matched", acc.matches().size());
      orderReport.put("missed", acc.misses().size());
      orderReport.put("unexpected", acc.falsePositives().size());
      Map<String, String> byType = new TreeMap<>();
      acc.byType()
          .forEach(
              (type, s) ->
                  byType.put(
                      type, s.matched() + " of " + s.expected() + " (orders " + s.opened() + ")"));
      orderReport.put("byType", byType);
      orderReport.put(
          "missedList",
          acc.misses().stream()
              .map(e -> e.zone() + " " + e.type() + " " + e.from() + "-" + e.to())
              .toList());
      orderReport.put(
          "unexpectedList",
          acc.falsePositives().stream()
              .map(d -> d.violationId() + " " + d.zone() + " " + d.type() + " " + d.openedAt())
              .toList());

      // Doubled: two ids for one violation, the same transition twice in one history, the same
      // record committed twice in a row, a deadline escalated twice.
      Map<String, Long> idsPerViolation =
          finals.stream()
              .collect(Collectors.groupingBy(o -> o.getViolationId(), Collectors.counting()));
      List<String> twoIds =
          idsPerViolation.entrySet().stream()
              .filter(e -> e.getValue() > 1)
              .map(e -> e.getKey() + " x" + e.getValue())
              .toList();
      List<String> repeatedTransitions = new ArrayList<>();
      List<String> escalatedTwice = new ArrayList<>();
      Map<String, Integer> escalationsPerOrder = new TreeMap<>();
      Map<String, Integer> finalStatus = new TreeMap<>();
      for (WorkOrder o : finals) {
        Set<String> seen = new HashSet<>();
        for (WorkOrderTransition t : o.getHistory()) {
          String key =
              t.getKind()
                  + "@"
                  + t.getAt()
                  + ":"
                  + t.getFromStatus()
                  + ">"
                  + t.getToStatus()
                  + ":"
                  + t.getActionId();
          if (!seen.add(key)) {
            repeatedTransitions.add(o.getId() + " " + key);
          }
        }
        long escalateTransitions =
            o.getHistory().stream().filter(t -> t.getKind() == TransitionKind.ESCALATE).count();
        String escalations =
            o.getEscalations().isEmpty() ? "none" : String.join("+", o.getEscalations());
        escalationsPerOrder.merge(escalations, 1, Integer::sum);
        finalStatus.merge(o.getStatus().name(), 1, Integer::sum);
        boolean freshDeadlines =
            o.getReworkCount() > 0
                || o.getHistory().stream().anyMatch(t -> t.getKind() == TransitionKind.REROUTE);
        if (escalateTransitions != o.getEscalations().size()
            || (!freshDeadlines
                && new HashSet<>(o.getEscalations()).size() != o.getEscalations().size())) {
          escalatedTwice.add(o.getId() + " " + o.getEscalations());
        }
      }
      int repeatedRecords = 0;
      for (List<WorkOrder> records : byId.values()) {
        for (int i = 1; i < records.size(); i++) {
          if (normalised(records.get(i)).equals(normalised(records.get(i - 1)))) {
            repeatedRecords++;
          }
        }
      }
      orderReport.put("finalStatus", finalStatus);
      orderReport.put("escalationsPerOrder", escalationsPerOrder);
      Map<String, Object> doubled = new LinkedHashMap<>();
      doubled.put("violationsWithTwoOrderIds", twoIds);
      doubled.put("transitionsTwiceInAHistory", repeatedTransitions);
      doubled.put("recordsCommittedTwiceInARow", repeatedRecords);
      doubled.put("deadlinesEscalatedTwice", escalatedTwice);
      orderReport.put("doubled", doubled);
      long opened =
          violations.stream().filter(v -> v.getKind() == ViolationEventKind.OPENED).count();
      orderReport.put("violationsOpened", opened);
      r.put("workOrders", orderReport);

      // Checkpoints, from the run's InfluxDB points.
      List<Map<String, Object>> completed =
          checkpoints.stream().filter(p -> num(p.get("completed")) == 1).toList();
      List<Map<String, Object>> failed =
          checkpoints.stream().filter(p -> num(p.get("failed")) == 1).toList();
      List<Long> sizes =
          completed.stream().map(p -> (long) num(p.get("size_bytes"))).sorted().toList();
      Map<String, Object> cp = new LinkedHashMap<>();
      cp.put("completed", completed.size());
      cp.put("failed", failed.size());
      cp.put("errorLinesInLogs", checkpointErrorLines);
      cp.put("sizeBytesMin", sizes.isEmpty() ? null : sizes.get(0));
      cp.put("sizeBytesMedian", sizes.isEmpty() ? null : sizes.get(sizes.size() / 2));
      cp.put("sizeBytesMax", sizes.isEmpty() ? null : sizes.get(sizes.size() - 1));
      cp.put(
          "durationMsMax",
          completed.stream().mapToLong(p -> (long) num(p.get("duration_ms"))).max().orElse(0));
      // Checkpoint ids run on across restores; an id without a point completed (a later one
      // did) but its point was lost, e.g. with a process killed right after it.
      List<Long> ids =
          checkpoints.stream().map(p -> (long) num(p.get("checkpoint_id"))).sorted().toList();
      List<Long> withoutPoint = new ArrayList<>();
      if (!ids.isEmpty()) {
        Set<Long> present = new HashSet<>(ids);
        for (long id = ids.get(0); id <= ids.get(ids.size() - 1); id++) {
          if (!present.contains(id)) {
            withoutPoint.add(id);
          }
        }
      }
      cp.put("checkpointIds", ids.isEmpty() ? "none" : ids.get(0) + "-" + ids.get(ids.size() - 1));
      cp.put("idsWithoutPoint", withoutPoint);
      List<String> perCheckpoint = new ArrayList<>();
      for (Map<String, Object> p : checkpoints) {
        perCheckpoint.add(
            p.get("time")
                + " chk "
                + (long) num(p.get("checkpoint_id"))
                + (num(p.get("completed")) == 1
                    ? " completed "
                        + (long) num(p.get("size_bytes"))
                        + " B in "
                        + (long) num(p.get("duration_ms"))
                        + " ms"
                    : " FAILED"));
      }
      cp.put("perCheckpoint", perCheckpoint);
      r.put("checkpoints", cp);

      boolean ok =
          drainNote.isEmpty()
              && killerFailure == null
              && acc.misses().isEmpty()
              && acc.falsePositives().isEmpty()
              && twoIds.isEmpty()
              && repeatedTransitions.isEmpty()
              && repeatedRecords == 0
              && escalatedTwice.isEmpty()
              && failed.isEmpty()
              && !completed.isEmpty()
              && killsDone.stream().allMatch(k -> Boolean.TRUE.equals(k.get("resumedFromNewest")));
      r.put("ok", ok);
      return r;
    }
  }

  private static final java.nio.file.CopyOption REPLACE_EXISTING_OPTION =
      java.nio.file.StandardCopyOption.REPLACE_EXISTING;

  private static double num(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }

  private static Map<TopicPartition, Long> endOffsets(Admin kafka, Collection<String> topicNames)
      throws Exception {
    Map<String, TopicDescription> described =
        kafka.describeTopics(topicNames).allTopicNames().get();
    Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
    described
        .values()
        .forEach(
            d ->
                d.partitions()
                    .forEach(
                        p ->
                            request.put(
                                new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
    Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> infos =
        kafka.listOffsets(request).all().get();
    Map<TopicPartition, Long> out = new LinkedHashMap<>();
    infos.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Comparison with the undisturbed run.

  /**
   * A copy with what may differ between two runs of the same street blanked: the processing-time
   * stamp of each transition ({@code recordedAt}). Everything else — ids, statuses, event times,
   * deadlines, escalations, evidence, notes — must be equal.
   */
  static WorkOrder normalised(WorkOrder order) {
    WorkOrder copy = WorkOrder.newBuilder(order).build();
    List<WorkOrderTransition> history = new ArrayList<>();
    for (WorkOrderTransition t : order.getHistory()) {
      history.add(WorkOrderTransition.newBuilder(t).setRecordedAt(Instant.EPOCH).build());
    }
    copy.setHistory(history);
    return copy;
  }

  static Map<String, Object> compare(
      Map<String, List<WorkOrder>> reference, Map<String, List<WorkOrder>> other) {
    Set<String> onlyReference = new java.util.TreeSet<>(reference.keySet());
    onlyReference.removeAll(other.keySet());
    Set<String> onlyOther = new java.util.TreeSet<>(other.keySet());
    onlyOther.removeAll(reference.keySet());
    List<String> differing = new ArrayList<>();
    int equalOrders = 0;
    long equalRecords = 0;
    for (Map.Entry<String, List<WorkOrder>> e : reference.entrySet()) {
      List<WorkOrder> theirs = other.get(e.getKey());
      if (theirs == null) {
        continue;
      }
      List<WorkOrder> a = e.getValue().stream().map(RunSoak::normalised).toList();
      List<WorkOrder> b = theirs.stream().map(RunSoak::normalised).toList();
      if (a.equals(b)) {
        equalOrders++;
        equalRecords += a.size();
      } else {
        int i = 0;
        while (i < Math.min(a.size(), b.size()) && a.get(i).equals(b.get(i))) {
          i++;
        }
        differing.add(
            e.getKey()
                + ": "
                + a.size()
                + " records undisturbed, "
                + b.size()
                + " killed; first difference at record "
                + i
                + (i < a.size() ? " undisturbed " + brief(a.get(i)) : "")
                + (i < b.size() ? " / killed " + brief(b.get(i)) : "")
                + (i < a.size() && i < b.size()
                    ? "; fields: " + fieldDiff(a.get(i), b.get(i))
                    : ""));
      }
    }
    Map<String, Object> cmp = new LinkedHashMap<>();
    cmp.put("ordersUndisturbed", reference.size());
    cmp.put("ordersKilled", other.size());
    cmp.put("ordersRecordForRecordEqual", equalOrders);
    cmp.put("recordsEqual", equalRecords);
    cmp.put("onlyUndisturbed", List.copyOf(onlyReference));
    cmp.put("onlyKilled", List.copyOf(onlyOther));
    cmp.put("differing", differing);
    cmp.put("equal", onlyReference.isEmpty() && onlyOther.isEmpty() && differing.isEmpty());
    return cmp;
  }

  /** The fields two records differ in, with both values (undisturbed / killed). */
  static String fieldDiff(
      org.apache.avro.specific.SpecificRecordBase a,
      org.apache.avro.specific.SpecificRecordBase b) {
    List<String> out = new ArrayList<>();
    for (org.apache.avro.Schema.Field f : a.getSchema().getFields()) {
      Object x = a.get(f.pos());
      Object y = b.get(f.pos());
      if (!Objects.equals(x, y)) {
        if (x instanceof org.apache.avro.specific.SpecificRecordBase rx
            && y instanceof org.apache.avro.specific.SpecificRecordBase ry) {
          out.add(f.name() + ".{" + fieldDiff(rx, ry) + "}");
        } else {
          out.add(f.name() + ": " + cut(x) + " / " + cut(y));
        }
      }
    }
    return String.join("; ", out);
  }

  private static String cut(Object o) {
    String s = String.valueOf(o);
    return s.length() > 400 ? s.substring(0, 400) + "…" : s;
  }

  private static String brief(WorkOrder o) {
    return o.getStatus()
        + " "
        + o.getHistory().stream().map(t -> t.getKind() + "@" + t.getAt()).toList()
        + " escalations "
        + o.getEscalations();
  }

  // ---------------------------------------------------------------------------------------------
  // The street.

  /**
   * The start of the window: it ends at the latest {@code endsAt} (local) at least a minute ago and
   * starts less than 22 hours ago, so every timestamp is under the bridge's 24 h limit while the
   * soak runs.
   */
  static ZonedDateTime windowStart(BlockMap map, Instant now, Duration span, String endsAt) {
    Instant latestEnd = now.minus(Duration.ofMinutes(1)).truncatedTo(ChronoUnit.MINUTES);
    Instant earliestStart = now.minus(Duration.ofHours(22));
    if (span.compareTo(Duration.ofHours(21)) > 0) {
      throw new IllegalArgumentException("--hours: at most 21 (the bridge accepts 24 h old data)");
    }
    Instant end;
    if (endsAt.equals("now")) {
      end = latestEnd;
    } else {
      LocalTime at = LocalTime.parse(endsAt.equals("auto") ? "22:00" : endsAt);
      ZonedDateTime local = latestEnd.atZone(map.timezone());
      ZonedDateTime candidate = local.toLocalDate().atTime(at).atZone(map.timezone());
      if (candidate.toInstant().isAfter(latestEnd)) {
        candidate = candidate.minusDays(1);
      }
      end = candidate.toInstant();
      if (end.minus(span).isBefore(earliestStart)) {
        if (!endsAt.equals("auto")) {
          throw new IllegalArgumentException(
              "--ends-at " + endsAt + ": the window would start more than 22 h ago");
        }
        end = latestEnd;
      }
    }
    return end.minus(span).atZone(map.timezone());
  }

  private static Map<String, Object> describeStreet(
      BlockMap map,
      StreetScenario scenario,
      Duration span,
      List<Expected> expected,
      GroundTruth truth) {
    Instant start = scenario.start();
    long marketMinutes = 0;
    Map<String, Long> seatingMinutes = new TreeMap<>();
    List<TimeWindow> markets = new ArrayList<>();
    for (Zone z : map.zones()) {
      if (z.kind() == ZoneKind.MARKET) {
        markets.addAll(z.schedule());
      }
    }
    for (long m = 0; m < span.toMinutes(); m++) {
      Instant t = start.plus(Duration.ofMinutes(m));
      if (!markets.isEmpty() && TimeWindow.anyContains(markets, t, map.timezone())) {
        marketMinutes++;
      }
      for (Shop s : map.shops()) {
        if (!s.outdoor().isEmpty() && TimeWindow.anyContains(s.outdoor(), t, map.timezone())) {
          seatingMinutes.merge(s.id(), 1L, Long::sum);
        }
      }
    }
    Map<String, Object> street = new LinkedHashMap<>();
    street.put("from", start.toString());
    street.put("to", start.plus(span).toString());
    street.put("fromLocal", start.atZone(map.timezone()).toLocalDateTime().toString());
    street.put("dayOfWeek", start.atZone(map.timezone()).getDayOfWeek().toString());
    street.put("cameras", map.cameras().size());
    street.put("sensors", map.sensors().size());
    street.put("marketOpenHours", marketMinutes / 60.0);
    street.put("shopsWithSeatingPermitInWindow", seatingMinutes.size());
    street.put(
        "seatingPermitHoursMax",
        seatingMinutes.values().stream().mapToLong(l -> l).max().orElse(0) / 60.0);
    street.put("groundTruthEntries", truth.violations().size());
    street.put("groundTruthDetectable", truth.detectable().size());
    street.put("expectedViolations", expected.size());
    Map<String, Long> byType =
        expected.stream()
            .collect(Collectors.groupingBy(Expected::type, TreeMap::new, Collectors.counting()));
    street.put("expectedByType", byType);
    return street;
  }

  // ---------------------------------------------------------------------------------------------

  private static void print(Map<String, Object> report) throws Exception {
    System.out.println();
    System.out.println("==== run-soak report ====");
    System.out.println(JSON.writeValueAsString(strip(report)));
  }

  /** The report without the per-checkpoint lists (those are in the JSON file). */
  @SuppressWarnings("unchecked")
  private static Object strip(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> copy = new LinkedHashMap<>();
      m.forEach(
          (k, v) -> {
            if (!Objects.equals(k, "perCheckpoint")) {
              copy.put(String.valueOf(k), strip(v));
            }
          });
      return copy;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(RunSoak::strip).toList();
    }
    return o;
  }

  /** A file, or a block name looked up in the repository's blockmaps/ folder. */
  static Path resolveBlock(String value) {
    Path direct = Path.of(value);
    if (Files.isRegularFile(direct)) {
      return direct.toAbsolutePath();
    }
    String name = value.endsWith(".yaml") ? value.substring(0, value.length() - 5) : value;
    return RepositoryBlockMaps.file(name).toAbsolutePath();
  }

  private static Path repositoryRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("benchmarks").resolve("src"))
          && Files.isDirectory(d.resolve("cli"))) {
        return d;
      }
    }
    return Path.of("").toAbsolutePath();
  }
}
