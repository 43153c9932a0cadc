package io.streetsense.ingest;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the bridge on its own: {@code java -cp ... io.streetsense.ingest.BridgeMain --config
 * bridge.properties}. Secrets come from the environment or files referenced in the config ({@code
 * ${env:NAME}}, {@code ${file:/path}}), never from the command line. Exit codes: 0 after a clean
 * stop (SIGTERM / Ctrl-C drains in-flight messages first), 1 when the bridge failed, 2 for a usage
 * or configuration error.
 */
public final class BridgeMain {
  private static final Logger LOG = LoggerFactory.getLogger(BridgeMain.class);

  private BridgeMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, bridge -> () -> {});
  }

  /**
   * Runs the bridge as {@link #main} does; {@code alongside} starts something that lives as long as
   * the bridge (e.g. a metrics reporter) and is closed after the bridge has drained.
   */
  public static int run(
      String[] args,
      PrintStream out,
      PrintStream err,
      Function<MqttKafkaBridge, AutoCloseable> alongside) {
    Path configFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-h", "--help" -> {
          out.print(help());
          return 0;
        }
        case "-c", "--config" -> {
          if (i + 1 >= args.length) {
            err.println("--config needs a file; see --help");
            return 2;
          }
          configFile = Path.of(args[++i]);
        }
        default -> {
          err.println("unknown argument '" + args[i] + "'; see --help");
          return 2;
        }
      }
    }
    if (configFile == null) {
      err.println("--config FILE is required; see --help");
      return 2;
    }
    BridgeProperties properties;
    BridgeConfig config;
    BlockMaps maps;
    try {
      properties = BridgeProperties.load(configFile);
      config = properties.toConfig();
      maps = loadBlockMaps(properties.blockMaps());
    } catch (RuntimeException e) {
      err.println("configuration error: " + e.getMessage());
      return 2;
    }
    MqttKafkaBridge bridge;
    try {
      bridge = MqttKafkaBridge.start(config, DeviceDirectory.of(maps));
    } catch (RuntimeException e) {
      LOG.error("bridge did not start: {}", e.getMessage());
      LOG.debug("start failure", e);
      return 1;
    }
    AutoCloseable companion = alongside.apply(bridge);
    Thread hook =
        new Thread(
            () -> {
              bridge.close();
              closeQuietly(companion);
            },
            "ingest-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    ScheduledExecutorService reporter =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ingest-metrics");
              t.setDaemon(true);
              return t;
            });
    long every = properties.metricsLogInterval().toMillis();
    reporter.scheduleAtFixedRate(
        () -> LOG.info("metrics {}", bridge.metrics().snapshot()),
        every,
        every,
        TimeUnit.MILLISECONDS);
    try {
      bridge.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      reporter.shutdownNow();
    }
    if (bridge.failure() != null) {
      bridge.close();
      closeQuietly(companion);
      return 1;
    }
    return 0;
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("closing {} failed: {}", closeable, e.toString());
    }
  }

  private static BlockMaps loadBlockMaps(List<Path> paths) {
    List<BlockMap> all = new ArrayList<>();
    for (Path path : paths) {
      if (Files.isDirectory(path)) {
        all.addAll(BlockMapLoader.loadDirectory(path).all());
      } else {
        all.add(BlockMapLoader.load(path));
      }
    }
    if (all.isEmpty()) {
      throw new IllegalArgumentException("no block maps found in " + paths);
    }
    return BlockMaps.of(all.toArray(BlockMap[]::new));
  }

  static String help() {
    StringBuilder s = new StringBuilder();
    s.append(
        """
        StreetSense ingest: the MQTT -> Kafka bridge.

        Usage: java -cp <classpath> io.streetsense.ingest.BridgeMain --config FILE

        Subscribes at QoS 1 (MQTT 5, persistent session) to blocks/{block}/parking/+ and
        blocks/{block}/camera/+, validates each message against the device contract, writes valid
        ones to <prefix>parking / <prefix>camera and rejected ones, byte for byte with a reason,
        to <prefix>deadletters, and acknowledges each MQTT message only after Kafka has it.
        The Kafka topics must exist. Stop with SIGTERM or Ctrl-C: in-flight messages are drained.

        Options:
          -c, --config FILE   Java properties file with the keys below
          -h, --help          this text

        Secrets: any value may be ${env:NAME} or ${file:/path} (e.g. mqtt.password=${env:MQTT_PASSWORD},
        kafka.producer.sasl.jaas.config=${file:/run/secrets/jaas}). Never put them on the command line.

        Keys:
        """);
    for (Map.Entry<String, String> e : BridgeProperties.KEYS.entrySet()) {
      s.append(String.format("  %-38s %s%n", e.getKey(), e.getValue()));
    }
    s.append(
        """

        Example:
          mqtt.uris=tcp://localhost:1883
          mqtt.client.id=streetsense-ingest-1
          mqtt.shared.group=streetsense-ingest
          kafka.bootstrap.servers=localhost:9092
          blockmaps=/etc/streetsense/blockmaps

        Exit codes: 0 clean stop, 1 bridge failed (e.g. a non-retriable Kafka error), 2 bad usage
        or configuration.
        """);
    return s.toString();
  }
}
