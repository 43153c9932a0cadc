package io.streetsense.app;

import io.streetsense.detectors.DetectorConfig;
import io.streetsense.schemas.Topics;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

/**
 * Everything the pipeline needs to reach its services: the MQTT broker the devices publish to,
 * Kafka, InfluxDB, topic names and timing. Secrets (passwords, tokens) are held here but never
 * printed.
 *
 * @param restartOnFailure whether Flink restarts the job from its last checkpoint after a failure
 *     (production); tests turn it off so that a failure fails the test instead of looping.
 * @param state where the job keeps its checkpoints and what it resumes from; null: a temporary
 *     directory, never resumed from (tests, benchmarks)
 */
public record PipelineSettings(
    String mqttServerUri,
    String mqttUsername,
    String mqttPassword,
    String kafkaBootstrapServers,
    Properties kafkaClientProperties,
    Topics topics,
    int partitions,
    InfluxDbSettings influx,
    DetectorConfig detectors,
    Duration checkpointInterval,
    int bridgeWindow,
    int parallelism,
    boolean restartOnFailure,
    StateSettings state) {

  /** Settings whose job keeps its checkpoints in a temporary directory (tests, benchmarks). */
  public PipelineSettings(
      String mqttServerUri,
      String mqttUsername,
      String mqttPassword,
      String kafkaBootstrapServers,
      Properties kafkaClientProperties,
      Topics topics,
      int partitions,
      InfluxDbSettings influx,
      DetectorConfig detectors,
      Duration checkpointInterval,
      int bridgeWindow,
      int parallelism,
      boolean restartOnFailure) {
    this(
        mqttServerUri,
        mqttUsername,
        mqttPassword,
        kafkaBootstrapServers,
        kafkaClientProperties,
        topics,
        partitions,
        influx,
        detectors,
        checkpointInterval,
        bridgeWindow,
        parallelism,
        restartOnFailure,
        null);
  }

  public PipelineSettings {
    Objects.requireNonNull(mqttServerUri, "mqttServerUri");
    Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(influx, "influx");
    Objects.requireNonNull(detectors, "detectors");
    Objects.requireNonNull(checkpointInterval, "checkpointInterval");
    kafkaClientProperties =
        kafkaClientProperties == null ? new Properties() : kafkaClientProperties;
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    if (bridgeWindow < 1) {
      throw new IllegalArgumentException("bridgeWindow must be at least 1, got " + bridgeWindow);
    }
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
  }

  /** The same settings with the job's state kept as {@code state} says. */
  public PipelineSettings withState(StateSettings state) {
    return new PipelineSettings(
        mqttServerUri,
        mqttUsername,
        mqttPassword,
        kafkaBootstrapServers,
        kafkaClientProperties,
        topics,
        partitions,
        influx,
        detectors,
        checkpointInterval,
        bridgeWindow,
        parallelism,
        restartOnFailure,
        state);
  }

  StreetSenseJob.Settings jobSettings() {
    return new StreetSenseJob.Settings(
        kafkaBootstrapServers,
        kafkaClientProperties,
        topics,
        null,
        null,
        influx,
        detectors,
        checkpointInterval);
  }

  /**
   * For services started on this machine (the demo and the tests start them with the {@code
   * services} module): no credentials, 2 partitions, bridge window 1000, parallelism 2, the
   * detectors' defaults, the database {@code streetsense}; checkpoints in a temporary directory
   * ({@link #withState} keeps them elsewhere).
   */
  public static PipelineSettings local(
      String mqttServerUri,
      String kafkaBootstrapServers,
      String influxUrl,
      Topics topics,
      Duration checkpointInterval,
      boolean restartOnFailure) {
    return new PipelineSettings(
        mqttServerUri,
        null,
        null,
        kafkaBootstrapServers,
        new Properties(),
        topics,
        2,
        InfluxDbSettings.of(influxUrl, "streetsense"),
        DetectorConfig.defaults(),
        checkpointInterval,
        1000,
        2,
        restartOnFailure);
  }

  @Override
  public String toString() {
    return "mqtt="
        + mqttServerUri
        + (mqttUsername == null ? "" : " (user " + mqttUsername + ")")
        + ", kafka="
        + kafkaBootstrapServers
        + ", influxdb="
        + influx.url()
        + "/"
        + influx.database()
        + ", topics="
        + topics.parking().replace("parking", "*");
  }
}
