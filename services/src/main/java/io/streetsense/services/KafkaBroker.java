package io.streetsense.services;

import io.streetsense.services.internal.ChildProcess;
import io.streetsense.services.internal.JavaCommand;
import io.streetsense.services.internal.KafkaTopics;
import io.streetsense.services.internal.Ports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka (broker and controller in one process) running as a child JVM from the
 * Kafka jars on our own classpath.
 *
 * <pre>{@code
 * try (KafkaBroker kafka = KafkaBroker.start(workDir)) {
 *   kafka.createTopic("camera-frames", 4, false);
 *   producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 *   ...
 *   kafka.kill();   // crash it mid-stream
 *   kafka.start();  // same port, same data
 * }
 * }</pre>
 *
 * <p>Layout of {@code workDir}: {@code server.properties}, {@code log4j2.properties}, {@code data/}
 * (the log dir and KRaft metadata) and {@code kafka.log} (everything the child prints). Storage is
 * formatted on first start (in this JVM, with {@code StorageTool.execute}, which returns an exit
 * code instead of exiting) and reused afterwards, also by a later {@code start(workDir)} on the
 * same directory. The controller quorum is static ({@code controller.quorum.voters}), so new ports
 * on a later run do not clash with ports recorded in the metadata log.
 *
 * <p>Single-node settings: replication factor and min ISR 1 for internal topics, {@code
 * transaction.max.timeout.ms=900000}, no initial rebalance delay and {@code
 * auto.create.topics.enable=false} (the project creates its topics explicitly).
 */
public final class KafkaBroker extends ChildProcessService implements KafkaService {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Pattern HEAP = Pattern.compile("\\d+[kKmMgG]?");

  private final Path workDir;
  private final int brokerPort;
  private final int controllerPort;

  private KafkaBroker(Path workDir, int brokerPort, int controllerPort, ChildProcess process) {
    super(process);
    this.workDir = workDir;
    this.brokerPort = brokerPort;
    this.controllerPort = controllerPort;
  }

  /** Starts a broker with default settings; returns once it answers an AdminClient. */
  public static KafkaBroker start(Path workDir) {
    return builder().start(workDir);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options for {@link KafkaBroker}. */
  public static final class Builder {
    private String maxHeap = "512m";
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();

    private Builder() {}

    /** An extra option for the child JVM, e.g. {@code -XX:TieredStopAtLevel=1}. */
    public Builder jvmOption(String option) {
      Objects.requireNonNull(option, "option");
      if (!option.startsWith("-")) {
        throw new IllegalArgumentException("jvmOption must start with '-', was " + option);
      }
      jvmOptions.add(option);
      return this;
    }

    /** Child JVM {@code -Xmx}, e.g. {@code "512m"} (the default) or {@code "1g"}. */
    public Builder maxHeap(String maxHeap) {
      Objects.requireNonNull(maxHeap, "maxHeap");
      if (!HEAP.matcher(maxHeap).matches()) {
        throw new IllegalArgumentException("maxHeap must look like 512m or 1g, was " + maxHeap);
      }
      this.maxHeap = maxHeap;
      return this;
    }

    /** A broker property added to (or overriding) the generated {@code server.properties}. */
    public Builder property(String key, String value) {
      properties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    private List<String> jvmOptions(Path dir, Path log4j) {
      List<String> options =
          new ArrayList<>(
              List.of(
                  "-Xms64m",
                  "-Xmx" + maxHeap,
                  "-XX:+UseG1GC",
                  "-XX:MaxGCPauseMillis=20",
                  "-XX:InitiatingHeapOccupancyPercent=35",
                  "-XX:+ExitOnOutOfMemoryError",
                  "-Djava.awt.headless=true",
                  "-Dkafka.logs.dir=" + dir,
                  "-Dlog4j2.configurationFile=" + log4j.toUri()));
      options.addAll(jvmOptions);
      return options;
    }

    /** Formats storage if needed, starts the child JVM and waits until it is ready (60 s). */
    public KafkaBroker start(Path workDir) {
      Objects.requireNonNull(workDir, "workDir");
      long started = System.nanoTime();
      Path dir = workDir.toAbsolutePath();
      int brokerPort = Ports.freePort();
      int controllerPort = Ports.freePort();
      Path config = dir.resolve("server.properties");
      Path log4j = dir.resolve("log4j2.properties");
      try {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(config, serverProperties(dir, brokerPort, controllerPort, properties));
        Files.writeString(log4j, LOG4J2);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the Kafka config in " + dir, e);
      }
      formatStorageIfNeeded(dir, config);
      List<String> command =
          JavaCommand.of(
              dir.resolve("java.args"),
              jvmOptions(dir, log4j),
              "kafka.Kafka",
              List.of(config.toString()));
      ChildProcess process =
          new ChildProcess(
              "kafka", command, dir, dir.resolve("kafka.log"), Map.of(), Duration.ofSeconds(30));
      KafkaBroker broker = new KafkaBroker(dir, brokerPort, controllerPort, process);
      broker.launch();
      LOG.info(
          "Kafka ready on {} in {} ms (work dir {})",
          broker.bootstrapServers(),
          (System.nanoTime() - started) / 1_000_000,
          dir);
      return broker;
    }
  }

  private static String serverProperties(
      Path dir, int brokerPort, int controllerPort, Map<String, String> overrides) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", "1");
    p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    p.put("controller.listener.names", "CONTROLLER");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.put("log.dirs", dir.resolve("data").toString());
    p.put("num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    // Fewer partitions for internal topics: created faster on a small machine.
    p.put("offsets.topic.num.partitions", "5");
    p.put("transaction.state.log.num.partitions", "5");
    p.put("transaction.max.timeout.ms", "900000");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    // Two cores: fewer threads than the defaults (3 network, 8 I/O).
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "4");
    p.put("num.recovery.threads.per.data.dir", "1");
    // After a kill, the new incarnation cannot register until the controller expires the old
    // one's session (DUPLICATE_BROKER_REGISTRATION): 9 s by default, 4 s here. Heartbeats go to the
    // controller in the same process, so a short session costs nothing.
    p.put("broker.heartbeat.interval.ms", "1000");
    p.put("broker.session.timeout.ms", "4000");
    p.putAll(overrides);
    return p.entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining("\n"))
        + "\n";
  }

