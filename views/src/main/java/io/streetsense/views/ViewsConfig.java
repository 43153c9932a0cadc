package io.streetsense.views;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;

/**
 * Everything {@link ViewsServer} needs, validated when built.
 *
 * <pre>{@code
 * ViewsConfig config = ViewsConfig.builder()
 *     .kafkaBootstrap("127.0.0.1:9092")
 *     .topics(Topics.defaults())
 *     .tokens(TokenRegistry.load(Path.of("tokens.properties")))
 *     .httpPort(8080)
 *     .mqttUri("tcp://127.0.0.1:1883")      // optional: no push without it
 *     .stateDir(Path.of("views-state"))     // the push marker lives here
 *     .build();
 * }</pre>
 */
public final class ViewsConfig {
  private final String kafkaBootstrap;
  private final Properties kafkaProperties;
  private final Topics topics;
  private final String httpHost;
  private final int httpPort;
  private final TokenRegistry tokens;
  private final String mqttUri;
  private final String mqttClientId;
  private final String mqttUsername;
  private final String mqttPassword;
  private final Path stateDir;
  private final HttpApi.Settings http;
  private final BlockMaps blockMaps;
  private final DeviceHealth.Settings deviceHealth;

  private ViewsConfig(Builder b) {
    this.blockMaps = b.blockMaps;
    this.deviceHealth = b.deviceHealth;
    this.kafkaBootstrap = require(b.kafkaBootstrap, "kafkaBootstrap");
    this.kafkaProperties = new Properties();
    this.kafkaProperties.putAll(b.kafkaProperties);
    checkKafkaSecurity(kafkaProperties);
    this.topics = Objects.requireNonNull(b.topics, "topics");
    this.httpHost = require(b.httpHost, "httpHost");
    if (b.httpPort < 0 || b.httpPort > 65535) {
      throw new IllegalArgumentException(
          "httpPort must be 0..65535 (0 = any free port): " + b.httpPort);
    }
    this.httpPort = b.httpPort;
    this.tokens = Objects.requireNonNull(b.tokens, "tokens");
    this.mqttUri = b.mqttUri == null || b.mqttUri.isBlank() ? null : b.mqttUri.strip();
    if (mqttUri != null
        && !(mqttUri.startsWith("tcp://")
            || mqttUri.startsWith("ssl://")
            || mqttUri.startsWith("ws://")
            || mqttUri.startsWith("wss://"))) {
      throw new IllegalArgumentException(
          "mqttUri must start with tcp://, ssl://, ws:// or wss://: " + mqttUri);
    }
    this.mqttClientId =
        b.mqttClientId != null
            ? b.mqttClientId
            : "streetsense-views-" + UUID.randomUUID().toString().substring(0, 8);
    this.mqttUsername = b.mqttUsername;
    this.mqttPassword = b.mqttPassword;
    this.stateDir = Objects.requireNonNull(b.stateDir, "stateDir");
    this.http =
        new HttpApi.Settings(
            b.maxBodyBytes, b.open311Public, b.actionTimeout, b.clock, b.writeLimit);
  }

  /**
   * SASL settings with a protocol that does not use them would connect without authenticating
   * (Kafka ignores {@code sasl.*} under PLAINTEXT and SSL): refused here, naming the keys.
   */
  static void checkKafkaSecurity(Properties kafka) {
    String protocol = kafka.getProperty("security.protocol", "PLAINTEXT").strip();
    boolean sasl = protocol.toUpperCase(java.util.Locale.ROOT).startsWith("SASL_");
    for (String key : kafka.stringPropertyNames()) {
      if (key.startsWith("sasl.") && !sasl) {
        throw new IllegalArgumentException(
            "Kafka setting '"
                + key
                + "' is given but security.protocol is "
                + protocol
                + ": set security.protocol=SASL_SSL (or SASL_PLAINTEXT on a trusted network)");
      }
    }
  }

  /** security.protocol and sasl.mechanism, for logs; never a password or JAAS line. */
  String kafkaSecurity() {
    String protocol = kafkaProperties.getProperty("security.protocol", "PLAINTEXT");
    String mechanism = kafkaProperties.getProperty("sasl.mechanism");
    return protocol.toUpperCase(java.util.Locale.ROOT).startsWith("SASL_")
        ? protocol + "/" + (mechanism == null ? "GSSAPI" : mechanism)
        : protocol;
  }

