package io.streetsense.app;

/**
 * Why a running pipeline gave up on its own: its checkpoints kept failing (so its exactly-once
 * sinks could commit nothing), or its Flink job failed for good. The message says what happened and
 * what to change; {@code streetsense run} prints it and exits non-zero.
 */
public final class PipelineFailure extends RuntimeException {
  public PipelineFailure(String message) {
    super(message);
  }

  public PipelineFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
