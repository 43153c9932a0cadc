package io.streetsense.benchmarks.bridge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streetsense.benchmarks.ProcStats;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.ingest.BridgeConfig;
import io.streetsense.ingest.BridgeMetrics;
import io.streetsense.ingest.DeviceDirectory;
import io.streetsense.ingest.MqttKafkaBridge;
import io.streetsense.schemas.Topics;
import io.streetsense.services.KafkaBroker;
import io.streetsense.services.MosquittoBroker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;

/**
 * Benchmark: MQTT→Kafka bridge throughput against a bare Paho subscriber (the ceiling for any
 * Paho-based bridge), on the same Mosquitto and Kafka, in one run.
 *
 * <p>For each payload kind (parking events, camera frames) and mode (live: publishers running at
 * full speed while the consumer is connected; drain: a backlog published while the consumer's
 * persistent session is offline, then drained) it measures the bare subscriber and the bridge with
 * each window, reports msgs/s, the ratio bridge/ceiling, publish → Kafka-append latency and where
 * the CPU went, prints a table and writes {@code <out>/<yyyy-MM-dd>-bridge-throughput.json}.
 *
 * <p>Live mode is a closed-loop saturation test (publishers send as fast as the broker acknowledges
 * them), not a latency-under-fixed-rate test: its latencies include the queueing of a saturated
 * system. Run with {@code --help} for the options.
 */
public final class BridgeThroughput {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final BenchmarkOptions options;
  private final List<String> filters;
  private final BlockMaps maps;
  private final BlockMap block;
  private final Map<PayloadKind, List<BenchMessage>> payloads = new EnumMap<>(PayloadKind.class);
  private MosquittoBroker mqtt;
  private KafkaBroker kafka;
  private CpuMeter cpu;
  private int caseCounter;

  private BridgeThroughput(BenchmarkOptions options) {
    this.options = options;
    this.block = BlockMapLoader.load(options.blockMap());
    this.maps = BlockMaps.of(block);
    this.filters =
        List.of("blocks/" + block.id() + "/parking/+", "blocks/" + block.id() + "/camera/+");
  }