  private static final String LOG4J2 =
      String.join(
          "\n",
          "status = warn",
          "appender.out.type = Console",
          "appender.out.name = out",
          "appender.out.layout.type = PatternLayout",
          "appender.out.layout.pattern = [%d] %p %m (%c)%n",
          "rootLogger.level = INFO",
          "rootLogger.appenderRef.out.ref = out",
          "logger.request.name = kafka.request.logger",
          "logger.request.level = WARN",
          "logger.kafkaApis.name = kafka.server.KafkaApis",
          "logger.kafkaApis.level = WARN",
          "");

  /** Formats the log dir once; a formatted dir keeps its cluster id and data. */
  private static void formatStorageIfNeeded(Path dir, Path config) {
    if (Files.exists(dir.resolve("data").resolve("meta.properties"))) {
      return;
    }
    long started = System.nanoTime();
    String clusterId = Uuid.randomUuid().toString();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code;
    try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8)) {
      code =
          StorageTool.execute(
              new String[] {"format", "-t", clusterId, "-c", config.toString()}, print);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "formatting Kafka storage in " + dir + " failed: " + e.getMessage(), e);
    }
    if (code != 0) {
      throw new IllegalStateException(
          "formatting Kafka storage in "
              + dir
              + " failed with exit code "
              + code
              + ": "
              + out.toString(StandardCharsets.UTF_8));
    }
    LOG.info(
        "formatted Kafka storage in {} ms (cluster id {})",
        (System.nanoTime() - started) / 1_000_000,
        clusterId);
  }

  @Override
  protected void launch() {
    process.start();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    // First the port (cheap, quiet), then an AdminClient: one created earlier logs a warning
    // for every failed connection attempt.
    process.awaitReady(
        READY_TIMEOUT,
        "Kafka to accept connections on " + bootstrapServers(),
        () -> Ports.isAccepting(brokerPort));
    try (Admin admin = KafkaTopics.admin(bootstrapServers(), 3_000)) {
      process.awaitReady(
          Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
          "Kafka to answer DescribeCluster on " + bootstrapServers(),
          () -> KafkaTopics.isReady(admin));
    }
  }

  @Override
  public String bootstrapServers() {
    return "127.0.0.1:" + brokerPort;
  }

  public int controllerPort() {
    return controllerPort;
  }

  public Path workDir() {
    return workDir;
  }

  /** Everything the child JVM printed (its log4j output). */
  public Path logFile() {
    return process.logFile();
  }

  @Override
  public void createTopics(Collection<NewTopic> topics) {
    KafkaTopics.createTopics(bootstrapServers(), topics);
  }

  @Override
  public synchronized void start() {
    if (isRunning()) {
      return;
    }
    long started = System.nanoTime();
    super.start();
    LOG.info(
        "Kafka restarted on {} in {} ms",
        bootstrapServers(),
        (System.nanoTime() - started) / 1_000_000);
  }

  @Override
  public String toString() {
    return "KafkaBroker[" + bootstrapServers() + ", " + workDir + "]";
  }
}
