package io.streetsense.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.streetsense.app.StreetSenseJob;
import io.streetsense.benchmarks.ProcStats;
import io.streetsense.benchmarks.accuracy.AccuracyMatcher;
import io.streetsense.benchmarks.accuracy.AccuracyResult;
import io.streetsense.benchmarks.accuracy.Detection;
import io.streetsense.benchmarks.accuracy.Expected;
import io.streetsense.blockmap.Zone;
import io.streetsense.schemas.Topics;
import io.streetsense.simulator.GroundTruth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;

/**
 * One phase of a load test: start the system under test (the real pipeline, or the passthrough
 * baseline) and a generator, each in its own JVM, on fresh topics; run the plan (warm-up, fixed
 * rates or the rate search, the step at 80 %, the drain); sample everything every second; settle
 * and score. Returns what it measured; never leaves a child running.
 */
final class PhaseRun {
  enum Kind {
    PASSTHROUGH,
    PIPELINE;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * How the system under test is deployed: the bridge and the Flink job in one JVM ({@code
   * streetsense run}), or each in its own ({@code streetsense bridge} and {@code streetsense job}).
   */
  enum Shape {
    COMBINED,
    SPLIT;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The measured process name of the combined system under test. */
  static final String COMBINED_PROCESS = "bridge+flink";

  /** The measured process names of the split system under test. */
  static final String BRIDGE_PROCESS = "bridge";

  static final String JOB_PROCESS = "job";

  // The job's sources commit their offsets on checkpoints under the default group.
  private static final String CONSUMER_GROUP = StreetSenseJob.DEFAULT_CONSUMER_GROUP;
  private static final String BRIDGE_CLIENT_ID = "streetsense-bridge";

  private final LoadTest t;
  private final Kind kind;
  private final CityMaps.City city;
  private final String mqttUri;
  private final String kafka;
  private final String influx;
  private final Map<String, Long> servicePids;
  private final Path dir;
  private final String prefix;
  private final Topics topics;
  private final long oooMs;
  private final List<TimeMap.Segment> segments = new CopyOnWriteArrayList<>();
  private volatile TimeMap map;
  private final LatencyBook book = new LatencyBook();
  private final List<Results.Sample> samples = Collections.synchronizedList(new ArrayList<>());

  /** Thread CPU snapshots of each system-under-test JVM, by measured process name. */
  private final Map<String, List<Map.Entry<Long, Map<String, Long>>>> threadSnapshots =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final List<Results.Step> steps = new ArrayList<>();
  private final Map<String, Object> checks = new LinkedHashMap<>();
  private final Map<String, Map<String, Map<String, Long>>> checkpointByOperator =
      new LinkedHashMap<>();
  private volatile String currentStep = "start";
  private volatile double currentRate;
  private volatile boolean sampling = true;

  /** The JVM with the bridge (in the combined shape, also the job's). */
  private ChildJvm sut;

  /** The JVM with the Flink job: {@link #sut} in the combined shape. */
  private ChildJvm jobJvm;

  private ChildJvm gen;
  private final Shape shape;
  private final String name;

  /** What the scale curve reads at the end of the run ({@link #endOfRun()}). */
  private final Map<String, Object> endOfRun = new LinkedHashMap<>();

  /** Each step's counted part, wall-clock epoch ms [from, to), for the profile. */
  private final Map<String, long[]> countedWindows = new LinkedHashMap<>();

  private OutputReader reader;
  private Admin admin;
  private long phaseStartMs;
  private double naturalRate;
  private double meanPayload;
  private double sutStartSeconds;
  private long eventStartMs;
  private List<TopicPartition> devicePartitions;
  private List<TopicPartition> deadPartitions;
  private List<TopicPartition> forwardPartitions;

  PhaseRun(
      LoadTest t,
      Kind kind,
      CityMaps.City city,
      String mqttUri,
      String kafka,
      String influx,
      Map<String, Long> servicePids,
      Path dir,
      long oooMs,
      Shape shape,
      String topicTag) {
    this.t = t;
    this.kind = kind;
    this.shape = shape;
    // The scale curve runs one phase per city: its name says which (pipeline-split-b300).
    this.name =
        kind.label()
            + (shape == Shape.SPLIT ? "-split" : "")
            + (t.scale() && topicTag != null ? "-" + topicTag : "");
    this.city = city;
    this.mqttUri = mqttUri;
    this.kafka = kafka;
    this.influx = influx;
    this.servicePids = servicePids;
    this.dir = dir;
    // Each phase on topics of its own: a fresh job reads only what its own run published.
    this.prefix = "load." + kind.label() + "." + (topicTag == null ? "" : topicTag + ".");
    this.topics = Topics.withPrefix(prefix);
    this.oooMs = oooMs;
  }

