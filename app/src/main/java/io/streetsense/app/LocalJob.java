package io.streetsense.app;

import io.streetsense.sinks.metrics.InfluxDbSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink job on a local MiniCluster in this process, with durable state: checkpoints on disk under
 * a state directory, resumed on the next start, a savepoint on a clean stop, and its checkpoints
 * watched ({@link CheckpointMonitor}). {@code streetsense run} and the demo run their job this way
 * (inside {@link Pipeline}), and so does {@code streetsense job} when it is not under a Flink
 * cluster; on a Flink cluster, the cluster's configuration decides all of this instead.
 */
public final class LocalJob implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalJob.class);

  /** How long a stop waits for its savepoint before cancelling the job. */
  static final Duration SAVEPOINT_TIMEOUT = Duration.ofSeconds(60);

  private final StateSettings state;
  private final JobClient client;
  private final Optional<RestorePoint> restoredFrom;
  private final String stateLine;
  private final CheckpointMonitor monitor;
  private final URI rest;
  private final FileChannel lockFile;
  private final CompletableFuture<Void> failure = new CompletableFuture<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile String savepoint;

  private LocalJob(
      StateSettings state,
      JobClient client,
      Optional<RestorePoint> restoredFrom,
      String stateLine,
      URI rest,
      String jobName,
      InfluxDbSettings influx,
      FileChannel lockFile) {
    this.state = state;
    this.client = client;
    this.restoredFrom = restoredFrom;
    this.stateLine = stateLine;
    this.lockFile = lockFile;
    this.rest = rest;
    // What the restore superseded is removed only once the resumed job has completed a checkpoint
    // of its own: until then, an older checkpoint may be the way back if the restored one is bad.
    this.monitor =
        new CheckpointMonitor(
            rest,
            client.getJobID(),
            jobName,
            state,
            influx,
            this::giveUp,
            () -> restoredFrom.ifPresent(point -> state.pruneOlderThan(point, LOG)));
    client
        .getJobExecutionResult()
        .whenComplete(
            (result, error) -> {
              if (closed.get()) {
                return;
              }
              giveUp(
                  error == null
                      ? new PipelineFailure("the Flink job finished on its own")
                      : new PipelineFailure(
                          "the Flink job failed: "
                              + CheckpointMonitor.oneLine(
                                  ExceptionUtils.stringifyException(
                                      ExceptionUtils.stripCompletionException(error)))
                              + restoredFrom
                                  .map(
                                      p ->
                                          ". It was resumed from "
                                              + p.describe()
                                              + ": if that state cannot be used (a changed job,"
                                              + " a damaged file), start with --fresh or"
                                              + " --from-savepoint PATH")
                                  .orElse(""),
                          error));
            });
  }

  /**
   * Starts a local cluster and submits the job {@code define} wires onto its environment.
   *
   * @param requested where the job keeps its state; null: a temporary directory
   * @param flinkConfiguration extra configuration, applied over the state settings (a test may
   *     force another checkpoint storage this way)
   */
  public static LocalJob submit(
      String jobName,
      StateSettings requested,
      InfluxDbSettings influx,
      Configuration flinkConfiguration,
      int parallelism,
      boolean restartOnFailure,
      Consumer<StreamExecutionEnvironment> define)
      throws Exception {
    StateSettings state = requested == null ? StateSettings.throwAway() : requested;
    FileChannel lock = lock(state);
    try {
      Optional<RestorePoint> restore = state.restorePoint();
      String line = describe(state, restore);
      LOG.info(line);
      for (int attempt = 1; ; attempt++) {
        int port = freePort();
        Configuration conf = state.flinkConfiguration(restore);
        conf.addAll(flinkConfiguration);
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, parallelism);
        // The REST API on loopback only (it can cancel jobs and run jars), on a port known here:
        // the checkpoint monitor reads it.
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, Integer.toString(port));
        conf.set(RestOptions.PORT, port);
        conf.set(RestOptions.CACHE_CHECKPOINT_STATISTICS_TIMEOUT, Duration.ofMillis(500));
        if (!restartOnFailure) {
          conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        define.accept(env);
        JobClient client;
        try {
          client = env.executeAsync(jobName);
        } catch (Exception e) {
          // Another process took the port between our probe and the cluster's bind: try another.
          if (attempt < 3 && ExceptionUtils.findThrowable(e, BindException.class).isPresent()) {
            LOG.warn("REST port {} was taken; trying another", port);
            continue;
          }
          if (restore.isPresent()) {
            throw new PipelineFailure(
                "could not start the job resuming from "
                    + restore.get().describe()
                    + ": "
                    + rootCause(e)
                    + ". If that state cannot be used (a changed job, a damaged file), start with"
                    + " --fresh, or name another with --from-savepoint PATH",
                e);
          }
          throw e;
        }
        return new LocalJob(
            state,
            client,
            restore,
            line,
            URI.create("http://127.0.0.1:" + port),
            jobName,
            influx,
            lock);
      }
    } catch (Exception | Error e) {
      release(lock);
      throw e;
    }
  }

  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.toString().replaceAll("\\s*\\R\\s*", " ");
  }

  /** What the job starts from and where it keeps its state, in one line. */
  private static String describe(StateSettings state, Optional<RestorePoint> restore) {
    return startingPoint(state, restore)
        + "; state backend "
        + state.backend()
        + (state.backend().incrementalCheckpoints() ? " (incremental checkpoints)" : "");
  }

  private static String startingPoint(StateSettings state, Optional<RestorePoint> restore) {
    if (state.temporary()) {
      return "state in a temporary directory " + state.dir() + " (not kept)";
    }
    if (restore.isPresent()) {
      return "resuming from " + restore.get().describe();
    }
    if (state.fresh()) {
      Optional<RestorePoint> ignored = RestorePoint.latest(state.dir());
      return "starting fresh (--fresh)"
          + ignored.map(p -> ", ignoring " + p.describe()).orElse(": nothing to ignore")
          + "; checkpoints go to "
          + state.checkpointsDir();
    }
    return "starting fresh: no completed checkpoint or savepoint under "
        + state.dir()
        + "; checkpoints go to "
        + state.checkpointsDir();
  }

  /**
   * One process per state directory: two jobs resuming from the same checkpoints would both write
   * the same Kafka transactions, and one would tidy away the other's state.
   */
  private static FileChannel lock(StateSettings state) throws IOException {
    if (state.temporary()) {
      return null;
    }
    Path lockPath = state.dir().resolve(".lock");
    FileChannel channel;
    try {
      Files.createDirectories(state.dir());
      channel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IllegalArgumentException("--state-dir " + state.dir() + " cannot be used: " + e, e);
    }
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalArgumentException(
          "--state-dir "
              + state.dir()
              + " is in use by another StreetSense process; give each pipeline its own");
    }
    return channel;
  }

  private static void release(FileChannel lock) {
    if (lock != null) {
      try {
        lock.close();
      } catch (IOException e) {
        // released with the process anyway
      }
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port for the local cluster's REST API", e);
    }
  }

  private void giveUp(PipelineFailure why) {
    if (failure.completeExceptionally(why)) {
      LOG.error("{}", why.getMessage());
    }
  }

  /** The local cluster's REST API (and web UI), on the loopback interface. */
  public URI restUrl() {
    return rest;
  }

  public JobClient client() {
    return client;
  }

  /** The checkpoint or savepoint this start resumed from, if any. */
  public Optional<RestorePoint> restoredFrom() {
    return restoredFrom;
  }

  /** What the job started from, in one line ("resuming from checkpoint 12 …"). */
  public String stateLine() {
    return stateLine;
  }

  public StateSettings state() {
    return state;
  }

  /**
   * Completes exceptionally with a {@link PipelineFailure} when the job cannot go on as it should:
   * {@code --max-failed-checkpoints} failures in a row, or the job ended on its own. Never
   * completes normally.
   */
  public CompletableFuture<Void> failure() {
    return failure;
  }

  /** Checkpoints completed so far, as the local cluster reports them. */
  public long completedCheckpoints() {
    return monitor.completed();
  }

  /** Checkpoints failed so far, as the local cluster reports them. */
  public long failedCheckpoints() {
    return monitor.failed();
  }

  /** Where Flink itself says it restored the job from (its REST API), or null. */
  public String flinkRestoredFrom() {
    return monitor.restoredFrom();
  }

  /** The savepoint the stop wrote, or null (not stopped, or stopped without one). */
  public String savepoint() {
    return savepoint;
  }

  /**
   * Stops the job: with a savepoint into the state directory where Flink allows it (its last
   * transactions are committed with it, and the next start resumes from it), else by cancelling it
   * (the last completed checkpoint is retained, and the next start resumes from that). A job on a
   * temporary directory, or without {@link StateSettings#savepointOnStop}, is just cancelled.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    // A job that already ended (failed for good) has nothing to stop, and its cluster is gone.
    boolean stopped = client.getJobExecutionResult().isDone();
    monitor.stopping();
    if (!stopped && state.savepointOnStop()) {
      try {
        savepoint =
            client
                .stopWithSavepoint(
                    false, state.savepointsDir().toUri().toString(), SavepointFormatType.CANONICAL)
                .get(SAVEPOINT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        stopped = true;
        LOG.info("stopped the job with savepoint {}; the next start resumes from it", savepoint);
      } catch (Exception e) {
        LOG.warn(
            "could not stop the job with a savepoint ({}); cancelling it: the next start resumes"
                + " from its last completed checkpoint",
            CheckpointMonitor.oneLine(
                ExceptionUtils.stringifyException(ExceptionUtils.stripExecutionException(e))));
      }
    }
    if (!stopped) {
      try {
        client.cancel().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        LOG.warn("job did not cancel cleanly: {}", e.toString());
      }
    }
    try {
      monitor.close();
    } catch (Exception e) {
      LOG.warn("checkpoint monitor did not close cleanly", e);
    }
    release(lockFile);
  }
}
