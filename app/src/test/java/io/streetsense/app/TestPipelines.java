package io.streetsense.app;

import io.streetsense.schemas.Topics;
import io.streetsense.services.LocalServices;
import java.time.Duration;

/** The pipeline settings the app's tests use on services they start. */
final class TestPipelines {
  private TestPipelines() {}

  /**
   * {@link PipelineSettings#local} on {@code services}, with checkpoints every second (orders are
   * committed soon after they change) and no restart after a failure (a failure fails the test).
   */
  static PipelineSettings settings(LocalServices services, Topics topics) {
    return PipelineSettings.local(
        services.mqtt().serverUri(),
        services.kafka().bootstrapServers(),
        services.influx().url(),
        topics,
        Duration.ofSeconds(1),
        false);
  }
}
