package io.streetsense.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;

/**
 * Where a job on the local cluster ({@code streetsense run}, {@code job} outside a Flink cluster,
 * the demo) keeps its checkpoints and savepoints, what it resumes from, and when checkpoint
 * failures stop the process.
 *
 * <p>Checkpoints go to the file system under {@code dir} ({@code checkpoints/<job>/chk-N}), never
 * to the JobManager's memory, which holds at most 5 MB of state per subtask and is lost with the
 * process. They are retained when the job stops, so a process that is killed resumes from its last
 * completed checkpoint; a clean stop writes a savepoint to {@code savepoints/} first.
 *
 * @param dir the state directory
 * @param fresh start from nothing even if {@code dir} holds checkpoints ({@code --fresh})
 * @param fromSavepoint resume from this savepoint or retained checkpoint instead of the newest one
 *     under {@code dir} ({@code --from-savepoint}); null: the newest under {@code dir}
 * @param maxFailedCheckpoints checkpoint failures in a row after which the pipeline gives up
 * @param temporary a throw-away directory (tests, benchmarks): never resumed from, no savepoint on
 *     stop, deleted when the JVM exits
 * @param savepointOnStop whether a stop takes a savepoint first (else it cancels the job, and the
 *     last checkpoint is retained): off for the demo, whose brokers stop at the same Ctrl-C
 * @param backend where the running job keeps its state ({@code --state-backend})
 */
