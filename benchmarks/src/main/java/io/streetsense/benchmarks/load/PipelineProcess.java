package io.streetsense.benchmarks.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streetsense.app.BridgeMetricsReporter;
import io.streetsense.app.LocalJob;
import io.streetsense.app.Pipeline;
import io.streetsense.app.PipelineSettings;
import io.streetsense.app.StreetSenseJob;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.ingest.BridgeConfig;
import io.streetsense.ingest.BridgeMetrics;
import io.streetsense.ingest.DeviceDirectory;
import io.streetsense.ingest.MqttKafkaBridge;
import io.streetsense.schemas.Topics;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;

/**
 * The system under test, run in its own JVM by {@link LoadTest}: the real {@link Pipeline} (the
 * MQTT→Kafka bridge and the Flink job on a local cluster, as {@code streetsense run} runs them), or
 * the same bridge with the {@link PassthroughJob} as the baseline.
 *
 * <p>{@code --role} picks the deployment shape's part: {@code combined} (both in this JVM, the
 * default), {@code bridge} (the bridge alone, as {@code streetsense bridge} runs it: {@link
 * MqttKafkaBridge} with its InfluxDB metrics reporter) or {@code job} (the Flink job alone on a
 * local cluster, as {@code streetsense job} runs outside a Flink cluster: {@link LocalJob}). The
 * split shape runs one JVM of each; they report the same status messages, each with its own half
 * filled in.
 *
 * <p>Reports every second on stdout ({@code @@ <json>}, see {@link ChildProtocol}): the bridge's
 * counters, the Flink metrics {@link FlinkMetricsCapture} keeps (Kafka source offsets per
 * partition, busy and back-pressured time per task, source watermarks, checkpoints), the heap, and
 * every five seconds the CPU time of this JVM's threads by name. Commands on stdin: {@code
 * pause-bridge} (the bridge stops taking messages; its MQTT session keeps queueing them), {@code
 * resume-bridge}, {@code stop}.
 */
public final class PipelineProcess {
  /** Both parts (null in the split roles). */
  private final Pipeline pipeline;

  /** The Flink job alone ({@code --role job}); null otherwise. */
  private final LocalJob localJob;

  /** How to start the bridge again after {@code pause-bridge}; null without a bridge. */
  private final BridgeConfig bridgeConfig;

  /** The bridge's metrics reporter in {@code --role bridge} (the Pipeline has its own). */
  private final AutoCloseable bridgeReporter;