  public static void main(String[] args) {
    BenchmarkOptions options;
    try {
      options = BenchmarkOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(BenchmarkOptions.usage());
      System.exit(2);
      return;
    }
    if (options.help()) {
      System.out.println(BenchmarkOptions.usage());
      return;
    }
    int code;
    try {
      code = new BridgeThroughput(options).run(String.join(" ", args));
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  private int run(String arguments) throws Exception {
    Instant started = Instant.now();
    String loadAtStart = ProcStats.loadAverage();
    progress(
        "load average %s, %d cores; generating payloads from %s",
        loadAtStart, Runtime.getRuntime().availableProcessors(), options.blockMap());
    int total = Math.max(options.messages(), options.warmup());
    for (PayloadKind kind : options.kinds()) {
      List<BenchMessage> messages = PayloadGenerator.generate(block, kind, total, Instant.now());
      payloads.put(kind, messages);
      progress(
          "%s: %,d messages, mean payload %.0f bytes",
          kind.label(), messages.size(), PayloadGenerator.meanSize(messages));
    }
    Path workDir =
        options.workDir() != null
            ? Files.createDirectories(options.workDir())
            : Files.createTempDirectory("bridge-throughput-");
    List<CaseResult> results = new ArrayList<>();
    int maxQueued = Math.max(1_000_000, 2 * total);
    try (MosquittoBroker m =
            MosquittoBroker.builder()
                .maxQueuedMessages(maxQueued)
                .maxInflightMessages(options.brokerMaxInflight())
                // No autosave during a case: writing a 100k-message backlog every 10 s is noise.
                .autosaveIntervalSeconds(3600)
                .start(workDir.resolve("mqtt"));
        KafkaBroker k = KafkaBroker.start(workDir.resolve("kafka"))) {
      this.mqtt = m;
      this.kafka = k;
      this.cpu = new CpuMeter(childProcesses());
      progress(
          "Mosquitto %s on %s (max_inflight_messages %d, max_queued_messages %d), Kafka on %s;"
              + " work dir %s",
          mosquittoVersion(),
          m.serverUri(),
          options.brokerMaxInflight(),
          maxQueued,
          k.bootstrapServers(),
          workDir);
      int cases =
          (options.warmup() > 0 ? 2 * options.kinds().size() : 0)
              + options.repeats()
                  * options.kinds().size()
                  * options.modes().size()
                  * (1 + options.windows().size());
      createTopics(cases);
      if (options.warmup() > 0) {
        warmUp();
      }
      for (int repeat = 0; repeat < options.repeats(); repeat++) {
        for (PayloadKind kind : options.kinds()) {
          for (Mode mode : options.modes()) {
            List<BenchMessage> messages = payloads.get(kind).subList(0, options.messages());
            results.add(runCase(repeat, kind, mode, null, messages, true));
            for (int window : options.windows()) {
              results.add(runCase(repeat, kind, mode, window, messages, true));
            }
          }
        }
      }
    }
    Summary summary = Summary.of(results, options.target());
    String loadAtEnd = ProcStats.loadAverage();
    System.out.println();
    System.out.println(summary.table());
    System.out.printf(Locale.ROOT, "load average at start %s, at end %s%n", loadAtStart, loadAtEnd);
    Path out = write(started, arguments, loadAtStart, loadAtEnd, results, summary);
    System.out.println("results: " + out.toAbsolutePath());
    return results.stream().allMatch(CaseResult::ok) ? 0 : 1;
  }

  private void warmUp() throws Exception {
    int window = options.windows().get(options.windows().size() / 2);
    for (PayloadKind kind : options.kinds()) {
      List<BenchMessage> messages = payloads.get(kind).subList(0, options.warmup());
      progress("warm-up (not recorded): %s, %,d messages", kind.label(), messages.size());
      runCase(0, kind, Mode.LIVE, null, messages, false);
      runCase(0, kind, Mode.LIVE, window, messages, false);
    }
  }

  /** Runs one case; {@code window == null} is the bare subscriber. Never throws: errors go in. */
  private CaseResult runCase(
      int repeat,
      PayloadKind kind,
      Mode mode,
      Integer window,
      List<BenchMessage> messages,
      boolean recorded) {
    int caseNo = ++caseCounter;
    boolean bridge = window != null;
    int receiveMaximum =
        bridge ? window : options.windows().stream().mapToInt(Integer::intValue).max().orElse(1000);
    String tag =
        String.format(
            Locale.ROOT,
            "%s%s %s %s",
            recorded ? "" : "warm-up ",
            kind.label(),
            mode.label(),
            bridge ? "bridge w=" + window : "bare-paho");
    String clientId = "bench-" + (bridge ? "bridge" : "ceiling") + "-" + caseNo;
    Topics topics = topics(caseNo);
    String load = ProcStats.loadAverage();
    long n = messages.size();
    progress("case %d: %s, %,d messages (load %s)", caseNo, tag, n, load);
    Consumer consumer = null;
    try (LoadPublisher publisher =
        new LoadPublisher(
            mqtt.serverUri(),
            "bench-pub-" + caseNo,
            options.publishers(),
            options.publishWindow())) {
      CpuMeter.Reading before;
      Timing timing;
      double publishSeconds;
      CpuMeter.Reading after;
      if (mode == Mode.LIVE) {
        consumer = startConsumer(bridge, clientId, topics, receiveMaximum, true);
        before = cpu.read();
        LoadPublisher.Run run = publisher.start(messages);
        timing = awaitConsumed(tag, consumer, n, publisher::acked);
        after = cpu.read();
        publishSeconds = run.await();
      } else {
        MqttSessions.createOffline(mqtt.serverUri(), clientId, filters);
        LoadPublisher.Run run = publisher.start(messages);
        publishSeconds = run.await();
        progress(
            "  backlog of %,d published in %.1f s (%.0f msgs/s); starting the consumer",
            n, publishSeconds, n / publishSeconds);
        before = cpu.read();
        consumer = startConsumer(bridge, clientId, topics, receiveMaximum, false);
        timing = awaitConsumed(tag, consumer, n, () -> n);
        after = cpu.read();
      }
      long deadLetters = consumer.deadLetters();
      consumer.close();
      consumer = null;
      MqttSessions.remove(mqtt.serverUri(), clientId);
      CaseResult.Latency latency = null;
      long kafkaRecords = 0;
      if (bridge) {
        String topic = kind == PayloadKind.PARKING ? topics.parking() : topics.camera();
        KafkaAppendLatency.Result r =
            KafkaAppendLatency.read(kafka.bootstrapServers(), topic, kind, n);
        kafkaRecords = r.records();
        Histogram h = r.histogram();
        latency =
            new CaseResult.Latency(
                mode == Mode.LIVE
                    ? "publish -> Kafka append, ms (saturated, closed loop)"
                    : "publish -> Kafka append, ms (includes time waiting in the backlog)",
                h.getTotalCount(),
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(99),
                h.getMaxValue());
        if (r.records() != n || r.notAppendTime() > 0) {
          throw new IllegalStateException(
              "Kafka topic "
                  + topic
                  + " holds "
                  + r.records()
                  + " records (expected "
                  + n
                  + "), "
                  + r.notAppendTime()
                  + " without LogAppendTime");
        }
        if (deadLetters > 0) {
          throw new IllegalStateException(deadLetters + " messages went to the dead-letter topic");
        }
      }
      double seconds = timing.seconds();
      CpuMeter.Usage usage = CpuMeter.between(before, after);
      CaseResult result =
          new CaseResult(
              caseNo,
              repeat,
              kind.label(),
              mode.label(),
              bridge ? CaseResult.BRIDGE : CaseResult.CEILING,
              receiveMaximum,
              n,
              seconds,
              n / seconds,
              publishSeconds,
              n / publishSeconds,
              latency,
              timing.maxInFlight(),
              deadLetters,
              kafkaRecords,
              PayloadGenerator.meanSize(messages),
              load,
              usage,
              null);
      progress(
          "  => %,.0f msgs/s in %.2f s; publish %,.0f msgs/s%s; CPU: machine %.0f%%, %s; top"
              + " threads %s",
          result.msgsPerSec(),
          seconds,
          result.publishMsgsPerSec(),
          latency == null
              ? ""
              : String.format(
                  Locale.ROOT,
                  "; append latency p50 %.0f p99 %.0f max %.0f ms",
                  latency.p50Ms(),
                  latency.p99Ms(),
                  latency.maxMs()),
          usage.machineBusyPercent(),
          usage.processCores(),
          topThreads(usage, 5));
      return result;
    } catch (Exception e) {
      progress("  !! case %d (%s) failed: %s", caseNo, tag, e);
      if (consumer != null) {
        consumer.close();
      }
      try {
        MqttSessions.remove(mqtt.serverUri(), clientId);
      } catch (Exception ignored) {
        // best effort
      }
      return new CaseResult(
          caseNo,
          repeat,
          kind.label(),
          mode.label(),
          bridge ? CaseResult.BRIDGE : CaseResult.CEILING,
          receiveMaximum,
          n,
          0,
          0,
          0,
          0,
          null,
          0,
          0,
          0,
          PayloadGenerator.meanSize(messages),
          load,
          null,
          e.toString());
    }
  }

  private static String topThreads(CpuMeter.Usage usage, int limit) {
    Map<String, Double> top = new LinkedHashMap<>();
    usage.jvmThreadCores().entrySet().stream()
        .limit(limit)
        .forEach(e -> top.put(e.getKey(), e.getValue()));
    return top.toString();
  }

  /** Case {@code caseNo}'s own parking and camera topics; one dead-letter topic for all. */
  private static Topics topics(int caseNo) {
    String prefix = "bench." + caseNo + ".";
    return new Topics(
        prefix + "parking",
        prefix + "camera",
        "bench.deadletters",
        prefix + "violations",
        prefix + "workorders",
        prefix + "actions");
  }

  /**
   * Creates every case's topics up front (with {@code LogAppendTime}) and waits until each
   * partition has a leader. Topics created right before an idempotent producer's first send can
   * answer NOT_LEADER_OR_FOLLOWER and then OUT_OF_ORDER_SEQUENCE_NUMBER on every retry until the
   * delivery timeout (seen here: a 60 s stall of the bridge, whose in-order acks wait for the stuck
   * record); in production the topics exist long before the bridge writes to them.
   */
  private void createTopics(int cases) throws Exception {
    Map<String, String> config = Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime");
    List<NewTopic> created = new ArrayList<>();
    List<String> names = new ArrayList<>();
    names.add(topics(1).deadLetters());
    for (int c = 1; c <= cases; c++) {
      names.add(topics(c).parking());
      names.add(topics(c).camera());
    }
    for (String name : names) {
      created.add(new NewTopic(name, options.partitions(), (short) 1).configs(config));
    }
    long started = System.nanoTime();
    kafka.createTopics(created);
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      while (true) {
        Map<String, TopicDescription> described =
            admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS);
        boolean ready =
            described.values().stream()
                .flatMap(d -> d.partitions().stream())
                .allMatch(partition -> partition.leader() != null && !partition.leader().isEmpty());
        if (ready) {
          break;
        }
        if (System.nanoTime() - started > 120_000_000_000L) {
          throw new IllegalStateException("benchmark topics have no leaders after 120 s");
        }
        Thread.sleep(200);
      }
    }
    // Let the broker finish becoming leader of the new partitions before the first produce.
    Thread.sleep(2_000);
    progress(
        "created %d topics x %d partitions (LogAppendTime) in %.1f s",
        names.size(), options.partitions(), (System.nanoTime() - started) / 1e9);
  }