  Results.Phase run() {
    Results.Drain drain = null;
    Results.Accuracy accuracy = null;
    Double best = null;
    Double failed = null;
    Thread sampler = null;
    try {
      Properties p = new Properties();
      p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
      admin = Admin.create(p);
      createTopics();
      removeBridgeSession();
      startSut();
      startGenerator();
      reader =
          new OutputReader(
              kafka,
              topics.violations(),
              topics.workOrders(),
              kind == Kind.PASSTHROUGH ? prefix + "forward" : null,
              Math.max(1, t.partitions / 4),
              () -> map,
              oooMs,
              book);
      phaseStartMs = System.currentTimeMillis();
      sampler = new Thread(this::sampleLoop, "loadtest-sampler");
      sampler.setDaemon(true);
      sampler.start();

      if (t.warmupRate() > 0) {
        runStep("warm-up", "warm-up", t.warmupRate(), t.initialWarmup, Duration.ZERO);
      }
      List<Double> fixedRates = t.fixedRates();
      for (int i = 0; i < fixedRates.size(); i++) {
        double rate = fixedRates.get(i);
        // Labels name a step's latency histogram: a rate given twice gets "#2" (and so on), so
        // that the second step's figures are its own.
        long earlier = fixedRates.subList(0, i).stream().filter(r -> r == rate).count();
        String label =
            String.format(Locale.ROOT, "fixed %.0f", rate)
                + (earlier == 0 ? "" : " #" + (earlier + 1));
        Results.Step s = runStep(label, "fixed", rate, t.durationOfFixedStep(i), t.warmup);
        if (!s.sustainable()) {
          recover(rate);
        }
      }
      if (t.scale()) {
        recordEndOfRun();
      }
      if (t.search()) {
        RateSearch search =
            new RateSearch(
                t.searchStart, t.searchFactor, t.searchPrecision, t.searchMax, 100, t.searchSteps);
        int n = 0;
        OptionalDouble next;
        while ((next = search.next()).isPresent() && !budgetExhausted()) {
          double rate = next.getAsDouble();
          Results.Step s =
              runStep(
                  String.format(Locale.ROOT, "search %d: %.0f", ++n, rate),
                  "search",
                  rate,
                  t.duration,
                  t.warmup);
          search.record(rate, s.sustainable(), Math.min(s.bridgeRate(), s.flinkRate()));
          if (!s.sustainable()) {
            recover(rate);
          }
        }
        best = search.best();
        failed = Double.isInfinite(search.lowestFailed()) ? null : search.lowestFailed();
        if (search.best() > 0 && !budgetExhausted()) {
          double at80 = Math.round(search.best() * 0.8 / 100) * 100.0;
          runStep(
              String.format(Locale.ROOT, "at 80%%: %.0f", at80),
              "at-80%",
              at80,
              // Three times as long: at low rates violation records are few, and p99 needs them.
              t.duration.multipliedBy(3),
              t.warmup);
        }
      }
      if (t.backlog > 0 && !budgetExhausted()) {
        drain = drain();
      }
      accuracy = settle();
    } catch (Exception e) {
      checks.put("error", e.toString());
      LoadTest.progress("%s: FAILED: %s", name, e);
      e.printStackTrace(System.out);
    } finally {
      sampling = false;
      if (sampler != null) {
        try {
          sampler.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (gen != null) {
        gen.stop(Duration.ofSeconds(60));
      }
      if (reader != null) {
        checks.put("outputRecordsWithoutLogAppendTime", reader.notAppendTime.get());
        checks.put("undecodableOutputRecords", reader.undecodable.get());
        if (reader.failure != null) {
          checks.put("outputReaderFailure", reader.failure);
        }
        reader.close();
      }
      // The bridge first (it drains what it holds into Kafka), then the job.
      if (sut != null) {
        sut.stop(Duration.ofSeconds(90));
      }
      if (jobJvm != null && jobJvm != sut) {
        jobJvm.stop(Duration.ofSeconds(90));
      }
      if (admin != null) {
        admin.close(Duration.ofSeconds(5));
      }
    }
    Map<String, Map<String, Double>> profile = t.profile ? profile() : Map.of();
    // Latency samples of a step keep arriving after it ended (records of its messages that were
    // still queued): the figures are taken once everything has been read.
    List<Results.Step> finalSteps = new ArrayList<>();
    for (Results.Step s : steps) {
      Map<String, LatencyBook.Summary> latency = new LinkedHashMap<>();
      for (String metric : book.metrics(s.label())) {
        latency.put(metric, book.summary(s.label(), metric));
      }
      finalSteps.add(s.withLatency(latency));
    }
    checks.put("negativeLatencySamples", book.negativeCounts());
    checks.put("samplesWithoutIntendedTime", book.unmappedCounts());
    if (sut != null) {
      checks.put("sutLog", sut.log().toString());
    }
    if (jobJvm != null && jobJvm != sut) {
      checks.put("jobLog", jobJvm.log().toString());
    }
    if (gen != null) {
      checks.put("generatorLog", gen.log().toString());
    }
    Map<String, Map<Long, LatencyBook.Summary>> timeline = new LinkedHashMap<>();
    for (String metric :
        List.of(
            "violation",
            "workOrder",
            "forward",
            "violationVisible",
            "generatorAck",
            "generatorSendDelay")) {
      Map<Long, LatencyBook.Summary> tl = book.timeline(metric);
      if (!tl.isEmpty()) {
        Map<Long, LatencyBook.Summary> relative = new TreeMap<>();
        tl.forEach((k, v) -> relative.put((k - phaseStartMs) / 1000, v));
        timeline.put(metric, relative);
      }
    }
    return new Results.Phase(
        name,
        prefix,
        naturalRate,
        meanPayload,
        sutStartSeconds,
        finalSteps,
        best,
        failed,
        drain,
        accuracy,
        checks,
        List.copyOf(samples),
        timeline,
        profile,
        checkpointByOperator);
  }

  /** Where a system-under-test JVM's flight recording goes ({@code --profile}). */
  private Path recording(String process) {
    return dir.resolve(
        "sut-" + kind.label() + (shape == Shape.SPLIT ? "-" + process : "") + ".jfr");
  }

  /** The measured process names of the system under test in this shape. */
  List<String> sutProcesses() {
    return shape == Shape.SPLIT ? List.of(BRIDGE_PROCESS, JOB_PROCESS) : List.of(COMBINED_PROCESS);
  }

  /** The measured process whose figures are the Flink job's. */
  String jobProcess() {
    return shape == Shape.SPLIT ? JOB_PROCESS : COMBINED_PROCESS;
  }

  /** The key prefix of a process's thread groups in a step's thread table: none when combined. */
  private String threadPrefix(String process) {
    return shape == Shape.SPLIT ? process + ": " : "";
  }

  /**
   * CPU microseconds per device message by stage in each step's counted part, from the flight
   * recording each system-under-test JVM wrote when it stopped ({@link JfrStages}). In the split
   * shape each JVM's recording is shared out over that JVM's own measured CPU, giving a column per
   * JVM ("step · bridge JVM", "step · job JVM"), and the two are added up stage by stage into the
   * step's own column, comparable with the combined shape's.
   */
  private Map<String, Map<String, Double>> profile() {
    Map<String, Map<String, Double>> byStep = new LinkedHashMap<>();
    List<String> recorded = new ArrayList<>();
    for (String process : sutProcesses()) {
      Path file = recording(process);
      if (!Files.isRegularFile(file)) {
        checks.put("profile", "no flight recording at " + file);
        return byStep;
      }
      recorded.add(file.toString());
    }
    checks.put("profileRecording", String.join(", ", recorded));
    for (Results.Step step : steps) {
      long[] window = countedWindows.get(step.label());
      if (window == null) {
        continue;
      }
      Map<String, Double> merged = new LinkedHashMap<>();
      Map<String, Map<String, Double>> perProcess = new LinkedHashMap<>();
      double cores = 0;
      try {
        for (String process : sutProcesses()) {
          String pre = threadPrefix(process);
          Double java = step.sutThreadCores().get(pre + "(all Java threads)");
          Double vm = step.sutThreadCores().get(pre + "(GC, JIT, other VM threads)");
          if (java == null || vm == null) {
            perProcess.clear();
            break;
          }
          cores += java + vm;
          Map<String, Double> micros =
              JfrStages.microsPerMessage(
                  JfrStages.samplesByStage(recording(process), window[0], window[1]),
                  java,
                  vm,
                  step.bridgeRate());
          perProcess.put(process, micros);
          micros.forEach((stage, us) -> merged.merge(stage, us, (x, y) -> round(x + y)));
        }
      } catch (IOException e) {
        checks.put("profile", "cannot read a flight recording: " + e);
        break;
      }
      if (perProcess.isEmpty()) {
        continue;
      }
      // The total last, as in each JVM's own table.
      Double total = merged.remove("total");
      if (total != null) {
        merged.put("total", total);
      }
      byStep.put(step.label(), merged);
      if (shape == Shape.SPLIT) {
        perProcess.forEach(
            (process, micros) -> byStep.put(step.label() + " · " + process + " JVM", micros));
      }
      LoadTest.progress(
          "%s: step '%s': CPU per device message by stage (%.0f msgs/s into Kafka, %.2f cores%s):%n%s",
          name,
          step.label(),
          step.bridgeRate(),
          cores,
          shape == Shape.SPLIT ? ", bridge and job JVMs added up" : "",
          JfrStages.table(merged));
    }
    return byStep;
  }

  /** The job JVM's figures at the end of the run, for the scale curve; empty before it ended. */
  Map<String, Object> endOfRun() {
    return endOfRun;
  }

  // ---------------------------------------------------------------------------------------------
  // Set-up

  private void createTopics() throws Exception {
    Map<String, String> appendTime =
        Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
    Map<String, String> compacted = new HashMap<>(appendTime);
    compacted.put(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
    List<NewTopic> created = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String name : topics.all()) {
      names.add(name);
      created.add(
          new NewTopic(name, t.partitions, (short) 1)
              .configs(name.equals(topics.workOrders()) ? compacted : appendTime));
    }
    if (kind == Kind.PASSTHROUGH) {
      for (String suffix : List.of(PassthroughJob.PARKING_SUFFIX, PassthroughJob.CAMERA_SUFFIX)) {
        String name = prefix + "forward" + suffix;
        names.add(name);
        created.add(new NewTopic(name, t.partitions, (short) 1).configs(appendTime));
      }
    }
    admin.createTopics(created).all().get(60, TimeUnit.SECONDS);
    long started = System.nanoTime();
    while (true) {
      Map<String, TopicDescription> d =
          admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
      if (d.values().stream()
          .flatMap(x -> x.partitions().stream())
          .allMatch(x -> x.leader() != null && !x.leader().isEmpty())) {
        break;
      }
      if (System.nanoTime() - started > 120_000_000_000L) {
        throw new IllegalStateException("topics have no leaders after 120 s");
      }
      Thread.sleep(200);
    }
    Thread.sleep(2_000);
    devicePartitions = partitions(List.of(topics.parking(), topics.camera()));
    deadPartitions = partitions(List.of(topics.deadLetters()));
    forwardPartitions =
        kind == Kind.PASSTHROUGH
            ? partitions(
                List.of(
                    prefix + "forward" + PassthroughJob.PARKING_SUFFIX,
                    prefix + "forward" + PassthroughJob.CAMERA_SUFFIX))
            : List.of();
  }

  private List<TopicPartition> partitions(List<String> names) {
    List<TopicPartition> out = new ArrayList<>();
    for (String n : names) {
      for (int i = 0; i < t.partitions; i++) {
        out.add(new TopicPartition(n, i));
      }
    }
    return out;
  }

  /** Removes the bridge's persistent MQTT session left by an earlier phase. */
  private void removeBridgeSession() throws Exception {
    MqttAsyncClient c = new MqttAsyncClient(mqttUri, BRIDGE_CLIENT_ID, new MemoryPersistence());
    try {
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setCleanStart(true);
      o.setSessionExpiryInterval(0L);
      c.connect(o).waitForCompletion(15_000);
      c.disconnect().waitForCompletion(15_000);
    } finally {
      c.close();
    }
  }

  private void startSut() throws Exception {
    List<String> args =
        List.of(
            "--mode",
            kind == Kind.PASSTHROUGH ? "passthrough" : "pipeline",
            "--blockmaps",
            city.dir().toString(),
            "--mqtt",
            mqttUri,
            "--kafka",
            kafka,
            "--influx",
            influx,
            "--influx-db",
            "streetsense",
            "--prefix",
            prefix,
            "--partitions",
            Integer.toString(t.partitions),
            "--parallelism",
            Integer.toString(t.parallelism),
            "--checkpoint-interval",
            t.checkpointInterval.toString(),
            "--bridge-window",
            Integer.toString(t.bridgeWindow),
            "--checkpoint-dir",
            "jobmanager".equals(t.checkpointStorage)
                ? ""
                : dir.resolve("checkpoints").toAbsolutePath().toString());
    if (t.flinkConf != null) {
      List<String> more = new ArrayList<>(args);
      for (String c : t.flinkConf) {
        more.add("--flink-conf");
        more.add(c);
      }
      args = more;
    }
    LoadTest.progress(
        "%s: starting the system under test (%s job, parallelism %d, %s)",
        name,
        kind == Kind.PASSTHROUGH ? "passthrough" : "StreetSense",
        t.parallelism,
        shape == Shape.SPLIT
            ? "split: the bridge and the job in JVMs of their own"
            : "combined: bridge and job in one JVM");
    if (shape == Shape.COMBINED) {
      sut = startSutJvm(COMBINED_PROCESS, "combined", "sut-" + name, args);
      jobJvm = sut;
    } else {
      // The job first, as the combined pipeline starts it: its sources are there when the bridge
      // begins to publish.
      jobJvm = startSutJvm(JOB_PROCESS, "job", "sut-" + kind.label() + "-job", args);
      sut = startSutJvm(BRIDGE_PROCESS, "bridge", "sut-" + kind.label() + "-bridge", args);
    }
  }

  /** Starts one system-under-test JVM in {@code role} and waits until it is ready. */
  private ChildJvm startSutJvm(String process, String role, String jvmName, List<String> args)
      throws Exception {
    List<String> withRole = new ArrayList<>(args);
    withRole.add("--role");
    withRole.add(role);
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + t.sutHeap, "-XX:+UseG1GC"));
    if (t.profile) {
      jvm.addAll(JfrStages.recordingOptions(recording(process)));
    }
    ChildJvm child =
        ChildJvm.start(jvmName, jvm, PipelineProcess.class, withRole, dir, onSut(process));
    JsonNode ready = child.await("ready", Duration.ofSeconds(240), true);
    double seconds = ready.path("startSeconds").asDouble();
    sutStartSeconds += seconds;
    LoadTest.progress(
        "%s: %s up in %.1f s (pid %d, log %s)",
        name,
        switch (role) {
          case "bridge" -> "the bridge";
          case "job" -> "the Flink job";
          default -> "bridge and Flink job";
        },
        seconds,
        child.pid(),
        child.log());
    return child;
  }