  private final String role;
  private final BlockMaps maps;
  private volatile MqttKafkaBridge bridge;
  private long bridgeBase;
  private long acksBase;
  private long deadBase;
  private volatile boolean stopping;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  private PipelineProcess(
      String role,
      Pipeline pipeline,
      LocalJob localJob,
      MqttKafkaBridge bridge,
      BridgeConfig bridgeConfig,
      AutoCloseable bridgeReporter,
      BlockMaps maps) {
    this.role = role;
    this.pipeline = pipeline;
    this.localJob = localJob;
    this.bridge = bridge;
    this.bridgeConfig = bridgeConfig;
    this.bridgeReporter = bridgeReporter;
    this.maps = maps;
    if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
      threads.setThreadCpuTimeEnabled(true);
    }
  }

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    List<String> flinkConf = new ArrayList<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (argv[i].equals("--flink-conf")) {
        flinkConf.add(argv[i + 1]);
      } else {
        a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
      }
    }
    String mode = a.getOrDefault("mode", "pipeline");
    BlockMaps maps = BlockMapLoader.loadDirectory(Path.of(a.get("blockmaps")));
    String prefix = a.get("prefix");
    PipelineSettings settings =
        new PipelineSettings(
            a.get("mqtt"),
            null,
            null,
            a.get("kafka"),
            new Properties(),
            Topics.withPrefix(prefix),
            Integer.parseInt(a.getOrDefault("partitions", "4")),
            InfluxDbSettings.of(a.get("influx"), a.getOrDefault("influx-db", "streetsense")),
            DetectorConfig.defaults(),
            Duration.parse(a.getOrDefault("checkpoint-interval", "PT5S")),
            Integer.parseInt(a.getOrDefault("bridge-window", "1000")),
            Integer.parseInt(a.getOrDefault("parallelism", "2")),
            false);
    Configuration flink = new Configuration();
    String checkpointDir = a.getOrDefault("checkpoint-dir", "");
    if (!checkpointDir.isEmpty()) {
      // The job's default is the JobManager's memory, which refuses any state handle over 5 MB.
      flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
      flink.set(
          CheckpointingOptions.CHECKPOINTS_DIRECTORY, Path.of(checkpointDir).toUri().toString());
    }
    for (String kv : flinkConf) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--flink-conf wants KEY=VALUE, got " + kv);
      }
      flink.setString(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }
    flink.setString(
        "metrics.reporter." + FlinkMetricsCapture.NAME + ".factory.class",
        FlinkMetricsCapture.Factory.class.getName());
    String forward = prefix + "forward";
    Pipeline.JobDefinition job =
        "passthrough".equals(mode)
            ? (env, jobSettings, blockMaps, clock) ->
                PassthroughJob.define(env, jobSettings, forward)
            : StreetSenseJob::defineKafkaWorkflow;
    String role = a.getOrDefault("role", "combined");
    long t0 = System.nanoTime();
    PipelineProcess p;
    try {
      p =
          switch (role) {
            case "combined" -> {
              Pipeline pipeline = Pipeline.start(settings, maps, flink, job);
              yield new PipelineProcess(
                  role, pipeline, null, pipeline.bridge(), pipeline.bridge().config(), null, maps);
            }
            case "bridge" -> {
              BridgeConfig config = bridgeConfig(settings, maps);
              MqttKafkaBridge bridge = MqttKafkaBridge.start(config, DeviceDirectory.of(maps));
              yield new PipelineProcess(
                  role,
                  null,
                  null,
                  bridge,
                  config,
                  new BridgeMetricsReporter(bridge, settings.influx()),
                  maps);
            }
            case "job" -> {
              StreetSenseJob.Settings jobSettings = jobSettings(settings);
              LocalJob local =
                  LocalJob.submit(
                      "StreetSense",
                      null,
                      settings.influx(),
                      flink,
                      settings.parallelism(),
                      settings.restartOnFailure(),
                      env -> job.define(env, jobSettings, maps, Clock.systemUTC()));
              yield new PipelineProcess(role, null, local, null, null, null, maps);
            }
            default -> throw new IllegalArgumentException("--role: unknown '" + role + "'");
          };
    } catch (Exception e) {
      e.printStackTrace(System.out);
      ChildProtocol.emit(ChildProtocol.message("failed").put("error", e.toString()));
      System.exit(1);
      return;
    }
    ObjectNode ready = ChildProtocol.message("ready");
    ready.put("mode", mode);
    ready.put("role", role);
    ready.put("startSeconds", (System.nanoTime() - t0) / 1e9);
    ready.put("pid", ProcessHandle.current().pid());
    JobClient client = p.jobClient();
    if (client != null) {
      ready.put("jobId", client.getJobID().toString());
      client
          .getJobExecutionResult()
          .whenComplete(
              (result, error) -> {
                if (error != null && !p.stopping) {
                  Throwable root = error;
                  while (root.getCause() != null && root.getCause() != root) {
                    root = root.getCause();
                  }
                  error.printStackTrace(System.out);
                  ChildProtocol.emit(
                      ChildProtocol.message("job-failed")
                          .put("error", String.valueOf(root))
                          .put("summary", String.valueOf(error)));
                }
              });
    }
    ChildProtocol.emit(ready);
    p.run();
    System.exit(0);
  }

  /** The Flink job's client, or null in the bridge-only role. */
  private JobClient jobClient() {
    return pipeline != null ? pipeline.job() : localJob != null ? localJob.client() : null;
  }

  /**
   * The bridge's configuration as the combined pipeline builds it ({@code Pipeline.bridgeConfig},
   * which is not public): the same client id, blocks, topics and window, so both shapes run the
   * same bridge.
   */
  private static BridgeConfig bridgeConfig(PipelineSettings settings, BlockMaps maps) {
    return BridgeConfig.builder()
        .mqttServerUri(settings.mqttServerUri())
        .mqttClientId("streetsense-bridge")
        .blocks(maps.ids())
        .kafkaBootstrapServers(settings.kafkaBootstrapServers())
        .topics(settings.topics())
        .window(settings.bridgeWindow())
        .build();
  }

  /** The job's settings as the combined pipeline derives them ({@code jobSettings()}). */
  private static StreetSenseJob.Settings jobSettings(PipelineSettings settings) {
    return new StreetSenseJob.Settings(
        settings.kafkaBootstrapServers(),
        settings.kafkaClientProperties(),
        settings.topics(),
        null,
        null,
        settings.influx(),
        settings.detectors(),
        settings.checkpointInterval());
  }

  private void run() throws Exception {
    Thread status = new Thread(this::statusLoop, "loadtest-status");
    status.setDaemon(true);
    status.start();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      switch (line.trim()) {
        case "pause-bridge" -> {
          MqttKafkaBridge b = bridge;
          if (b == null) {
            System.out.println("no bridge in this process (role " + role + ")");
            continue;
          }
          b.close();
          BridgeMetrics.Snapshot s = b.metrics().snapshot();
          synchronized (this) {
            bridgeBase += s.received();
            acksBase += s.mqttAcks();
            deadBase += s.deadLetters();
          }
          ChildProtocol.emit(ChildProtocol.message("bridge-paused"));
        }
        case "resume-bridge" -> {
          if (bridgeConfig == null) {
            System.out.println("no bridge in this process (role " + role + ")");
            continue;
          }
          MqttKafkaBridge b = MqttKafkaBridge.start(bridgeConfig, DeviceDirectory.of(maps));
          bridge = b;
          ChildProtocol.emit(ChildProtocol.message("bridge-resumed"));
        }
        case "stop" -> {
          stop();
          return;
        }
        default -> {
          if (!line.isBlank()) {
            System.out.println("unknown command: " + line);
          }
        }
      }
    }
    stop();
  }

  private void stop() {
    stopping = true;
    if (pipeline != null) {
      if (bridge != pipeline.bridge()) {
        bridge.close();
      }
      pipeline.close();
    }
    if (bridge != null && pipeline == null) {
      bridge.close();
    }
    if (bridgeReporter != null) {
      try {
        bridgeReporter.close();
      } catch (Exception e) {
        System.out.println("bridge metrics reporter: " + e);
      }
    }
    if (localJob != null) {
      localJob.close();
    }
    ChildProtocol.emit(ChildProtocol.message("stopped"));
  }

  private void statusLoop() {
    long next = System.nanoTime();
    int tick = 0;
    while (!stopping) {
      next += 1_000_000_000L;
      LockSupport.parkNanos(next - System.nanoTime());
      try {
        ChildProtocol.emit(status(tick++ % 5 == 0));
      } catch (RuntimeException e) {
        System.out.println("status: " + e);
      }
    }
  }

  private ObjectNode status(boolean withThreads) {
    ObjectNode s = ChildProtocol.message("status");
    s.put("wallMs", System.currentTimeMillis());
    s.put("role", role);
    MqttKafkaBridge b = bridge;
    if (b != null) {
      bridgeStatus(s, b);
    }
    if (jobClient() != null) {
      flinkStatus(s);
    }
    s.put("heapUsed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    if (withThreads) {
      ObjectNode th = s.putObject("threadCpuNanos");
      threadCpu().forEach(th::put);
    }
    return s;
  }

  private void bridgeStatus(ObjectNode s, MqttKafkaBridge b) {
    BridgeMetrics.Snapshot snap = b.metrics().snapshot();
    boolean paused = b.state() == MqttKafkaBridge.State.CLOSED;
    synchronized (this) {
      ObjectNode br = s.putObject("bridge");
      br.put("state", b.state().name());
      br.put("received", (paused ? 0 : snap.received()) + bridgeBase);
      br.put("mqttAcks", (paused ? 0 : snap.mqttAcks()) + acksBase);
      br.put("deadLetters", (paused ? 0 : snap.deadLetters()) + deadBase);
      br.put("inFlight", paused ? 0 : snap.inFlight());
      br.put("kafkaP99Ms", snap.kafkaP99Ms());
    }
  }

  private void flinkStatus(ObjectNode s) {
    Map<String, Double> offsets = new TreeMap<>();
    Map<String, Double> committed = new TreeMap<>();
    Map<String, double[]> tasks = new TreeMap<>();
    Map<String, Double> watermarks = new TreeMap<>();
    Map<String, Double> writers = new TreeMap<>();
    Map<String, Double> job = new TreeMap<>();
    double pending = 0;
    double late = 0;
    double undecodable = 0;
    for (FlinkMetricsCapture.Entry e : FlinkMetricsCapture.METRICS.values()) {
      double v = e.value();
      if (Double.isNaN(v)) {
        continue;
      }
      switch (e.name()) {
        case "currentOffset" ->
            offsets.merge(e.variable("topic") + "/" + e.variable("partition"), v, Math::max);
        case "committedOffset" ->
            committed.merge(e.variable("topic") + "/" + e.variable("partition"), v, Math::max);
        case "pendingRecords" -> pending += Math.max(0, v);
        case "busyTimeMsPerSecond", "backPressuredTimeMsPerSecond", "idleTimeMsPerSecond" -> {
          double[] t = tasks.computeIfAbsent(e.variable("task_name"), k -> new double[4]);
          int i =
              switch (e.name()) {
                case "busyTimeMsPerSecond" -> 0;
                case "backPressuredTimeMsPerSecond" -> 1;
                default -> 2;
              };
          t[i] += v;
          if (i == 0) {
            t[3]++;
          }
        }
        case "currentOutputWatermark" -> {
          String op = e.variable("operator_name");
          if (op.contains("parking sensors") || op.contains("camera frames")) {
            watermarks.merge(op, v, Math::min);
          }
        }
        case "numRecordsIn" -> {
          String op = e.variable("operator_name");
          if (op.endsWith(": Writer")) {
            writers.merge(op, v, Double::sum);
          }
        }
        case "lateObservations" -> late += v;
        case "undecodableRecords" -> undecodable += v;
        default -> {
          if (e.variable("task_name").isEmpty()) {
            job.put(e.name(), v);
          }
        }
      }
    }
    ObjectNode f = s.putObject("flink");
    ObjectNode o = f.putObject("offsets");
    offsets.forEach(o::put);
    ObjectNode c = f.putObject("committed");
    committed.forEach(c::put);
    f.put("pendingRecords", pending);
    f.put("lateObservations", late);
    f.put("undecodableRecords", undecodable);
    ObjectNode t = f.putObject("tasks");
    tasks.forEach(
        (name, v) -> {
          ObjectNode n = t.putObject(name);
          n.put("busyMsPerSecond", v[0]);
          n.put("backPressuredMsPerSecond", v[1]);
          n.put("idleMsPerSecond", v[2]);
          n.put("subtasks", v[3]);
        });
    ObjectNode w = f.putObject("watermarks");
    watermarks.forEach(w::put);
    ObjectNode wr = f.putObject("writers");
    writers.forEach(wr::put);
    ObjectNode j = f.putObject("job");
    job.forEach(j::put);
    try {
      s.put("jobStatus", jobClient().getJobStatus().get(2, TimeUnit.SECONDS).name());
    } catch (Exception e) {
      s.put("jobStatus", "UNKNOWN");
    }
  }

  /** CPU time of this JVM's live threads, by name with digits folded ({@code #}). */
  private Map<String, Long> threadCpu() {
    Map<String, Long> out = new TreeMap<>();
    long[] ids = threads.getAllThreadIds();
    ThreadInfo[] infos = threads.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] == null) {
        continue;
      }
      long cpu = threads.getThreadCpuTime(ids[i]);
      if (cpu > 0) {
        out.merge(threadGroup(infos[i].getThreadName()), cpu, Long::sum);
      }
    }
    return out;
  }

  /** Folds digits and Flink's subtask suffixes so threads of one kind make one group. */
  static String threadGroup(String name) {
    return name.replaceAll("\\(\\d+/\\d+\\)#\\d+", "").replaceAll("\\d+", "#").trim();
  }
}