  /** What the case waits on: the bare subscriber's count or the bridge's PUBACKs. */
  private interface Consumer extends AutoCloseable {
    long done();

    int inFlight();

    long deadLetters();

    /** State for an error message. */
    String describe();

    @Override
    void close();
  }

  private Consumer startConsumer(
      boolean bridge, String clientId, Topics topics, int receiveMaximum, boolean subscribe)
      throws Exception {
    if (!bridge) {
      BareSubscriber s =
          BareSubscriber.connect(mqtt.serverUri(), clientId, filters, receiveMaximum, subscribe);
      return new Consumer() {
        @Override
        public long done() {
          return s.count();
        }

        @Override
        public int inFlight() {
          return 0;
        }

        @Override
        public long deadLetters() {
          return 0;
        }

        @Override
        public String describe() {
          return "bare subscriber count " + s.count();
        }

        @Override
        public void close() {
          s.close();
        }
      };
    }
    BridgeConfig.Builder config =
        BridgeConfig.builder()
            .mqttServerUri(mqtt.serverUri())
            .mqttClientId(clientId)
            .topicFilters(filters)
            .kafkaBootstrapServers(kafka.bootstrapServers())
            .topics(topics)
            .window(receiveMaximum)
            .startupTimeout(Duration.ofSeconds(60))
            .shutdownTimeout(Duration.ofSeconds(60));
    options.kafkaProperties().forEach(config::kafkaProperty);
    MqttKafkaBridge b = MqttKafkaBridge.start(config.build(), DeviceDirectory.of(maps));
    return new Consumer() {
      @Override
      public long done() {
        if (b.state() == MqttKafkaBridge.State.FAILED) {
          throw new IllegalStateException("the bridge failed: " + b.failure(), b.failure());
        }
        return b.metrics().snapshot().mqttAcks();
      }

      @Override
      public int inFlight() {
        return b.metrics().snapshot().inFlight();
      }

      @Override
      public long deadLetters() {
        BridgeMetrics.Snapshot s = b.metrics().snapshot();
        return s.deadLetters();
      }

      @Override
      public String describe() {
        return "bridge " + b.state() + ", " + b.metrics().snapshot();
      }

      @Override
      public void close() {
        b.close();
      }
    };
  }

