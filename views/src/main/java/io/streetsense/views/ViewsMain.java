package io.streetsense.views;

import io.streetsense.schemas.Topics;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the views service on its own: {@code ViewsMain --help}. */
@Command(
    name = "streetsense-views",
    mixinStandardHelpOptions = true,
    description = {
      "The people-facing views of StreetSense: the enforcement teams' HTTP API (/teams/v1), the"
          + " operations centre's commands (/ops/v1), Open311 GeoReport v2 (/open311/v2) and the"
          + " MQTT push of dispatched orders to teams/{teamId}/workorders.",
      "",
      "Secrets never go on the command line: tokens come from --tokens-file or the environment"
          + " variable STREETSENSE_VIEWS_TOKENS (same format, lines or commas: teamId=token,"
          + " ops:user=token); the MQTT password from STREETSENSE_MQTT_PASSWORD; Kafka security"
          + " settings from --kafka-config."
    },
    sortOptions = false)
public final class ViewsMain implements Callable<Integer> {
  static final String TOKENS_ENV = "STREETSENSE_VIEWS_TOKENS";
  static final String MQTT_PASSWORD_ENV = "STREETSENSE_MQTT_PASSWORD";

  @Option(
      names = "--kafka-bootstrap",
      required = true,
      paramLabel = "HOST:PORT",
      description = "Kafka bootstrap servers.")
  String kafkaBootstrap;

  @Option(
      names = "--kafka-config",
      paramLabel = "FILE",
      description =
          "Properties file of Kafka client settings for this service's principal"
              + " (security.protocol, sasl.mechanism, sasl.jaas.config, ssl.truststore.*),"
              + " passed to each of its Kafka clients. Keep secrets out of it with Kafka's config"
              + " providers, e.g. config.providers=file and"
              + " sasl.jaas.config=$${file:/run/secrets/kafka.properties:sasl.jaas.config}.")
  Path kafkaConfig;

  @Option(
      names = "--topic-prefix",
      defaultValue = Topics.DEFAULT_PREFIX,
      description = "Prefix of the pipeline's topics (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(
      names = "--http-host",
      defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; put a TLS proxy in front).")
  String httpHost;

  @Option(
      names = "--http-port",
      defaultValue = "8080",
      description = "HTTP port, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(
      names = "--tokens-file",
      paramLabel = "FILE",
      description =
          "Bearer tokens, one 'teamId=token' or 'ops:user=token' a line. Without it: $"
              + TOKENS_ENV
              + ".")
  Path tokensFile;

  @Option(
      names = "--mqtt-uri",
      paramLabel = "URI",
      description =
          "MQTT broker for pushes to teams, e.g. tcp://127.0.0.1:1883 (ssl:// for TLS)."
              + " Without it nothing is pushed.")
  String mqttUri;

  @Option(names = "--mqtt-client-id", description = "MQTT client id (default: random).")
  String mqttClientId;

  @Option(
      names = "--mqtt-username",
      description = "MQTT user name; the password comes from $" + MQTT_PASSWORD_ENV + ".")
  String mqttUsername;

  @Option(
      names = "--state-dir",
      defaultValue = "streetsense-views-state",
      description = "Where the MQTT push marker is kept (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(
      names = "--write-rate-per-minute",
      defaultValue = "60",
      description =
          "Write calls (accept, resolve, reject, reroute, cancel) a minute per bearer token, on"
              + " average; beyond: 429 with Retry-After. 0 = no limit (default: ${DEFAULT-VALUE}).")
  int writeRatePerMinute;

  @Option(
      names = "--write-burst",
      defaultValue = "20",
      description = "Write calls a token may make at once (default: ${DEFAULT-VALUE}).")
  int writeBurst;

  @Option(
      names = "--max-body-bytes",
      defaultValue = "16384",
      description = "Largest request body; 413 beyond (default: ${DEFAULT-VALUE}).")
  int maxBodyBytes;

  @Option(
      names = "--open311-public",
      description = "Serve Open311 without a token (default: an operations token is required).")
  boolean open311Public;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ViewsMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    ViewsConfig config =
        ViewsConfig.builder()
            .kafkaBootstrap(kafkaBootstrap)
            .kafkaProperties(kafkaProperties())
            .topics(Topics.withPrefix(topicPrefix))
            .httpHost(httpHost)
            .httpPort(httpPort)
            .tokens(tokens())
            .mqttUri(mqttUri)
            .mqttClientId(mqttClientId)
            .mqttCredentials(mqttUsername, System.getenv(MQTT_PASSWORD_ENV))
            .stateDir(stateDir)
            .open311Public(open311Public)
            .writeRateLimit(writeRatePerMinute, writeBurst)
            .maxBodyBytes(maxBodyBytes)
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    ViewsServer server = ViewsServer.start(config);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "views-shutdown"));
    System.out.println("StreetSense views on http://" + httpHost + ":" + server.port());
    if (server.awaitReady(Duration.ofMinutes(5))) {
      System.out.println(
          "work-order view loaded: " + server.view().size() + " orders; Ctrl-C stops");
    }
    stopped.await();
    return 0;
  }

  private Properties kafkaProperties() throws IOException {
    Properties props = new Properties();
    if (kafkaConfig != null) {
      try (Reader in = Files.newBufferedReader(kafkaConfig, StandardCharsets.UTF_8)) {
        props.load(in);
      }
    }
    return props;
  }

  private TokenRegistry tokens() {
    if (tokensFile != null) {
      return TokenRegistry.load(tokensFile);
    }
    String env = System.getenv(TOKENS_ENV);
    if (env == null || env.isBlank()) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "no tokens: give --tokens-file FILE or set $" + TOKENS_ENV);
    }
    return TokenRegistry.parse(env, "$" + TOKENS_ENV);
  }
}
