package io.streetsense.app;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.state.CheckpointStorageFactory;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;

/**
 * Checkpoints in the JobManager's memory with a limit of 1 KB per subtask: the memory-backed
 * storage's 5 MB limit that a real street outgrows, made small enough for a test's street ({@code
 * state.checkpoint-storage: io.streetsense.app.TinyMemoryCheckpointStorage}).
 */
public final class TinyMemoryCheckpointStorage
    implements CheckpointStorageFactory<JobManagerCheckpointStorage> {
  static final int MAX_BYTES = 1024;

  @Override
  public JobManagerCheckpointStorage createFromConfig(ReadableConfig config, ClassLoader loader) {
    return new JobManagerCheckpointStorage(MAX_BYTES);
  }
}