  /** First message consumed to the n-th acknowledged, sampled every millisecond. */
  private record Timing(long firstNanos, long lastNanos, int maxInFlight) {
    double seconds() {
      return Math.max(1e-9, (lastNanos - firstNanos) / 1e9);
    }
  }

  private static Timing awaitConsumed(String tag, Consumer consumer, long n, LongSupplier published)
      throws InterruptedException {
    long first = 0;
    long lastProgress = System.nanoTime();
    long lastReport = lastProgress;
    long lastCount = 0;
    long reportedCount = 0;
    int maxInFlight = 0;
    IntSupplier inFlight = consumer::inFlight;
    while (true) {
      long count = consumer.done();
      long now = System.nanoTime();
      if (first == 0 && count > 0) {
        first = now;
      }
      if (count >= n) {
        return new Timing(first, now, maxInFlight);
      }
      maxInFlight = Math.max(maxInFlight, inFlight.getAsInt());
      if (count != lastCount) {
        lastCount = count;
        lastProgress = now;
      } else if (now - lastProgress > 60_000_000_000L) {
        dumpMqttThreads();
        throw new IllegalStateException(
            "no progress for 60 s at "
                + count
                + " of "
                + n
                + " messages, "
                + published.getAsLong()
                + " published; "
                + consumer.describe());
      }
      if (now - lastReport >= 2_000_000_000L) {
        progress(
            "  [%s] %,d / %,d consumed (%,.0f msgs/s), %,d published",
            tag,
            count,
            n,
            (count - reportedCount) / ((now - lastReport) / 1e9),
            published.getAsLong());
        lastReport = now;
        reportedCount = count;
      }
      Thread.sleep(1);
    }
  }

