package io.streetsense.app;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the pipeline's services are, for {@code run} and {@code job}. Every option can also come
 * from a properties file ({@code --config FILE}, keys are the long option names without dashes,
 * e.g. {@code kafka=broker-1:9092}). Passwords and tokens never come from the command line: they
 * are read from environment variables or files, so they stay out of shell history and process
 * listings.
 */
public final class ServiceOptions {
  @Mixin MqttOptions mqtt;

  @Mixin KafkaOptions kafka;

  @Mixin InfluxOptions influx;

  @Mixin StateOptions state;

  @Option(names = "--blockmaps", description = "Folder of block-map YAML files (one per block).")
  Path blockMaps;

  @Option(
      names = "--partitions",
      defaultValue = "4",
      description = "Partitions of topics the pipeline creates. Default: ${DEFAULT-VALUE}.")
  int partitions;

  @Option(
      names = "--checkpoint-interval",
      defaultValue = "PT5S",
      description =
          "How often the job checkpoints, and so how soon work orders are committed. Default: ${DEFAULT-VALUE}.")
  Duration checkpointInterval;

  @Option(
      names = "--parallelism",
      defaultValue = "2",
      description = "Flink parallelism. Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(
      names = "--bridge-window",
      defaultValue = "1000",
      description =
          "MQTT messages the bridge holds unacknowledged while Kafka confirms them. Default: ${DEFAULT-VALUE}.")
  int bridgeWindow;

  public BlockMaps loadBlockMaps() {
    return BlockMapLoader.loadDirectory(require(blockMaps, "--blockmaps"));
  }

  /** The whole pipeline's settings: bridge (MQTT) and job. */
  public PipelineSettings settings() throws IOException {
    return new PipelineSettings(
        require(mqtt.uri(), "--mqtt"),
        mqtt.user(),
        mqtt.password(),
        kafka.bootstrapServers(),
        kafka.clientProperties(),
        kafka.topics(),
        partitions,
        influx.settings(),
        DetectorConfig.defaults(),
        checkpointInterval,
        bridgeWindow,
        parallelism,
        true,
        state.settings());
  }

  /** Where the job keeps its checkpoints on a local cluster, and what it resumes from. */
  public StateOptions state() {
    return state;
  }

  /**
   * What the Flink job alone needs: no MQTT. {@code consumerGroup} and {@code
   * transactionalIdPrefix} name the job to Kafka (null: the defaults).
   */
  public StreetSenseJob.Settings jobSettings(String consumerGroup, String transactionalIdPrefix)
      throws IOException {
    return new StreetSenseJob.Settings(
        kafka.bootstrapServers(),
        kafka.clientProperties(),
        kafka.topics(),
        consumerGroup,
        transactionalIdPrefix,
        influx.settings(),
        DetectorConfig.defaults(),
        checkpointInterval);
  }

  public MqttOptions mqtt() {
    return mqtt;
  }

  public KafkaOptions kafka() {
    return kafka;
  }

  /** Partitions of the topics the pipeline creates. */
  public int partitions() {
    return partitions;
  }

  /** The Flink job's parallelism. */
  public int parallelism() {
    return parallelism;
  }

  /** {@code value}, or a clear error naming the missing option. */
  public static <T> T require(T value, String option) {
    if (value == null) {
      throw new IllegalArgumentException(
          option + " is required (on the command line or in the --config file)");
    }
    return value;
  }
}
