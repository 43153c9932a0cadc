package io.streetsense.services;

import io.streetsense.services.internal.ChildProcess;
import io.streetsense.services.internal.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's InfluxDB 1.6 ({@code influxd -config FILE}) as a child process, installed on demand by
 * {@link NativePackages}.
 *
 * <pre>{@code
 * try (InfluxDb influx = InfluxDb.start(workDir)) {
 *   influx.createDatabase("streetsense");
 *   influx.write("streetsense", "occupancy,zone=z1 value=3i");
 *   String json = influx.query("streetsense", "SELECT * FROM occupancy");
 * }
 * }</pre>
 *
 * <p>It binds only 127.0.0.1 on two free ports (HTTP and the RPC {@code bind-address} used by
 * backup/restore), never the stock {@code :8086}/{@code :8088}. The WAL is fsynced on every write
 * ({@code wal-fsync-delay = "0s"}), so acknowledged points survive {@link #kill()}.
 *
 * <p>Layout of {@code workDir}: {@code influxdb.conf}, {@code meta/}, {@code data/}, {@code wal/}
 * and {@code influxd.log}.
 */
public final class InfluxDb extends ChildProcessService implements InfluxService {
  private static final Logger LOG = LoggerFactory.getLogger(InfluxDb.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  private final Path workDir;
  private final int httpPort;

  private InfluxDb(Path workDir, int httpPort, ChildProcess process) {
    super(process);
    this.workDir = workDir;
    this.httpPort = httpPort;
  }

  /** Starts influxd under {@code workDir}; returns once {@code GET /ping} answers 204. */
  public static InfluxDb start(Path workDir) {
    Objects.requireNonNull(workDir, "workDir");
    long started = System.nanoTime();
    Path executable = NativePackages.require("influxd", "influxdb");
    Path dir = workDir.toAbsolutePath();
    int httpPort = Ports.freePort();
    int rpcPort = Ports.freePort();
    Path config = dir.resolve("influxdb.conf");
    try {
      Files.createDirectories(dir);
      Files.writeString(config, config(dir, httpPort, rpcPort));
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + config, e);
    }
    ChildProcess process =
        new ChildProcess(
            "influxd",
            List.of(executable.toString(), "-config", config.toString()),
            dir,
            dir.resolve("influxd.log"),
            Map.of(),
            Duration.ofSeconds(20));
    InfluxDb influx = new InfluxDb(dir, httpPort, process);
    influx.launch();
    LOG.info(
        "InfluxDB ready on {} in {} ms (work dir {})",
        influx.url(),
        (System.nanoTime() - started) / 1_000_000,
        dir);
    return influx;
  }

  static String config(Path dir, int httpPort, int rpcPort) {
    return String.join(
        "\n",
        "reporting-enabled = false",
        "bind-address = \"127.0.0.1:" + rpcPort + "\"",
        "[meta]",
        "  dir = \"" + dir.resolve("meta") + "\"",
        "  logging-enabled = false",
        "[data]",
        "  dir = \"" + dir.resolve("data") + "\"",
        "  wal-dir = \"" + dir.resolve("wal") + "\"",
        "  wal-fsync-delay = \"0s\"",
        "  query-log-enabled = false",
        "[monitor]",
        // No _internal database: less disk and CPU on a small machine.
        "  store-enabled = false",
        "[subscriber]",
        "  enabled = false",
        "[continuous_queries]",
        "  log-enabled = false",
        "[http]",
        "  enabled = true",
        "  bind-address = \"127.0.0.1:" + httpPort + "\"",
        "  log-enabled = false",
        "  unix-socket-enabled = false",
        "[ifql]",
        "  enabled = false",
        "[logging]",
        "  level = \"warn\"",
        "  suppress-logo = true",
        "");
  }

  @Override
  protected void launch() {
    process.start();
    process.awaitReady(
        READY_TIMEOUT,
        "InfluxDB to answer GET " + url() + "/ping",
        () -> {
          return InfluxHttp.ping(url());
        });
  }

  @Override
  public String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  public int port() {
    return httpPort;
  }

  public Path workDir() {
    return workDir;
  }

  public Path logFile() {
    return process.logFile();
  }

  @Override
  public String toString() {
    return "InfluxDb[" + url() + ", " + workDir + "]";
  }
}