  private void startGenerator() throws Exception {
    // Event time starts 23 h 40 min ago: within the contract's 24 h, with room to run ahead.
    eventStartMs =
        (System.currentTimeMillis() - Duration.ofMinutes(23 * 60 + 40).toMillis()) / 1000 * 1000;
    map = TimeMap.holdingAt(eventStartMs, System.currentTimeMillis());
    List<String> args =
        List.of(
            "--blockmaps", city.dir().toString(),
            "--mqtt", mqttUri,
            "--seed", Long.toString(t.seed),
            "--event-start-ms", Long.toString(eventStartMs),
            "--span-minutes", Long.toString(24 * 60),
            "--mix", t.mix.toString(),
            "--street", t.street.name(),
            "--connections", Integer.toString(t.connections),
            "--window", Integer.toString(t.publishWindow),
            "--client-prefix", "loadgen-" + name,
            "--client", t.generatorClient);
    gen =
        ChildJvm.start(
            "generator-" + name,
            List.of("-Xmx" + t.generatorHeap, "-XX:+UseG1GC"),
            LoadGenerator.class,
            args,
            dir,
            this::onGenerator);
    JsonNode ready = gen.await("ready", Duration.ofSeconds(300), true);
    naturalRate = ready.path("naturalRate").asDouble();
    meanPayload = ready.path("meanPayloadBytes").asDouble();
    checks.put("scriptedEvents", ready.path("scripted"));
    LoadTest.progress(
        "%s: generator ready (pid %d, %d connections): the city plays %.0f msgs per event-second"
            + " (mean payload %.0f B); rate R runs its event time R/%.0f times the wall clock",
        name, gen.pid(), ready.path("workers").asInt(), naturalRate, meanPayload, naturalRate);
  }

  private void onGenerator(JsonNode m) {
    switch (m.path("type").asText()) {
      case "segment" -> {
        segments.add(
            new TimeMap.Segment(
                TimeMap.Kind.valueOf(m.path("kind").asText()),
                m.path("eventStartMs").asLong(),
                m.path("wallStartMs").asDouble(),
                m.path("speed").asDouble()));
        map = TimeMap.of(List.copyOf(segments));
      }
      case "status" -> {
        double at = m.path("wallMs").asDouble();
        Histogram delay = ChildProtocol.decode(m.path("sendDelayHist").asText());
        Histogram ack = ChildProtocol.decode(m.path("ackHist").asText());
        book.add("generatorSendDelay", at, delay);
        book.add("generatorAck", at, ack);
      }
      default -> {}
    }
  }