  /** Where the consumer's threads stand when it stopped making progress. */
  private static void dumpMqttThreads() {
    Thread.getAllStackTraces()
        .forEach(
            (thread, stack) -> {
              if (thread.getName().startsWith("MQTT Call: bench-")
                  || thread.getName().startsWith("kafka-producer")) {
                StringBuilder b = new StringBuilder("  stack of " + thread.getName() + ":\n");
                for (StackTraceElement e : stack) {
                  b.append("    at ").append(e).append('\n');
                }
                System.out.print(b);
              }
            });
  }

  private Map<String, Long> childProcesses() {
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
              if (c.endsWith("/mosquitto")) {
                out.putIfAbsent("mosquitto", p.pid());
              } else if (c.endsWith("/java")) {
                out.putIfAbsent("kafka", p.pid());
              }
            });
    return out;
  }

  private static String mosquittoVersion() {
    try {
      Process p = new ProcessBuilder("mosquitto", "-h").redirectErrorStream(true).start();
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line = r.readLine();
        p.waitFor();
        return line == null ? "?" : line.trim();
      }
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private Path write(
      Instant started,
      String arguments,
      String loadAtStart,
      String loadAtEnd,
      List<CaseResult> results,
      Summary summary)
      throws IOException {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "MQTT->Kafka bridge throughput vs a bare Paho subscriber");
    doc.put("startedAt", started.toString());
    doc.put("finishedAt", Instant.now().toString());
    doc.put(
        "command",
        "java -cp <benchmarks classpath> " + BridgeThroughput.class.getName() + " " + arguments);
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", Runtime.getRuntime().availableProcessors());
    machine.put("java", System.getProperty("java.version"));
    machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    machine.put("loadAverageAtStart", loadAtStart);
    machine.put("loadAverageAtEnd", loadAtEnd);
    machine.put("note", "publishers, Mosquitto, Kafka and the consumer on the same machine");
    doc.put("machine", machine);
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("messagesPerCase", options.messages());
    settings.put("payloads", options.kinds().stream().map(PayloadKind::label).toList());
    settings.put("modes", options.modes().stream().map(Mode::label).toList());
    settings.put("windows", options.windows());
    settings.put("publishers", options.publishers());
    settings.put("publishWindow", options.publishWindow());
    settings.put("mosquittoMaxInflightMessages", options.brokerMaxInflight());
    settings.put("mosquitto", mosquittoVersion());
    settings.put("partitions", options.partitions());
    settings.put("repeats", options.repeats());
    settings.put("warmup", options.warmup());
    settings.put("kafkaProducerOverrides", options.kafkaProperties());
    settings.put("blockMap", options.blockMap().toString());
    settings.put(
        "ceilingReceiveMaximum",
        options.windows().stream().mapToInt(Integer::intValue).max().orElse(1000));
    doc.put("settings", settings);
    doc.put("summary", summary);
    doc.put("cases", results);
    Files.createDirectories(options.outDir());
    Path file = options.outDir().resolve(LocalDate.now() + "-bridge-throughput.json");
    JSON.writeValue(file.toFile(), doc);
    return file;
  }

  private static void progress(String format, Object... args) {
    System.out.printf(
        Locale.ROOT,
        "%tT %s%n",
        System.currentTimeMillis(),
        String.format(Locale.ROOT, format, args));
    System.out.flush();
  }
}
