package io.streetsense.cli;

import io.streetsense.app.KafkaOptions;
import io.streetsense.app.MqttOptions;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.views.TokenRegistry;
import io.streetsense.views.ViewsConfig;
import io.streetsense.views.ViewsServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The views' own options, shared by {@code views} and {@code run} (where the views start only when
 * {@code --views-port} is given). Where the views find Kafka and MQTT comes from the same {@code
 * --kafka}, {@code --topic-prefix} and {@code --mqtt} options as the pipeline's, so one {@code
 * --config} file serves both.
 */
final class ViewsOptions {
  static final String TOKENS_VARIABLE = "STREETSENSE_VIEWS_TOKENS";
  static final int DEFAULT_PORT = 8080;

  @Option(
      names = "--views-host",
      defaultValue = "127.0.0.1",
      description =
          "Address the views listen on. Default: ${DEFAULT-VALUE} (put a TLS proxy in front).")
  String host;

  @Option(
      names = "--views-port",
      paramLabel = "PORT",
      description =
          "HTTP port of the views, 0 for any free one. 'views' default: "
              + DEFAULT_PORT
              + "; 'run' serves the views only when it is given.")
  Integer port;

  @Option(
      names = "--tokens-file",
      paramLabel = "FILE",
      description =
          "Bearer tokens, one 'teamId=token' or 'ops:user=token' a line. Without it: $"
              + TOKENS_VARIABLE
              + ".")
  Path tokensFile;

  @Option(
      names = "--views-mqtt-client-id",
      description = "MQTT client id of the push to teams. Default: a random one.")
  String mqttClientId;

  @Option(
      names = "--views-state-dir",
      defaultValue = "streetsense-views-state",
      description = "Where the MQTT push keeps its marker. Default: ${DEFAULT-VALUE}.")
  Path stateDir;

  @Option(
      names = "--write-rate-per-minute",
      defaultValue = "60",
      description =
          "Write calls (accept, resolve, reject, note, reroute, cancel, escalate) a minute per"
              + " bearer token, on average; beyond: 429 with Retry-After. 0 = no limit. Default:"
              + " ${DEFAULT-VALUE}.")
  int writeRatePerMinute;

  @Option(
      names = "--write-burst",
      defaultValue = "20",
      description = "Write calls a token may make at once. Default: ${DEFAULT-VALUE}.")
  int writeBurst;

  @Option(
      names = "--max-body-bytes",
      defaultValue = "16384",
      description = "Largest request body; 413 beyond. Default: ${DEFAULT-VALUE}.")
  int maxBodyBytes;

  @Option(
      names = "--open311-public",
      description = "Serve Open311 without a token (default: an operations token is required).")
  boolean open311Public;

  boolean portGiven() {
    return port != null;
  }

  /**
   * Starts the views on the pipeline's Kafka topics, pushing to teams over {@code mqtt} when it
   * names a broker, and prints where they listen.
   */
  ViewsServer start(KafkaOptions kafka, MqttOptions mqtt) throws IOException, InterruptedException {
    return start(kafka, mqtt, null);
  }

  /**
   * As {@link #start(KafkaOptions, MqttOptions)}, with the block maps the operations-centre console
   * draws (every zone) and whose devices it watches; null: zones only where orders are.
   */
  ViewsServer start(KafkaOptions kafka, MqttOptions mqtt, BlockMaps maps)
      throws IOException, InterruptedException {
    ViewsConfig config =
        ViewsConfig.builder()
            .kafkaBootstrap(kafka.bootstrapServers())
            .kafkaProperties(kafka.clientProperties())
            .topics(kafka.topics())
            .httpHost(host)
            .httpPort(port != null ? port : DEFAULT_PORT)
            .tokens(tokens())
            .mqttUri(mqtt.uri())
            .mqttClientId(mqttClientId)
            .mqttCredentials(mqtt.user(), mqtt.password())
            .stateDir(stateDir)
            .open311Public(open311Public)
            .writeRateLimit(writeRatePerMinute, writeBurst)
            .maxBodyBytes(maxBodyBytes)
            .blockMaps(maps)
            .build();
    ViewsServer server = ViewsServer.start(config);
    System.out.println(
        "StreetSense views on http://"
            + host
            + ":"
            + server.port()
            + " (console: /console, teams: /teams/v1, operations: /ops/v1, Open311: /open311/v2)"
            + (mqtt.uri() == null ? "" : "; pushing to teams on " + mqtt.uri()));
    if (server.awaitReady(Duration.ofMinutes(5))) {
      System.out.println("work-order view loaded: " + server.view().size() + " orders");
    }
    return server;
  }

  private TokenRegistry tokens() {
    if (tokensFile != null) {
      return TokenRegistry.load(tokensFile);
    }
    String tokens = System.getenv(TOKENS_VARIABLE);
    if (tokens == null || tokens.isBlank()) {
      throw new IllegalArgumentException(
          "no tokens for the views: give --tokens-file FILE or set $" + TOKENS_VARIABLE);
    }
    return TokenRegistry.parse(tokens, "$" + TOKENS_VARIABLE);
  }
}