  private static String require(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " is required");
    }
    return value.strip();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The blocks the console maps, and whose devices it watches; null: none. */
  public BlockMaps blockMaps() {
    return blockMaps;
  }

  public DeviceHealth.Settings deviceHealth() {
    return deviceHealth;
  }

  /** Kafka client properties: bootstrap plus the pass-through (security) settings. */
  public Properties kafka() {
    Properties props = new Properties();
    props.putAll(kafkaProperties);
    props.put("bootstrap.servers", kafkaBootstrap);
    return props;
  }

  public Topics topics() {
    return topics;
  }

  public String httpHost() {
    return httpHost;
  }

  public int httpPort() {
    return httpPort;
  }

  public TokenRegistry tokens() {
    return tokens;
  }

  /** Null when MQTT push is off. */
  public String mqttUri() {
    return mqttUri;
  }

  public String mqttClientId() {
    return mqttClientId;
  }

  public String mqttUsername() {
    return mqttUsername;
  }

  String mqttPassword() {
    return mqttPassword;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** Where the MQTT push marker is kept. */
  public Path pushMarkerFile() {
    return stateDir.resolve("push-offsets.properties");
  }

  public HttpApi.Settings http() {
    return http;
  }

  @Override
  public String toString() {
    // No secrets: tokens, the MQTT password and the Kafka client settings (JAAS lines, key store
    // passwords) are left out; only the Kafka protocol and SASL mechanism are named.
    return "ViewsConfig[kafka="
        + kafkaBootstrap
        + " ("
        + kafkaSecurity()
        + ")"
        + ", topics="
        + topics.workOrders()
        + "/"
        + topics.actions()
        + ", http="
        + httpHost
        + ":"
        + httpPort
        + ", tokens="
        + tokens.size()
        + ", writeLimit="
        + http.writeLimit()
        + ", maxBody="
        + http.maxBodyBytes()
        + ", mqtt="
        + (mqttUri == null ? "off" : mqttUri)
        + ", stateDir="
        + stateDir
        + "]";
  }

  /** Builder; see {@link ViewsConfig}. */
  public static final class Builder {
    private String kafkaBootstrap;
    private final Properties kafkaProperties = new Properties();
    private Topics topics = Topics.defaults();
    private String httpHost = "127.0.0.1";
    private int httpPort = 8080;
    private TokenRegistry tokens;
    private String mqttUri;
    private String mqttClientId;
    private String mqttUsername;
    private String mqttPassword;
    private Path stateDir = Path.of("streetsense-views-state");
    private int maxBodyBytes = 16 * 1024;
    private boolean open311Public;
    private Duration actionTimeout = Duration.ofSeconds(10);
    private WriteRateLimiter.Limit writeLimit = WriteRateLimiter.Limit.defaults();
    private Clock clock = Clock.systemUTC();
    private BlockMaps blockMaps;
    private DeviceHealth.Settings deviceHealth = DeviceHealth.Settings.defaults();

    private Builder() {}

    /**
     * The block maps: the console draws every zone and watches the devices on the camera and
     * parking topics. Without them it maps only zones that have orders and shows no device health.
     */
    public Builder blockMaps(BlockMaps maps) {
      this.blockMaps = maps;
      return this;
    }

    /** When a camera or sensor counts as offline, and the low-battery mark. */
    public Builder deviceHealth(DeviceHealth.Settings settings) {
      this.deviceHealth = Objects.requireNonNull(settings, "deviceHealth");
      return this;
    }

    public Builder kafkaBootstrap(String bootstrap) {
      this.kafkaBootstrap = bootstrap;
      return this;
    }

    /** Extra Kafka client settings (security.protocol, sasl.*, ssl.*), passed through. */
    public Builder kafkaProperties(Properties properties) {
      this.kafkaProperties.putAll(Objects.requireNonNull(properties, "properties"));
      return this;
    }

    public Builder topics(Topics topics) {
      this.topics = Objects.requireNonNull(topics, "topics");
      return this;
    }

    /** Address to listen on; default 127.0.0.1 (put a TLS proxy in front for the street). */
    public Builder httpHost(String host) {
      this.httpHost = host;
      return this;
    }

    /** Port to listen on; 0 picks a free one ({@link ViewsServer#port()} tells which). */
    public Builder httpPort(int port) {
      this.httpPort = port;
      return this;
    }

    public Builder tokens(TokenRegistry tokens) {
      this.tokens = tokens;
      return this;
    }

    /** MQTT broker for pushes to teams; null or blank turns the push off. */
    public Builder mqttUri(String uri) {
      this.mqttUri = uri;
      return this;
    }

    public Builder mqttClientId(String clientId) {
      this.mqttClientId = clientId;
      return this;
    }

    public Builder mqttCredentials(String username, String password) {
      this.mqttUsername = username;
      this.mqttPassword = password;
      return this;
    }

    public Builder stateDir(Path dir) {
      this.stateDir = dir;
      return this;
    }

    /**
     * Write calls (accept, resolve, reject, note, reroute, cancel, escalate) per bearer token:
     * {@code perMinute} on average, {@code burst} at once; beyond, 429 with Retry-After. Default 60
     * a minute, bursts of 20; {@code perMinute} 0 turns the limit off.
     */
    public Builder writeRateLimit(int perMinute, int burst) {
      this.writeLimit = new WriteRateLimiter.Limit(perMinute, burst);
      return this;
    }

    /** Largest request body in bytes (default 16 KiB, at least 256); 413 beyond. */
    public Builder maxBodyBytes(int bytes) {
      this.maxBodyBytes = bytes;
      return this;
    }

    /** Serve Open311 without a token (open data); default: an operations token is required. */
    public Builder open311Public(boolean open) {
      this.open311Public = open;
      return this;
    }

    /** How long an action request waits for Kafka's acknowledgement before answering 503. */
    public Builder actionTimeout(Duration timeout) {
      this.actionTimeout = Objects.requireNonNull(timeout, "actionTimeout");
      return this;
    }

    /** Stamps requestedAt of actions. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public ViewsConfig build() {
      return new ViewsConfig(this);
    }
  }
}
