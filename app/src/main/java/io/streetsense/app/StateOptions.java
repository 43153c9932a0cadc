package io.streetsense.app;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where {@code run} (and {@code job} outside a Flink cluster) keep the job's checkpoints, what they
 * resume from, and how many failed checkpoints in a row they accept. Under a Flink cluster the
 * cluster's own configuration decides these, and the options are ignored.
 */
public final class StateOptions {
  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      defaultValue = StateSettings.DEFAULT_DIR,
      description =
          "Where the job keeps its checkpoints (checkpoints/) and savepoints (savepoints/), and"
              + " resumes from on the next start; relative to the working directory. Give it a"
              + " disk with room for a few copies of the job's state. Default: ${DEFAULT-VALUE}.")
  Path stateDir;

  @Option(
      names = "--fresh",
      description =
          "Start from nothing, ignoring the checkpoints and savepoints under --state-dir (they are"
              + " kept; the new job's checkpoints are newer, so later starts resume from those).")
  boolean fresh;

  @Option(
      names = "--from-savepoint",
      paramLabel = "PATH",
      description =
          "Resume from this savepoint (or retained checkpoint folder) instead of the newest one"
              + " under --state-dir.")
  Path fromSavepoint;

  @Option(
      names = "--max-failed-checkpoints",
      paramLabel = "N",
      defaultValue = "" + StateSettings.DEFAULT_MAX_FAILED_CHECKPOINTS,
      description =
          "Stop with an error after N checkpoints fail in a row (nothing is committed to Kafka"
              + " while checkpoints fail). Default: ${DEFAULT-VALUE}.")
  int maxFailedCheckpoints;

  @Option(
      names = "--state-backend",
      paramLabel = "hashmap|rocksdb",
      defaultValue = "hashmap",
      converter = BackendConverter.class,
      description =
          "Where the running job keeps its state: 'hashmap' (on the heap; every checkpoint copies"
              + " all of it) or 'rocksdb' (on local disk under the state directory, outside the"
              + " heap, with incremental checkpoints: for state larger than the heap can hold)."
              + " Switch by stopping (a savepoint) and starting with the other. Default:"
              + " ${DEFAULT-VALUE}.")
  StateBackendKind backend;

  /** Parses {@code --state-backend} with {@link StateBackendKind#parse}'s message. */
  static final class BackendConverter
      implements picocli.CommandLine.ITypeConverter<StateBackendKind> {
    @Override
    public StateBackendKind convert(String value) {
      return StateBackendKind.parse(value);
    }
  }

  public StateSettings settings() {
    return new StateSettings(
        stateDir, fresh, fromSavepoint, maxFailedCheckpoints, false, true, backend);
  }

  /** Whether any option was given other than by its default (for a warning where they are moot). */
  boolean anyGiven() {
    return fresh
        || fromSavepoint != null
        || !stateDir.equals(Path.of(StateSettings.DEFAULT_DIR))
        || maxFailedCheckpoints != StateSettings.DEFAULT_MAX_FAILED_CHECKPOINTS
        || backend != StateBackendKind.HASHMAP;
  }
}
