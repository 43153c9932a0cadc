package io.streetsense.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import io.streetsense.sinks.metrics.InfluxDbWriter;
import io.streetsense.sinks.metrics.MetricPoint;
import io.streetsense.sinks.pipeline.StageTotals;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.flink.api.common.JobID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the checkpoints of a job on the local cluster and makes their health visible: an ERROR
 * line naming the cause of every failed checkpoint, a {@code pipeline} point per checkpoint in
 * InfluxDB (stage {@code checkpoint}), and, after {@code maxFailed} failures in a row, a {@link
 * PipelineFailure} saying what to change. A job whose checkpoints fail commits nothing, while Flink
 * (which tolerates any number of failed checkpoints by default) keeps it running as if healthy.
 *
 * <p>It polls the local cluster's REST API ({@code GET /jobs/<id>/checkpoints}) rather than
 * listening as a Flink metric reporter: the metrics give counts, size and duration but not why a
 * checkpoint failed, and the cause is what the operator needs to read. The REST answer has all of
 * it: the recent checkpoints with their status, size, duration and failure message, and the
 * checkpoint the job was restored from. Its history (10 checkpoints by default) is far longer than
 * one poll interval, so every checkpoint is seen once, in order.
 */
final class CheckpointMonitor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointMonitor.class);
  static final Duration EVERY = Duration.ofSeconds(1);
  static final String STAGE = "checkpoint";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final URI checkpointsUri;
  private final String jobName;
  private final StateSettings state;
  private final InfluxDbWriter writer;
  private final Consumer<PipelineFailure> onGiveUp;
  private final Runnable afterFirstCompleted;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "checkpoint-monitor");
            thread.setDaemon(true);
            return thread;
          });

  private final String jobId;
  private final boolean causes;
  private long lastSeenId;
  private int consecutiveFailures;
  private boolean gaveUp;
  private volatile boolean stopping;
  private volatile long completed;
  private volatile long failed;
  private volatile String restoredFrom;

  CheckpointMonitor(
      URI restBase,
      JobID job,
      String jobName,
      StateSettings state,
      InfluxDbSettings influx,
      Consumer<PipelineFailure> onGiveUp,
      Runnable afterFirstCompleted) {
    this.checkpointsUri = restBase.resolve("/jobs/" + job + "/checkpoints");
    this.jobId = job.toString();
    this.causes = installCauses();
    this.jobName = jobName;
    this.state = state;
    this.writer = new InfluxDbWriter(influx);
    this.onGiveUp = onGiveUp;
    this.afterFirstCompleted = afterFirstCompleted;
    timer.scheduleWithFixedDelay(this::poll, 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static boolean installCauses() {
    try {
      return CheckpointFailureCauses.install();
    } catch (LinkageError e) {
      return false; // log4j2 is not on the classpath
    }
  }

  /**
   * The job is being stopped: checkpoints it aborts meanwhile ("Checkpoint Coordinator is
   * suspending") are no failure of the pipeline, so they are no longer reported or counted.
   */
  void stopping() {
    stopping = true;
  }

  /** Checkpoints seen completed so far. */
  long completed() {
    return completed;
  }

  /** Checkpoints seen failed so far. */
  long failed() {
    return failed;
  }

  /** The external path of the checkpoint or savepoint Flink restored the job from, or null. */
  String restoredFrom() {
    return restoredFrom;
  }

  private void poll() {
    JsonNode answer;
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(checkpointsUri).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        LOG.debug("{} answered {}", checkpointsUri, response.statusCode());
        return;
      }
      answer = json.readTree(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (Exception e) {
      LOG.debug("could not read {}: {}", checkpointsUri, e.toString());
      return;
    }
    try {
      observe(answer);
    } catch (RuntimeException e) {
      LOG.warn("could not read the checkpoint statistics: {}", e.toString());
    }
  }

  /** Takes one answer of {@code GET /jobs/<id>/checkpoints}. */
  synchronized void observe(JsonNode answer) {
    JsonNode restored = answer.path("latest").path("restored");
    if (restored.hasNonNull("external_path") && restoredFrom == null) {
      restoredFrom = restored.get("external_path").asText();
      LOG.info(
          "the job was restored from {} {}",
          restored.path("is_savepoint").asBoolean() ? "savepoint" : "checkpoint",
          restoredFrom);
    }
    List<JsonNode> done = new ArrayList<>();
    for (JsonNode checkpoint : answer.path("history")) {
      String status = checkpoint.path("status").asText();
      if (checkpoint.path("id").asLong() > lastSeenId
          && (status.equals("COMPLETED") || status.equals("FAILED"))) {
        done.add(checkpoint);
      }
    }
    done.sort(Comparator.comparingLong(c -> c.path("id").asLong()));
    for (JsonNode checkpoint : done) {
      lastSeenId = checkpoint.path("id").asLong();
      if (checkpoint.path("is_savepoint").asBoolean() || stopping) {
        continue; // savepoints are asked for, and their caller hears how they went
      }
      if (checkpoint.path("status").asText().equals("COMPLETED")) {
        completed++;
        consecutiveFailures = 0;
        writer.write(point(checkpoint, true, 0));
        if (completed == 1) {
          afterFirstCompleted.run();
        }
      } else {
        failed++;
        consecutiveFailures++;
        String cause = oneLine(checkpoint.path("failure_message").asText("(no message)"));
        String root = causes ? CheckpointFailureCauses.of(jobId, lastSeenId) : null;
        if (root != null && !cause.contains(root)) {
          cause = cause + " — caused by: " + root;
        }
        LOG.error(
            "checkpoint {} failed ({} in a row; the pipeline stops after {}): {}",
            lastSeenId,
            consecutiveFailures,
            state.maxFailedCheckpoints(),
            cause);
        writer.write(point(checkpoint, false, consecutiveFailures));
        if (consecutiveFailures >= state.maxFailedCheckpoints() && !gaveUp) {
          gaveUp = true;
          onGiveUp.accept(new PipelineFailure(giveUpMessage(cause)));
        }
      }
    }
  }

  private MetricPoint point(JsonNode checkpoint, boolean ok, int consecutive) {
    long trigger = checkpoint.path("trigger_timestamp").asLong();
    long at =
        ok
            ? trigger + Math.max(0, checkpoint.path("end_to_end_duration").asLong())
            : checkpoint.path("failure_timestamp").asLong(System.currentTimeMillis());
    MetricPoint.Builder point =
        MetricPoint.measurement(StageTotals.MEASUREMENT)
            .tag("stage", STAGE)
            .tag("job", jobName)
            .field("checkpoint_id", checkpoint.path("id").asLong())
            .field("completed", ok ? 1L : 0L)
            .field("failed", ok ? 0L : 1L)
            .field("consecutive_failures", (long) consecutive)
            .field("duration_ms", Math.max(0, checkpoint.path("end_to_end_duration").asLong()))
            .field("completed_total", completed)
            .field("failed_total", failed);
    if (ok) {
      point.field("size_bytes", checkpoint.path("state_size").asLong());
      point.field("checkpointed_bytes", checkpoint.path("checkpointed_size").asLong());
    }
    return point.at(at > 0 ? at : System.currentTimeMillis());
  }

  /**
   * A failure message in one line: Flink's is a whole stack trace. The first line and the root
   * cause (the last "Caused by:") name what went wrong.
   */
  static String oneLine(String failureMessage) {
    String[] lines = failureMessage.strip().split("\\R");
    String first = lines[0].strip();
    String root = null;
    for (String line : lines) {
      String l = line.strip();
      if (l.startsWith("Caused by: ")) {
        root = l.substring("Caused by: ".length());
      }
    }
    return root == null || root.equals(first) ? first : first + " — caused by: " + root;
  }

  /** What the operator reads when the pipeline gives up: what failed, and what to change. */
  String giveUpMessage(String cause) {
    return state.maxFailedCheckpoints()
        + " checkpoints failed in a row, so the exactly-once sinks could commit no work orders or"
        + " violations; stopping instead of running uncommitted. Last failure: "
        + (cause.endsWith(".") ? cause : cause + ".")
        + " "
        + advice(cause, state);
  }

  static String advice(String cause, StateSettings state) {
    String c = cause.toLowerCase(Locale.ROOT);
    if (c.contains("memory-backed state")) {
      return "The checkpoints are kept in the JobManager's memory, which allows 5 MB of state per"
          + " subtask: use file-system checkpoint storage (remove any"
          + " state.checkpoint-storage: jobmanager setting; 'streetsense run' keeps checkpoints"
          + " under --state-dir, now "
          + state.dir()
          + ").";
    }
    if (c.contains("expired") || c.contains("timeout") || c.contains("timed out")) {
      return "Raise the checkpoint timeout (Flink's execution.checkpointing.timeout, 10 min by"
          + " default) or find what holds checkpoints back: back-pressure on the job, a slow"
          + " --state-dir disk, or Kafka not answering the sinks.";
    }
    if (c.contains("no space left") || c.contains("disk quota")) {
      return "The state directory "
          + state.dir()
          + " is full: free space there or choose --state-dir on a larger disk.";
    }
    if (c.contains("permission denied")
        || c.contains("accessdenied")
        || c.contains("read-only")
        || c.contains("could not create")
        || c.contains("cannot create")
        || c.contains("mkdirs failed")) {
      return "The state directory "
          + state.dir()
          + " cannot be written: fix its permissions or choose a writable --state-dir.";
    }
    return "See the ERROR lines above for every failed checkpoint; fix their cause, or raise"
        + " --max-failed-checkpoints (now "
        + state.maxFailedCheckpoints()
        + ") if the failures are rare and pass.";
  }

  /**
   * Stops polling and writes what is buffered, waiting at most 5 s for InfluxDB: these points are
   * telemetry, and a stop (a SIGTERM's shutdown hook) must not wait out the writer's 30 s drain
   * when InfluxDB is down.
   */
  @Override
  public void close() throws Exception {
    timer.shutdownNow();
    timer.awaitTermination(10, TimeUnit.SECONDS);
    Thread closer =
        new Thread(
            () -> {
              try {
                writer.close();
              } catch (Exception e) {
                LOG.debug("checkpoint points writer did not close cleanly", e);
              }
            },
            "checkpoint-monitor-close");
    closer.setDaemon(true);
    closer.start();
    closer.join(5_000);
  }
}
