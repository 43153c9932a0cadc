package io.streetsense.app;

import io.streetsense.schemas.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * The Kafka cluster and the pipeline's topic names, as {@code run}, {@code job} and {@code views}
 * take them. Security settings (SASL, TLS) come from a client properties file, whose secrets can
 * stay in files of their own through Kafka's config providers.
 */
public final class KafkaOptions {
  @Option(names = "--kafka", description = "Kafka bootstrap servers, host:port[,host:port...].")
  String bootstrapServers;

  @Option(
      names = "--kafka-properties",
      paramLabel = "FILE",
      description = "Properties file passed to every Kafka client (SASL, TLS, ...).")
  Path propertiesFile;

  @Option(
      names = "--topic-prefix",
      defaultValue = Topics.DEFAULT_PREFIX,
      description = "Prefix of the Kafka topics. Default: ${DEFAULT-VALUE}.")
  String topicPrefix;

  /** The bootstrap servers; a clear error when none were given. */
  public String bootstrapServers() {
    return ServiceOptions.require(bootstrapServers, "--kafka");
  }

  /** The client properties from {@code --kafka-properties}, empty without it. */
  public Properties clientProperties() throws IOException {
    Properties properties = new Properties();
    if (propertiesFile != null) {
      try (Reader in = Files.newBufferedReader(propertiesFile, StandardCharsets.UTF_8)) {
        properties.load(in);
      }
    }
    return properties;
  }

  public Topics topics() {
    return Topics.withPrefix(topicPrefix);
  }
}
