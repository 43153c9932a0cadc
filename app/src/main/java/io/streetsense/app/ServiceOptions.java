package io.streetsense.app;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.schemas.Topics;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the pipeline's services are, for {@code run} and {@code job}. Every option can also come
 * from a properties file ({@code --config FILE}, keys are the long option names without dashes,
 * e.g. {@code kafka=broker-1:9092}). Passwords and tokens never come from the command line: they
 * are read from environment variables or files, so they stay out of shell history and process
 * listings.
 */
final class ServiceOptions {
  @Option(
      names = "--mqtt",
      description = "MQTT broker the devices publish to, e.g. tcp://mqtt:1883 or ssl://mqtt:8883.")
  String mqtt;

  @Option(
      names = "--mqtt-user",
      description =
          "MQTT user name; the password comes from $STREETSENSE_MQTT_PASSWORD or --mqtt-password-file.")
  String mqttUser;

  @Option(names = "--mqtt-password-file", description = "File holding the MQTT password.")
  Path mqttPasswordFile;

  @Option(names = "--kafka", description = "Kafka bootstrap servers, host:port[,host:port...].")
  String kafka;

  @Option(
      names = "--kafka-properties",
      description = "Properties file passed to every Kafka client (SASL, TLS, ...).")
  Path kafkaProperties;

  @Mixin InfluxOptions influx;

  @Option(names = "--blockmaps", description = "Folder of block-map YAML files (one per block).")
  Path blockMaps;

  @Option(
      names = "--topic-prefix",
      defaultValue = Topics.DEFAULT_PREFIX,
      description = "Prefix of the Kafka topics. Default: ${DEFAULT-VALUE}.")
  String topicPrefix;

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

  BlockMaps loadBlockMaps() {
    return BlockMapLoader.loadDirectory(require(blockMaps, "--blockmaps"));
  }

  PipelineSettings settings() throws IOException {
    return new PipelineSettings(
        require(mqtt, "--mqtt"),
        mqttUser,
        secret("STREETSENSE_MQTT_PASSWORD", mqttPasswordFile),
        require(kafka, "--kafka"),
        kafkaClientProperties(),
        Topics.withPrefix(topicPrefix),
        partitions,
        influxSettings(),
        DetectorConfig.defaults(),
        checkpointInterval,
        bridgeWindow,
        parallelism,
        true);
  }

  /**
   * What the Flink job alone needs: no MQTT. {@code consumerGroup} and {@code
   * transactionalIdPrefix} name the job to Kafka (null: the defaults).
   */
  StreetSenseJob.Settings jobSettings(String consumerGroup, String transactionalIdPrefix)
      throws IOException {
    return new StreetSenseJob.Settings(
        require(kafka, "--kafka"),
        kafkaClientProperties(),
        Topics.withPrefix(topicPrefix),
        consumerGroup,
        transactionalIdPrefix,
        influxSettings(),
        DetectorConfig.defaults(),
        checkpointInterval);
  }

  InfluxDbSettings influxSettings() throws IOException {
    return influx.settings();
  }

  Properties kafkaClientProperties() throws IOException {
    Properties properties = new Properties();
    if (kafkaProperties != null) {
      try (var in = Files.newBufferedReader(kafkaProperties)) {
        properties.load(in);
      }
    }
    return properties;
  }

  private static String secret(String environmentVariable, Path file) throws IOException {
    if (file != null) {
      return Files.readString(file).strip();
    }
    return System.getenv(environmentVariable);
  }

  private static <T> T require(T value, String option) {
    if (value == null) {
      throw new IllegalArgumentException(
          option + " is required (on the command line or in the --config file)");
    }
    return value;
  }
}