  private java.util.function.Consumer<JsonNode> onSut(String process) {
    List<Map.Entry<Long, Map<String, Long>>> snapshots =
        threadSnapshots.computeIfAbsent(
            process, p -> Collections.synchronizedList(new ArrayList<>()));
    return m -> {
      if ("status".equals(m.path("type").asText()) && m.has("threadCpuNanos")) {
        Map<String, Long> cpu = new HashMap<>();
        m.path("threadCpuNanos")
            .fields()
            .forEachRemaining(e -> cpu.put(e.getKey(), e.getValue().asLong()));
        snapshots.add(Map.entry(m.path("wallMs").asLong(), cpu));
      }
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Steps

  private Results.Step runStep(
      String label, String stepKind, double rate, Duration duration, Duration warmup)
      throws Exception {
    Results.Sample before = latest();
    if (!stepKind.equals("warm-up")
        && before != null
        && before.lag() > Math.max(1000, (long) (0.1 * rate))) {
      // Whatever came before (the warm-up, a step that was only just sustained) left a queue: a
      // step starts clean.
      recover(rate);
    }
    long start = System.currentTimeMillis();
    Map<String, Long> checkpointAtStart = CheckpointBreakdown.newest(checkpointFolder());
    book.open(label, start + warmup.toMillis());
    currentStep = label;
    currentRate = rate;
    LoadTest.progress(
        "%s: step '%s': %.0f msgs/s for %d s (first %d s not counted)",
        name, label, rate, duration.toSeconds(), warmup.toSeconds());
    gen.send(String.format(Locale.ROOT, "rate %.1f", rate));
    sleepWatching(duration);
    long end = System.currentTimeMillis();
    book.close(label, end);
    Results.Step s = evaluate(label, stepKind, rate, start, start + warmup.toMillis(), end);
    steps.add(s);
    countedWindows.put(label, new long[] {start + warmup.toMillis(), end});
    if (stepKind.equals("fixed")) {
      recordCheckpointGrowth(label, checkpointAtStart);
    }
    LatencyBook.Summary headline = s.latency().get(headlineMetric());
    LoadTest.progress(
        "%s: step '%s' %s: offered %.0f, Kafka in %.0f, job %.0f msgs/s; lag %d -> %d (%+.0f/s = %.2f%%"
            + " of the rate)%s; %s",
        name,
        label,
        s.sustainable() ? "SUSTAINED" : "NOT sustained",
        s.offeredRate(),
        s.bridgeRate(),
        s.flinkRate(),
        s.lagStart(),
        s.lagEnd(),
        s.lagSlope(),
        100 * s.lagSlopeShare(),
        headline == null
            ? ""
            : String.format(
                Locale.ROOT,
                "; %s latency so far p50 %.0f / p99 %.0f / max %.0f ms (%d samples)",
                headlineMetric(),
                headline.p50(),
                headline.p99(),
                headline.max(),
                headline.count()),
        s.verdict());
    return s;
  }

  /** Where the job writes its checkpoints (none with {@code --checkpoint-storage jobmanager}). */
  private Path checkpointFolder() {
    return dir.resolve("checkpoints");
  }

  /** Keeps, and prints, the largest operators' state at the step's start and end. */
  private void recordCheckpointGrowth(String label, Map<String, Long> atStart) {
    Map<String, Long> atEnd = CheckpointBreakdown.newest(checkpointFolder());
    if (atEnd.isEmpty()) {
      return;
    }
    checkpointByOperator.put(label, Map.of("start", atStart, "end", atEnd));
    StringBuilder largest = new StringBuilder();
    atEnd.entrySet().stream()
        .limit(6)
        .forEach(
            e ->
                largest.append(
                    String.format(
                        Locale.ROOT,
                        "%s%s %.2f -> %.2f MB",
                        largest.isEmpty() ? "" : ", ",
                        e.getKey(),
                        atStart.getOrDefault(e.getKey(), 0L) / 1e6,
                        e.getValue() / 1e6)));
    LoadTest.progress("%s: step '%s': checkpoint state by operator: %s", name, label, largest);
  }

  String headlineMetric() {
    return kind == Kind.PASSTHROUGH ? "forward" : "violation";
  }

  /**
   * Holds the generator until the lag left by a failed step is drained, so the next step starts
   * clean; gives up after 10 minutes (then the next step's verdict says it started with a backlog).
   */
  private void recover(double rate) throws Exception {
    gen.send("hold");
    currentStep = "recover";
    currentRate = 0;
    long start = System.currentTimeMillis();
    long lag0 = latest() == null ? 0 : latest().lag();
    long limit = Math.max(1000, (long) (0.1 * rate));
    while (System.currentTimeMillis() - start < 600_000) {
      checkAlive();
      Results.Sample s = latest();
      if (s != null && s.wallMs() > start + 1500 && s.lag() <= limit) {
        break;
      }
      Thread.sleep(500);
    }
    double secs = (System.currentTimeMillis() - start) / 1000.0;
    LoadTest.progress(
        "%s: held the generator %.0f s to drain the lag (%d -> %d)",
        name, secs, lag0, latest() == null ? 0 : latest().lag());
  }

  /** Throws when the system under test, its Flink job or the generator is gone. */
  private void checkAlive() {
    for (ChildJvm child : List.of(sut, jobJvm)) {
      if (!child.isAlive()) {
        throw new IllegalStateException("the system under test died; log: " + child.log());
      }
    }
    JsonNode failed = jobJvm.last("job-failed");
    if (failed != null) {
      throw new IllegalStateException(
          "the Flink job failed: "
              + failed.path("error").asText()
              + " (log: "
              + jobJvm.log()
              + ")");
    }
    JsonNode st = jobJvm.last("status");
    String status = st == null ? "" : st.path("jobStatus").asText();
    if (List.of("FAILED", "CANCELED", "FINISHED").contains(status)) {
      throw new IllegalStateException(
          "the Flink job is " + status + " (log: " + jobJvm.log() + ")");
    }
    if (!gen.isAlive()) {
      throw new IllegalStateException("the generator died; log: " + gen.log());
    }
  }

  private void sleepWatching(Duration d) throws InterruptedException {
    long end = System.nanoTime() + d.toNanos();
    while (System.nanoTime() < end) {
      checkAlive();
      Thread.sleep(Math.min(500, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
  }

  private boolean budgetExhausted() {
    JsonNode s = gen == null ? null : gen.last("status");
    boolean out = s != null && s.path("budgetExhausted").asBoolean();
    if (out) {
      checks.put(
          "eventTimeBudgetExhausted",
          "the city's event time ran 4.5 min ahead of the wall clock; use more --blocks");
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Sampling

  private void sampleLoop() {
    long next = System.currentTimeMillis();
    int n = 0;
    while (sampling) {
      next += 1000;
      long wait = next - System.currentTimeMillis();
      if (wait > 0) {
        try {
          Thread.sleep(wait);
        } catch (InterruptedException e) {
          return;
        }
      }
      try {
        Results.Sample s = sample();
        samples.add(s);
        if (++n % 5 == 0) {
          printProgress(s);
        }
      } catch (Exception e) {
        System.out.println("sample failed: " + e);
      }
    }
  }

  private Results.Sample latest() {
    synchronized (samples) {
      return samples.isEmpty() ? null : samples.get(samples.size() - 1);
    }
  }

  private Results.Sample sample() throws Exception {
    long now = System.currentTimeMillis();
    JsonNode g = gen.last("status");
    JsonNode st = sut.last("status");
    JsonNode jobStatus = jobJvm.last("status");
    long sent = g == null ? 0 : g.path("sent").asLong();
    long acked = g == null ? 0 : g.path("acked").asLong();
    double behind = g == null ? 0 : g.path("behindMs").asDouble();
    JsonNode br = st == null ? null : st.path("bridge");
    long received = br == null ? 0 : br.path("received").asLong();
    long dead = br == null ? 0 : br.path("deadLetters").asLong();
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (TopicPartition tp : devicePartitions) {
      specs.put(tp, OffsetSpec.latest());
    }
    for (TopicPartition tp : deadPartitions) {
      specs.put(tp, OffsetSpec.latest());
    }
    for (TopicPartition tp : forwardPartitions) {
      specs.put(tp, OffsetSpec.latest());
    }
    var ends = admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS);
    long device = 0;
    long forwarded = 0;
    for (TopicPartition tp : devicePartitions) {
      device += ends.get(tp).offset();
    }
    for (TopicPartition tp : forwardPartitions) {
      forwarded += ends.get(tp).offset();
    }
    long consumed = 0;
    double watermark = Double.NaN;
    double checkpoints = 0;
    double lastCheckpoint = 0;
    double lastCheckpointFullBytes = Double.NaN;
    Map<String, Double> busy = new TreeMap<>();
    Map<String, Double> backPressured = new TreeMap<>();
    if (jobStatus != null) {
      JsonNode f = jobStatus.path("flink");
      var it = f.path("offsets").fields();
      while (it.hasNext()) {
        var e = it.next();
        String topic = e.getKey().substring(0, e.getKey().lastIndexOf('/'));
        if (topic.equals(topics.parking()) || topic.equals(topics.camera())) {
          consumed += Math.max(0, e.getValue().asLong() + 1);
        }
      }
      var wm = f.path("watermarks").fields();
      while (wm.hasNext()) {
        double v = wm.next().getValue().asDouble();
        if (v > 0) {
          watermark = Double.isNaN(watermark) ? v : Math.min(watermark, v);
        }
      }
      var tasks = f.path("tasks").fields();
      while (tasks.hasNext()) {
        var e = tasks.next();
        busy.put(e.getKey(), e.getValue().path("busyMsPerSecond").asDouble());
        backPressured.put(e.getKey(), e.getValue().path("backPressuredMsPerSecond").asDouble());
      }
      checkpoints = f.path("job").path("numberOfCompletedCheckpoints").asDouble();
      lastCheckpoint = f.path("job").path("lastCheckpointDuration").asDouble();
      // The whole state (an incremental RocksDB checkpoint writes only the change).
      JsonNode full = f.path("job").path("lastCheckpointFullSize");
      JsonNode written = f.path("job").path("lastCheckpointSize");
      lastCheckpointFullBytes =
          full.isNumber() && full.asDouble() > 0
              ? full.asDouble()
              : written.isNumber() ? written.asDouble() : Double.NaN;
    }
    long committed = 0;
    Map<TopicPartition, OffsetAndMetadata> group =
        admin
            .listConsumerGroupOffsets(CONSUMER_GROUP)
            .partitionsToOffsetAndMetadata()
            .get(10, TimeUnit.SECONDS);
    for (TopicPartition tp : devicePartitions) {
      OffsetAndMetadata o = group.get(tp);
      if (o != null) {
        committed += o.offset();
      }
    }
    double watermarkDelay = Double.NaN;
    if (!Double.isNaN(watermark) && watermark > eventStartMs) {
      double due = map.measuredIntendedMs((long) watermark + oooMs + 1);
      watermarkDelay = now - due;
    }
    Map<String, Long> pids = pids();
    Map<String, Long> cpu = new LinkedHashMap<>();
    Map<String, Long> rss = new LinkedHashMap<>();
    Map<String, Long> heap = new LinkedHashMap<>();
    Map<String, Double> gc = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : pids.entrySet()) {
      cpu.put(e.getKey(), ProcStats.cpuTicks(e.getValue()));
      rss.put(e.getKey(), ProcStats.rssBytes(e.getValue()));
      if (LoadTest.JVMS.contains(e.getKey())) {
        ProcStats.JvmHeap h = ProcStats.jvmHeap(e.getValue());
        if (h != null) {
          heap.put(e.getKey(), h.used());
          gc.put(e.getKey(), h.gcMillis());
        }
      }
    }
    long[] machine = ProcStats.machineTicks();
    long lag = Math.max(0, acked - dead - consumed);
    return new Results.Sample(
        (now - phaseStartMs) / 1000.0,
        now,
        currentStep,
        currentRate,
        sent,
        acked,
        behind,
        received,
        dead,
        device,
        consumed,
        committed,
        forwarded,
        reader.violations.get(),
        reader.workOrders.get(),
        lag,
        Math.max(0, acked - dead - device),
        Math.max(0, device - consumed),
        watermarkDelay,
        machine[0],
        machine[1],
        ProcStats.loadAverage1(),
        cpu,
        rss,
        heap,
        gc,
        busy,
        backPressured,
        checkpoints,
        lastCheckpoint,
        lastCheckpointFullBytes);
  }

  /** The processes whose CPU and memory are measured. */
  private Map<String, Long> pids() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("generator", gen.pid());
    if (shape == Shape.SPLIT) {
      out.put(BRIDGE_PROCESS, sut.pid());
      out.put(JOB_PROCESS, jobJvm.pid());
    } else {
      out.put(COMBINED_PROCESS, sut.pid());
    }
    out.putAll(servicePids);
    out.put("load-test", ProcessHandle.current().pid());
    return out;
  }

  private Results.Sample previousProgress;

  private void printProgress(Results.Sample s) {
    Results.Sample p = previousProgress;
    previousProgress = s;
    if (p == null) {
      return;
    }
    double dt = (s.wallMs() - p.wallMs()) / 1000.0;
    if (dt <= 0) {
      return;
    }
    StringBuilder cpu = new StringBuilder();
    double ours = 0;
    for (String name : s.cpuTicks().keySet()) {
      Long a = p.cpuTicks().get(name);
      long b = s.cpuTicks().get(name);
      if (a != null && a >= 0 && b >= 0) {
        double cores = (b - a) / ProcStats.TICKS_PER_SECOND / dt;
        ours += cores;
        cpu.append(String.format(Locale.ROOT, " %s %.2f", LoadTest.shortName(name), cores));
      }
    }
    long busy = s.machineBusyTicks() - p.machineBusyTicks();
    long total = s.machineTotalTicks() - p.machineTotalTicks();
    double machineCores =
        total <= 0 ? 0 : (double) busy / total * Runtime.getRuntime().availableProcessors();
    LatencyBook.Summary recent =
        book.recent(headlineMetric(), s.wallMs() - 15_000, s.wallMs() - 5_000);
    LoadTest.progress(
        "%s [%s @ %.0f/s] +%.0fs  sent %.0f/s  kafka %.0f/s  job %.0f/s  lag %,d (mqtt %,d, kafka"
            + " %,d)  viol %.1f/s wo %.1f/s%s  cpu%s other %.2f  load %.1f",
        name,
        s.step(),
        s.targetRate(),
        s.t(),
        (s.genSent() - p.genSent()) / dt,
        (s.deviceRecords() - p.deviceRecords()) / dt,
        (s.flinkConsumed() - p.flinkConsumed()) / dt,
        s.lag(),
        s.bridgeLag(),
        s.flinkLag(),
        (s.violations() - p.violations()) / dt,
        (s.workOrders() - p.workOrders()) / dt,
        recent == null
            ? ""
            : String.format(Locale.ROOT, "  %s p99 %.0f ms", headlineMetric(), recent.p99()),
        cpu,
        Math.max(0, machineCores - ours),
        s.loadAverage1());
  }

  // ---------------------------------------------------------------------------------------------
  // Evaluation

  private List<Results.Sample> window(long fromMs, long toMs) {
    List<Results.Sample> out = new ArrayList<>();
    synchronized (samples) {
      for (Results.Sample s : samples) {
        if (s.wallMs() >= fromMs && s.wallMs() <= toMs) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private Results.Step evaluate(
      String label, String stepKind, double rate, long startMs, long fromMs, long endMs) {
    List<Results.Sample> w = window(fromMs, endMs);
    Map<String, LatencyBook.Summary> latency = new LinkedHashMap<>();
    for (String metric : book.metrics(label)) {
      latency.put(metric, book.summary(label, metric));
    }
    if (w.size() < 3) {
      return new Results.Step(
          label,
          stepKind,
          rate,
          rel(startMs),
          rel(endMs),
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          0,
          false,
          "too few samples",
          latency,
          Map.of(),
          0,
          Map.of(),
          Map.of(),
          Map.of(),
          Map.of(),
          Map.of(),
          0,
          0,
          ProcStats.loadAverage1(),
          ProcStats.loadAverage1());
    }
    Results.Sample a = w.get(0);
    Results.Sample b = w.get(w.size() - 1);
    double dt = (b.wallMs() - a.wallMs()) / 1000.0;
    double[] x = new double[w.size()];
    double[] y = new double[w.size()];
    double behindMax = 0;
    for (int i = 0; i < w.size(); i++) {
      x[i] = w.get(i).t();
      y[i] = w.get(i).lag();
      behindMax = Math.max(behindMax, w.get(i).genBehindMs());
    }
    double slope = Trend.slope(x, y);
    double offered = (b.genSent() - a.genSent()) / dt;
    boolean generatorOk = offered >= 0.97 * rate;
    boolean lagOk = slope <= 0.01 * rate;
    String error =
        gen.last("status") == null ? null : gen.last("status").path("error").asText(null);
    JsonNode st = sut.last("status");
    String bridgeState = st == null ? "?" : st.path("bridge").path("state").asText();
    boolean failed = error != null || "FAILED".equals(bridgeState);
    String verdict;
    if (failed) {
      verdict = "failure: " + (error != null ? error : "bridge " + bridgeState);
    } else if (!generatorOk) {
      verdict =
          String.format(
              Locale.ROOT,
              "the generator published only %.0f of %.0f msgs/s (%.0f %%): on this machine it"
                  + " competes with the pipeline for the CPU",
              offered,
              rate,
              100 * offered / rate);
    } else if (!lagOk) {
      verdict =
          String.format(
              Locale.ROOT,
              "consumer lag grew %.0f msgs/s, %.1f %% of the rate (limit 1 %%)",
              slope,
              100 * slope / rate);
    } else {
      verdict =
          String.format(
              Locale.ROOT,
              "lag trend %+.0f msgs/s (%.2f %% of the rate)",
              slope,
              100 * slope / rate);
      if (a.lag() > 5 * rate) {
        verdict +=
            String.format(
                Locale.ROOT,
                "; it started with %,d messages queued (%.1f s of load) from before, so its"
                    + " latencies include that backlog",
                a.lag(),
                a.lag() / rate);
      } else if (b.lag() > 2 * rate) {
        // The slope criterion passed on a noisy lag; say so rather than hide it.
        verdict +=
            String.format(
                Locale.ROOT,
                "; but %,d messages (%.1f s of load) were queued at the end",
                b.lag(),
                b.lag() / rate);
      }
    }
    Usage u = usage(a, b);
    Map<String, Double> heapMax = new TreeMap<>();
    Map<String, Double> rssMax = new TreeMap<>();
    for (Results.Sample s : w) {
      s.heapUsed().forEach((k, v) -> heapMax.merge(k, mb(v), Math::max));
      s.rssBytes().forEach((k, v) -> rssMax.merge(k, mb(v), Math::max));
    }
    Map<String, Double> gcPercent = new TreeMap<>();
    b.gcMillis()
        .forEach(
            (k, v) -> {
              Double before = a.gcMillis().get(k);
              if (before != null && v >= 0 && before >= 0) {
                gcPercent.put(k, round(100 * (v - before) / (dt * 1000)));
              }
            });
    Map<String, Map<String, Double>> tasks = new TreeMap<>();
    for (Results.Sample s : w) {
      s.taskBusyMs()
          .forEach(
              (k, v) ->
                  tasks
                      .computeIfAbsent(k, x2 -> new TreeMap<>())
                      .merge("busyCores", v, Double::sum));
      s.taskBackPressuredMs()
          .forEach(
              (k, v) ->
                  tasks
                      .computeIfAbsent(k, x2 -> new TreeMap<>())
                      .merge("backPressuredCores", v, Double::sum));
    }
    tasks.values().forEach(m -> m.replaceAll((k, v) -> round(v / w.size() / 1000)));
    return new Results.Step(
        label,
        stepKind,
        rate,
        rel(startMs),
        rel(endMs),
        round(dt),
        round(offered),
        round((b.genAcked() - a.genAcked()) / dt),
        round((b.deviceRecords() - a.deviceRecords()) / dt),
        round((b.flinkConsumed() - a.flinkConsumed()) / dt),
        round((b.forwarded() - a.forwarded()) / dt),
        round((b.violations() - a.violations()) / dt),
        round((b.workOrders() - a.workOrders()) / dt),
        a.lag(),
        b.lag(),
        b.bridgeLag(),
        b.flinkLag(),
        round(slope),
        slope / rate,
        round(behindMax),
        !failed && generatorOk && lagOk,
        verdict,
        latency,
        u.cores,
        u.machineBusyPercent,
        heapMax,
        rssMax,
        gcPercent,
        tasks,
        sutThreadCores(a.wallMs(), b.wallMs(), u.cores),
        b.checkpoints() - a.checkpoints(),
        b.lastCheckpointMs(),
        a.loadAverage1(),
        b.loadAverage1());
  }

  private record Usage(Map<String, Double> cores, double machineBusyPercent) {}

  private static Usage usage(Results.Sample a, Results.Sample b) {
    double dt = (b.wallMs() - a.wallMs()) / 1000.0;
    Map<String, Double> cores = new LinkedHashMap<>();
    double ours = 0;
    for (Map.Entry<String, Long> e : b.cpuTicks().entrySet()) {
      Long before = a.cpuTicks().get(e.getKey());
      if (before != null && before >= 0 && e.getValue() >= 0) {
        double c = (e.getValue() - before) / ProcStats.TICKS_PER_SECOND / dt;
        cores.put(e.getKey(), round(c));
        ours += c;
      }
    }
    long busy = b.machineBusyTicks() - a.machineBusyTicks();
    long total = b.machineTotalTicks() - a.machineTotalTicks();
    double share = total <= 0 ? 0 : (double) busy / total;
    cores.put(
        "other", round(Math.max(0, share * Runtime.getRuntime().availableProcessors() - ours)));
    return new Usage(cores, round(100 * share));
  }

  /**
   * Each system-under-test JVM's thread groups' cores between two times, with what it used beyond
   * its Java threads; in the split shape each JVM's groups are prefixed with its name ("bridge: ",
   * "job: ").
   */
  private Map<String, Double> sutThreadCores(long fromMs, long toMs, Map<String, Double> cores) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String process : sutProcesses()) {
      String pre = threadPrefix(process);
      withJvmRemainder(threadCores(process, fromMs, toMs), cores.get(process))
          .forEach((k, v) -> out.put(pre + k, v));
    }
    return out;
  }

  /** A system-under-test JVM's thread groups' cores between two times (nearest snapshots). */
  private Map<String, Double> threadCores(String process, long fromMs, long toMs) {
    Map.Entry<Long, Map<String, Long>> a = null;
    Map.Entry<Long, Map<String, Long>> b = null;
    List<Map.Entry<Long, Map<String, Long>>> snapshots =
        threadSnapshots.getOrDefault(process, List.of());
    synchronized (snapshots) {
      for (Map.Entry<Long, Map<String, Long>> s : snapshots) {
        if (a == null && s.getKey() >= fromMs) {
          a = s;
        }
        if (s.getKey() <= toMs) {
          b = s;
        }
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    if (a == null || b == null || b.getKey() <= a.getKey()) {
      return out;
    }
    double dt = (b.getKey() - a.getKey()) / 1000.0;
    Map<String, Double> all = new HashMap<>();
    Map<String, Long> before = a.getValue();
    double[] total = new double[1];
    b.getValue()
        .forEach(
            (k, v) -> {
              double c = Math.max(0, v - before.getOrDefault(k, 0L)) / 1e9 / dt;
              total[0] += c;
              if (c >= 0.005) {
                all.put(k, round(c));
              }
            });
    out.put("(all Java threads)", round(total[0]));
    all.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(15)
        .forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  /** Adds what the process used beyond its Java threads: GC, JIT compilers, other VM threads. */
  private static Map<String, Double> withJvmRemainder(Map<String, Double> threads, Double process) {
    Double java = threads.get("(all Java threads)");
    if (java != null && process != null) {
      threads.put("(GC, JIT, other VM threads)", round(Math.max(0, process - java)));
    }
    return threads;
  }

  /**
   * The job JVM's figures for the scale curve, read right after the fixed step: its heap in use
   * (the last sample's, then again after a full GC that {@code jcmd GC.run} asks for, which is what
   * the state and the job really keep), and the Flink job's last checkpoint's size and duration.
   */
  private void recordEndOfRun() {
    String process = jobProcess();
    Results.Sample last = latest();
    Long heap = last == null ? null : last.heapUsed().get(process);
    endOfRun.put("heapAtEndMb", heap == null ? null : mb(heap));
    JsonNode st = jobJvm.last("status");
    JsonNode job = st == null ? null : st.path("flink").path("job");
    endOfRun.put(
        "lastCheckpointSizeBytes",
        job == null || !job.has("lastCheckpointSize")
            ? null
            : job.path("lastCheckpointSize").asDouble());
    endOfRun.put(
        "lastCheckpointFullSizeBytes",
        job == null || !job.has("lastCheckpointFullSize")
            ? null
            : job.path("lastCheckpointFullSize").asDouble());
    endOfRun.put(
        "lastCheckpointDurationMs",
        job == null || !job.has("lastCheckpointDuration")
            ? null
            : job.path("lastCheckpointDuration").asDouble());
    endOfRun.put(
        "completedCheckpoints",
        job == null ? null : job.path("numberOfCompletedCheckpoints").asDouble());
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      endOfRun.put("heapAfterGcMb", null);
      endOfRun.put("heapAfterGcNote", "no jcmd at " + jcmd);
      return;
    }
    try {
      Process gc =
          new ProcessBuilder(jcmd.toString(), Long.toString(jobJvm.pid()), "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
        gc.destroyForcibly();
        endOfRun.put("heapAfterGcMb", null);
        endOfRun.put("heapAfterGcNote", "jcmd GC.run did not finish cleanly within 60 s");
        return;
      }
      // hsperfdata is refreshed every 50 ms by default; give it a few.
      Thread.sleep(300);
      ProcStats.JvmHeap h = ProcStats.jvmHeap(jobJvm.pid());
      endOfRun.put("heapAfterGcMb", h == null ? null : mb(h.used()));
      LoadTest.progress(
          "%s: job JVM heap in use %s MB at the end of the step, %s MB after a full GC",
          name, endOfRun.get("heapAtEndMb"), endOfRun.get("heapAfterGcMb"));
    } catch (IOException e) {
      endOfRun.put("heapAfterGcMb", null);
      endOfRun.put("heapAfterGcNote", "jcmd failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Drain

  private Results.Drain drain() throws Exception {
    LoadTest.progress("%s: drain: holding the generator until the lag is gone", name);
    gen.send("hold");
    currentStep = "drain";
    currentRate = 0;
    awaitLag(200, Duration.ofMinutes(3));
    sut.send("pause-bridge");
    sut.await("bridge-paused", Duration.ofSeconds(120), false);
    Thread.sleep(1500);
    long acked0 = gen.last("status").path("acked").asLong();
    long spanMs = (long) Math.ceil(t.backlog / naturalRate * 1000);
    LoadTest.progress(
        "%s: drain: bridge paused; publishing a backlog of ~%,d messages (%.0f s of the city's"
            + " event time) as fast as the broker takes them",
        name, t.backlog, spanMs / 1000.0);
    long pubStart = System.currentTimeMillis();
    gen.send("backlog " + spanMs);
    long lastSent = -1;
    long stableSince = System.currentTimeMillis();
    while (true) {
      Thread.sleep(500);
      JsonNode g = gen.last("status");
      long sent = g.path("sent").asLong();
      long acked = g.path("acked").asLong();
      if (sent != lastSent) {
        lastSent = sent;
        stableSince = System.currentTimeMillis();
      } else if (acked == sent && System.currentTimeMillis() - stableSince > 2500) {
        break;
      }
      if (System.currentTimeMillis() - pubStart > 900_000) {
        throw new IllegalStateException("the backlog was not published within 15 minutes");
      }
    }
    long backlog = gen.last("status").path("acked").asLong() - acked0;
    double publishSeconds = (stableSince - pubStart) / 1000.0;
    Results.Sample before = latest();
    long deviceTarget = before.deviceRecords() + backlog;
    long consumedTarget = deviceTarget;
    LoadTest.progress(
        "%s: drain: %,d messages queued in Mosquitto (published at %.0f msgs/s); resuming the"
            + " bridge",
        name, backlog, backlog / publishSeconds);
    double load0 = ProcStats.loadAverage1();
    long resume = System.currentTimeMillis();
    currentStep = "drain";
    sut.send("resume-bridge");
    long timeout = Math.max(180_000, backlog / 2); // at least 2k msgs/s, or give up
    Results.Sample done = null;
    while (System.currentTimeMillis() - resume < timeout) {
      Thread.sleep(250);
      Results.Sample s = latest();
      if (s.wallMs() > resume && s.flinkConsumed() >= consumedTarget) {
        done = s;
        break;
      }
      checkAlive();
    }
    Thread.sleep(1100);
    List<Results.Sample> w = window(resume - 1000, System.currentTimeMillis());
    double bridgeDone = crossing(w, s -> s.deviceRecords() + s.bridgeDeadLetters(), deviceTarget);
    double flinkDone = crossing(w, Results.Sample::flinkConsumed, consumedTarget);
    double bridgeSeconds = (bridgeDone - resume) / 1000.0;
    double e2eSeconds = (flinkDone - resume) / 1000.0;
    double peak = 0;
    for (int i = 5; i < w.size(); i++) {
      double dt = (w.get(i).wallMs() - w.get(i - 5).wallMs()) / 1000.0;
      peak = Math.max(peak, (w.get(i).flinkConsumed() - w.get(i - 5).flinkConsumed()) / dt);
    }
    List<Results.Sample> during =
        window(
            resume - 1000,
            (long) (Double.isNaN(flinkDone) ? System.currentTimeMillis() : flinkDone + 1000));
    Usage u =
        during.size() >= 2
            ? usage(during.get(0), during.get(during.size() - 1))
            : new Usage(Map.of(), 0);
    Results.Drain d =
        new Results.Drain(
            backlog,
            round(publishSeconds),
            round(backlog / publishSeconds),
            rel(resume),
            round(bridgeSeconds),
            round(e2eSeconds),
            round(backlog / bridgeSeconds),
            round(backlog / e2eSeconds),
            round(peak),
            done != null,
            u.cores,
            u.machineBusyPercent,
            sutThreadCores(
                resume,
                (long) (Double.isNaN(flinkDone) ? System.currentTimeMillis() : flinkDone),
                u.cores),
            load0,
            ProcStats.loadAverage1());
    LoadTest.progress(
        "%s: drain %s: %,d messages; bridge into Kafka in %.1f s (%.0f msgs/s), job fetched all in"
            + " %.1f s: %.0f msgs/s end to end (peak %.0f)",
        name,
        done != null ? "done" : "INCOMPLETE",
        backlog,
        bridgeSeconds,
        d.bridgeRate(),
        e2eSeconds,
        d.endToEndRate(),
        peak);
    return d;
  }

  /** When (epoch ms, interpolated) {@code value} first reached {@code target}; NaN if never. */
  private static double crossing(
      List<Results.Sample> w,
      java.util.function.ToLongFunction<Results.Sample> value,
      long target) {
    for (int i = 0; i < w.size(); i++) {
      long v = value.applyAsLong(w.get(i));
      if (v >= target) {
        if (i == 0) {
          return w.get(0).wallMs();
        }
        long u = value.applyAsLong(w.get(i - 1));
        double f = v == u ? 1 : (double) (target - u) / (v - u);
        return w.get(i - 1).wallMs() + f * (w.get(i).wallMs() - w.get(i - 1).wallMs());
      }
    }
    return Double.NaN;
  }

  private void awaitLag(long limit, Duration timeout) throws InterruptedException {
    long start = System.currentTimeMillis();
    while (System.currentTimeMillis() - start < timeout.toMillis()) {
      checkAlive();
      Results.Sample s = latest();
      if (s != null && s.wallMs() > start + 1500 && s.lag() <= limit) {
        return;
      }
      Thread.sleep(500);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Settle and score

  private Results.Accuracy settle() throws Exception {
    gen.send("hold");
    currentStep = "settle";
    currentRate = 0;
    awaitLag(0, Duration.ofMinutes(3));
    // Let the last checkpoints commit what the job decided.
    Thread.sleep(t.checkpointInterval.multipliedBy(3).toMillis() + 2000);
    if (kind != Kind.PIPELINE) {
      return null;
    }
    long playedEnd = gen.last("status").path("eventSentMs").asLong();
    return accuracy(playedEnd);
  }

  private Results.Accuracy accuracy(long playedEndMs) {
    CityScenario scenario =
        CityScenario.build(
            city.maps(),
            t.seed,
            Instant.ofEpochMilli(eventStartMs),
            Duration.ofMinutes(24 * 60),
            t.mix,
            t.street);
    GroundTruth truth = scenario.groundTruth();
    Instant end = Instant.ofEpochMilli(playedEndMs);
    // Anything that could have been opened by the end of the played window is expected; what was
    // due too close to the end is not counted as missed: the watermark trails by the
    // out-of-orderness, and with 20 % missed frames the share of frames showing an object can take
    // a minute or two beyond the dwell to reach the rule's presence.
    Instant cut = end.minusMillis(oooMs).minusSeconds(180);
    List<GroundTruth.Violation> inWindow = new ArrayList<>();
    for (GroundTruth.Violation v : truth.violations()) {
      if (!v.from().plus(dwell(v)).isAfter(end)) {
        inWindow.add(v);
      }
    }
    Duration clear = Duration.ofMinutes(5);
    List<Expected> expected = AccuracyMatcher.expected(inWindow, clear);
    List<Detection> detections = reader.opened();
    AccuracyResult r = new AccuracyMatcher(clear).match(expected, detections);
    List<Expected> counted = new ArrayList<>();
    int pending = 0;
    for (Expected e : r.misses()) {
      GroundTruth.Violation probe =
          new GroundTruth.Violation(
              e.block(), e.zone(), e.shop(), e.type(), e.from(), e.to(), List.of(), List.of(),
              true);
      if (e.from().plus(dwell(probe)).isAfter(cut)) {
        pending++;
      } else {
        counted.add(e);
      }
    }
    AccuracyResult scored =
        new AccuracyResult(
            r.matches(), r.falsePositives(), counted, r.matches().size() + counted.size(), clear);
    Map<String, Map<String, Object>> byType = new TreeMap<>();
    scored
        .byType()
        .forEach(
            (type, score) -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put("expected", score.expected());
              m.put("opened", score.opened());
              m.put("matched", score.matched());
              m.put("precision", round3(score.precision()));
              m.put("recall", round3(score.recall()));
              byType.put(type, m);
            });
    List<String> missed =
        counted.stream()
            .limit(20)
            .map(e -> e.block() + "/" + e.zone() + "/" + e.type() + " from " + e.from())
            .toList();
    List<String> falseOpened =
        scored.falsePositives().stream()
            .limit(20)
            .map(d -> d.block() + "/" + d.zone() + "/" + d.type() + " at " + d.openedAt())
            .toList();
    Results.Accuracy a =
        new Results.Accuracy(
            Instant.ofEpochMilli(eventStartMs).toString(),
            end.toString(),
            round((playedEndMs - eventStartMs) / 3_600_000.0),
            scored.expectedCount(),
            scored.opened(),
            scored.matches().size(),
            scored.falsePositives().size(),
            counted.size(),
            pending,
            round3(scored.precision()),
            round3(scored.recall()),
            byType,
            missed,
            falseOpened);
    LoadTest.progress(
        "%s: accuracy over %.2f h of event time: expected %d, opened %d, matched %d: precision"
            + " %.3f, recall %.3f (%d due at the very end not counted)",
        name,
        a.playedEventHours(),
        a.expected(),
        a.opened(),
        a.matched(),
        a.precision(),
        a.recall(),
        pending);
    return a;
  }

  private Duration dwell(GroundTruth.Violation v) {
    Zone zone = city.maps().zone(v.block(), v.zone()).orElse(null);
    if (zone == null) {
      return Duration.ZERO;
    }
    return switch (v.type()) {
      case "ILLEGAL_STALL" -> zone.rules().illegalStall().dwell();
      case "OUT_OF_DOORWAY_TRADING" -> zone.rules().outOfDoorway().dwell();
      case "PARKING_OVERFLOW" -> zone.rules().parkingOverflow().dwell();
      default -> Duration.ZERO;
    };
  }

  private double rel(long wallMs) {
    return round((wallMs - phaseStartMs) / 1000.0);
  }

  static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : v;
  }

  static double round3(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static double mb(long bytes) {
    return bytes < 0 ? -1 : Math.round(bytes / 1048576.0 * 10) / 10.0;
  }
}
