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
 * Debian's Mosquitto as a child process on a free 127.0.0.1 port, with persistence in the work
 * directory (installed on demand by {@link NativePackages}).
 *
 * <pre>{@code
 * try (MosquittoBroker mqtt = MosquittoBroker.builder().maxInflightMessages(100).start(workDir)) {
 *   MqttClient client = new MqttClient(mqtt.serverUri(), "bridge", new MemoryPersistence());
 *   ...
 * }
 * }</pre>
 *
 * <p>Persistence: Mosquitto keeps sessions and queued messages in memory and writes them to {@code
 * persistence/mosquitto.db} on a graceful {@link #stop()} and every {@code autosave_interval}
 * seconds. {@link #kill()} therefore loses what changed since the last autosave, as a real crash
 * would; {@link #stop()} loses nothing.
 *
 * <p>Layout of {@code workDir}: {@code mosquitto.conf}, {@code persistence/}, {@code mosquitto.log}
 * (the broker's log) and {@code mosquitto.out} (its stdout/stderr).
 */
public final class MosquittoBroker extends ChildProcessService implements MqttService {
  private static final Logger LOG = LoggerFactory.getLogger(MosquittoBroker.class);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

  private final Path workDir;
  private final int port;

  private final boolean tls;

  private MosquittoBroker(Path workDir, int port, boolean tls, ChildProcess process) {
    super(process);
    this.tls = tls;
    this.workDir = workDir;
    this.port = port;
  }

  /** Starts Mosquitto with default settings; returns once it accepts TCP connections. */
  public static MosquittoBroker start(Path workDir) {
    return builder().start(workDir);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options for {@link MosquittoBroker} (and for the container variant). */
  public static final class Builder {
    private int maxQueuedMessages = 1_000_000;
    private int maxInflightMessages = 20;
    private int autosaveIntervalSeconds = 10;
    private Path passwordFile;
    private Path aclFile;
    private Path tlsCertFile;
    private Path tlsKeyFile;

    private Builder() {}

    /**
     * Refuses anonymous clients: only users in this Mosquitto password file (made with {@code
     * mosquitto_passwd}) may connect.
     */
    public Builder passwordFile(Path passwordFile) {
      this.passwordFile = Objects.requireNonNull(passwordFile, "passwordFile").toAbsolutePath();
      return this;
    }

    /** Topic access control (Mosquitto {@code acl_file}, e.g. {@code pattern write ...}). */
    public Builder aclFile(Path aclFile) {
      this.aclFile = Objects.requireNonNull(aclFile, "aclFile").toAbsolutePath();
      return this;
    }

    /**
     * Serves MQTT over TLS only ({@code ssl://}), with this PEM certificate chain and key. Clients
     * verify the certificate against its issuer.
     */
    public Builder tls(Path certFile, Path keyFile) {
      this.tlsCertFile = Objects.requireNonNull(certFile, "certFile").toAbsolutePath();
      this.tlsKeyFile = Objects.requireNonNull(keyFile, "keyFile").toAbsolutePath();
      return this;
    }

    /**
     * Per-client queue of messages waiting for an offline or slow persistent subscriber (Mosquitto
     * default 1000, which silently drops messages under load). Default here: 1,000,000.
     */
    public Builder maxQueuedMessages(int maxQueuedMessages) {
      if (maxQueuedMessages < 0) {
        throw new IllegalArgumentException(
            "maxQueuedMessages must be >= 0 (0 = unlimited), was " + maxQueuedMessages);
      }
      this.maxQueuedMessages = maxQueuedMessages;
      return this;
    }

    /** QoS 1/2 messages in flight per client (Mosquitto default 20; 0 = unlimited). */
    public Builder maxInflightMessages(int maxInflightMessages) {
      if (maxInflightMessages < 0 || maxInflightMessages > 65535) {
        throw new IllegalArgumentException(
            "maxInflightMessages must be in [0, 65535] (0 = unlimited), was "
                + maxInflightMessages);
      }
      this.maxInflightMessages = maxInflightMessages;
      return this;
    }

    /**
     * How often the in-memory state is written to disk (default 10 s); bounds what {@link
     * MosquittoBroker#kill()} loses.
     */
    public Builder autosaveIntervalSeconds(int seconds) {
      if (seconds < 1) {
        throw new IllegalArgumentException("autosaveIntervalSeconds must be >= 1, was " + seconds);
      }
      this.autosaveIntervalSeconds = seconds;
      return this;
    }

    /** Starts Mosquitto natively under {@code workDir} and waits until it accepts connections. */
    public MosquittoBroker start(Path workDir) {
      Objects.requireNonNull(workDir, "workDir");
      long started = System.nanoTime();
      Path executable = NativePackages.require("mosquitto", "mosquitto");
      Path dir = workDir.toAbsolutePath();
      int port = Ports.freePort();
      Path config = dir.resolve("mosquitto.conf");
      try {
        Files.createDirectories(dir.resolve("persistence"));
        Files.writeString(
            config,
            config(
                "listener " + port + " 127.0.0.1",
                dir.resolve("persistence"),
                "file " + dir.resolve("mosquitto.log"),
                NativePackages.isRoot()));
      } catch (IOException e) {
        throw new UncheckedIOException("could not write " + config, e);
      }
      ChildProcess process =
          new ChildProcess(
              "mosquitto",
              List.of(executable.toString(), "-c", config.toString()),
              dir,
              dir.resolve("mosquitto.out"),
              Map.of(),
              Duration.ofSeconds(20));
      MosquittoBroker broker = new MosquittoBroker(dir, port, tlsCertFile != null, process);
      broker.launch();
      LOG.info(
          "Mosquitto ready on {} in {} ms (work dir {})",
          broker.serverUri(),
          (System.nanoTime() - started) / 1_000_000,
          dir);
      return broker;
    }

    /**
     * The broker configuration. Shared with the container variant so both behave alike.
     *
     * @param listener the {@code listener} line
     * @param persistenceDir where {@code mosquitto.db} goes
     * @param logDest the {@code log_dest} value
     * @param runAsRoot write {@code user root}: run as root Mosquitto otherwise switches to user
     *     {@code mosquitto}, which cannot write a work dir owned by root (and it would not say so)
     */
    String config(String listener, Path persistenceDir, String logDest, boolean runAsRoot) {
      StringBuilder c = new StringBuilder();
      c.append(listener).append('\n');
      if (tlsCertFile != null) {
        c.append("certfile ").append(tlsCertFile).append('\n');
        c.append("keyfile ").append(tlsKeyFile).append('\n');
      }
      if (passwordFile != null) {
        c.append("allow_anonymous false\n");
        c.append("password_file ").append(passwordFile).append('\n');
      } else {
        c.append("allow_anonymous true\n");
      }
      if (aclFile != null) {
        c.append("acl_file ").append(aclFile).append('\n');
      }
      if (runAsRoot) {
        c.append("user root\n");
      }
      c.append("persistence true\n");
      c.append("persistence_location ").append(persistenceDir).append("/\n");
      c.append("persistence_file mosquitto.db\n");
      c.append("autosave_interval ").append(autosaveIntervalSeconds).append('\n');
      // persistent_client_expiration is deliberately unset: sessions never expire server-side.
      c.append("max_queued_messages ").append(maxQueuedMessages).append('\n');
      c.append("max_inflight_messages ").append(maxInflightMessages).append('\n');
      c.append("set_tcp_nodelay true\n");
      c.append("log_dest ").append(logDest).append('\n');
      c.append("log_type error\nlog_type warning\nlog_type notice\nlog_type information\n");
      c.append("connection_messages true\n");
      c.append("log_timestamp_format %Y-%m-%dT%H:%M:%S\n");
      return c.toString();
    }
  }

  @Override
  protected void launch() {
    process.start();
    process.awaitReady(
        READY_TIMEOUT,
        "Mosquitto to accept connections on 127.0.0.1:" + port,
        () -> Ports.isAccepting(port));
  }

  @Override
  public String serverUri() {
    return (tls ? "ssl" : "tcp") + "://127.0.0.1:" + port;
  }

  @Override
  public int port() {
    return port;
  }

  public Path workDir() {
    return workDir;
  }

  /** Mosquitto's own log file. */
  public Path logFile() {
    return workDir.resolve("mosquitto.log");
  }

  @Override
  public String toString() {
    return "MosquittoBroker[" + serverUri() + ", " + workDir + "]";
  }
}