public record StateSettings(
    Path dir,
    boolean fresh,
    Path fromSavepoint,
    int maxFailedCheckpoints,
    boolean temporary,
    boolean savepointOnStop,
    StateBackendKind backend) {
  /** The default of {@code --state-dir}, relative to the working directory. */
  public static final String DEFAULT_DIR = "streetsense-state";

  /** The default of {@code --max-failed-checkpoints}. */
  public static final int DEFAULT_MAX_FAILED_CHECKPOINTS = 3;

  static final String CHECKPOINTS = "checkpoints";
  static final String SAVEPOINTS = "savepoints";

  public StateSettings {
    Objects.requireNonNull(dir, "dir");
    if (maxFailedCheckpoints < 1) {
      throw new IllegalArgumentException(
          "--max-failed-checkpoints must be at least 1, got " + maxFailedCheckpoints);
    }
    if (fresh && fromSavepoint != null) {
      throw new IllegalArgumentException("--fresh and --from-savepoint exclude each other");
    }
    dir = dir.toAbsolutePath().normalize();
    Objects.requireNonNull(backend, "backend");
  }

  /** Resume from the newest checkpoint or savepoint under {@code dir}. */
  public static StateSettings in(Path dir) {
    return new StateSettings(
        dir, false, null, DEFAULT_MAX_FAILED_CHECKPOINTS, false, true, StateBackendKind.HASHMAP);
  }

  /**
   * A new temporary directory, deleted when the JVM exits: the tests' and benchmarks' pipelines.
   */
  public static StateSettings throwAway() {
    try {
      Path dir = Files.createTempDirectory("streetsense-state-");
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> deleteRecursively(dir), "streetsense-state-cleanup"));
      return new StateSettings(
          dir, true, null, DEFAULT_MAX_FAILED_CHECKPOINTS, true, false, StateBackendKind.HASHMAP);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary state directory", e);
    }
  }

  public StateSettings withMaxFailedCheckpoints(int max) {
    return new StateSettings(dir, fresh, fromSavepoint, max, temporary, savepointOnStop, backend);
  }

  /** The same, with the state kept in {@code kind}. */
  public StateSettings withBackend(StateBackendKind kind) {
    return new StateSettings(
        dir, fresh, fromSavepoint, maxFailedCheckpoints, temporary, savepointOnStop, kind);
  }

  /** The same, but a stop cancels the job (keeping its last checkpoint) without a savepoint. */
  public StateSettings withoutSavepointOnStop() {
    return new StateSettings(
        dir, fresh, fromSavepoint, maxFailedCheckpoints, temporary, false, backend);
  }

  public Path checkpointsDir() {
    return dir.resolve(CHECKPOINTS);
  }

  public Path savepointsDir() {
    return dir.resolve(SAVEPOINTS);
  }

  /**
   * What the job resumes from: the savepoint named by {@code --from-savepoint}, nothing with {@code
   * --fresh}, else the newest completed checkpoint or savepoint under {@code dir}.
   */
  public Optional<RestorePoint> restorePoint() {
    if (fromSavepoint != null) {
      return Optional.of(RestorePoint.named(fromSavepoint));
    }
    return fresh ? Optional.empty() : RestorePoint.latest(dir);
  }

  /**
   * The local cluster's checkpoint configuration: the state backend (RocksDB with incremental
   * checkpoints, or the heap), file-system storage under {@code dir}, checkpoints retained when the
   * job stops or is cancelled, failed checkpoints tolerated (counted by the checkpoint monitor
   * instead), and the restore point, if any, as the job's {@code execution.state-recovery.path}.
   * The restored snapshot is not claimed: Flink never deletes it, and the resumed job's first
   * checkpoint is a complete one even with incremental checkpoints (no file of the new job refers
   * to the old job's folders), so {@link #pruneOlderThan} can remove what is superseded. A
   * savepoint is in Flink's canonical format, so a job may resume from one on either backend
   * (switching backends goes through a savepoint: stop, change, start).
   */
  public Configuration flinkConfiguration(Optional<RestorePoint> restore) {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, backend.flinkName());
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, backend.incrementalCheckpoints());
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointsDir().toUri().toString());
    conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, savepointsDir().toUri().toString());
    conf.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    conf.set(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS, 2);
    // A failed checkpoint does not fail the job: Flink's default (none tolerated) restarts it from
    // its last checkpoint at every failure, over and over while the cause stays, with nothing but
    // a WARN line. The checkpoint monitor counts failures in a row and stops the process after
    // maxFailedCheckpoints, saying why.
    conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, Integer.MAX_VALUE);
    restore.ifPresent(
        point -> {
          conf.set(StateRecoveryOptions.SAVEPOINT_PATH, point.path().toUri().toString());
          conf.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.NO_CLAIM);
        });
    return conf;
  }

  /**
   * Removes what a restore from {@code restored} has superseded under {@code dir}: the checkpoint
   * folders of earlier jobs and the savepoints written before it, and those that never completed.
   * The restored snapshot itself and anything newer (the running job's own checkpoints) are kept.
   * Called once the resumed job has completed its first checkpoint, under the state directory's
   * lock.
   */
  void pruneOlderThan(RestorePoint restored, org.slf4j.Logger log) {
    if (!restored.path().startsWith(dir)) {
      return; // a savepoint from elsewhere: everything here stays
    }
    for (Path root : new Path[] {checkpointsDir(), savepointsDir()}) {
      if (!Files.isDirectory(root)) {
        continue;
      }
      try (Stream<Path> children = Files.list(root)) {
        for (Path child : children.toList()) {
          if (restored.path().startsWith(child)
              || newestMetadata(child) >= restored.writtenAt().toEpochMilli()) {
            continue;
          }
          deleteRecursively(child);
          log.info("removed superseded state {}", child);
        }
      } catch (IOException e) {
        log.warn("could not tidy {}: {}", root, e.toString());
      }
    }
  }

  /**
   * When the newest {@code _metadata} under {@code folder} was written (0: none, never completed).
   */
  private static long newestMetadata(Path folder) throws IOException {
    try (Stream<Path> all = Files.walk(folder, 2)) {
      return all.filter(p -> p.getFileName().toString().equals("_metadata"))
          .mapToLong(
              p -> {
                try {
                  return Files.getLastModifiedTime(p).toMillis();
                } catch (IOException e) {
                  return Long.MAX_VALUE; // unreadable: keep it
                }
              })
          .max()
          .orElse(0);
    }
  }

  static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      all.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // best effort
                }
              });
    } catch (IOException e) {
      // best effort
    }
  }
}
