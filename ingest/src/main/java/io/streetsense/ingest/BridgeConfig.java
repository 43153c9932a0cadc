package io.streetsense.ingest;

import io.streetsense.schemas.Topics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Everything an {@link MqttKafkaBridge} needs, validated when built. Immutable.
 *
 * <pre>{@code
 * BridgeConfig config = BridgeConfig.builder()
 *     .mqttServerUris(List.of("tcp://mqtt.example:1883"))
 *     .mqttClientId("streetsense-ingest-1")          // stable: it names the persistent session
 *     .sharedSubscriptionGroup("streetsense-ingest") // optional: scale out over several bridges
 *     .blocks(List.of("jiashan-lane", "lingyan-south"))
 *     .mqttUsername("bridge").mqttPassword(Secret.fromEnv("MQTT_PASSWORD"))
 *     .kafkaBootstrapServers("kafka:9092")
 *     .kafkaProperty("security.protocol", "SASL_SSL")
 *     .topics(Topics.defaults())
 *     .window(1000)
 *     .build();
 * }</pre>
 *
 * <p>The producer guarantees are not negotiable: {@code acks=all} and {@code
 * enable.idempotence=true} are always set, and pass-through properties that weaken them are
 * refused.
 */
public final class BridgeConfig {
  /** Default filters: every block's parking sensors and cameras. */
  public static final List<String> ALL_BLOCKS = List.of("blocks/+/parking/+", "blocks/+/camera/+");

  private static final Set<String> FIXED_KAFKA_KEYS =
      Set.of(
          ProducerConfig.ACKS_CONFIG,
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
          ProducerConfig.TRANSACTIONAL_ID_CONFIG);

  private final List<String> mqttServerUris;
  private final String mqttClientId;
  private final String sharedSubscriptionGroup;
  private final List<String> topicFilters;
  private final String mqttUsername;
  private final Secret mqttPassword;
  private final Path mqttTrustStore;
  private final Secret mqttTrustStorePassword;
  private final String mqttTrustStoreType;
  private final Duration sessionExpiry;
  private final Duration keepAlive;
  private final Duration connectTimeout;
  private final Duration reconnectMinBackoff;
  private final Duration reconnectMaxBackoff;
  private final String kafkaBootstrapServers;
  private final Map<String, String> kafkaProperties;
  private final Topics topics;
  private final int window;
  private final int deadLetterMaxPayloadBytes;
  private final Duration kafkaRetryMinBackoff;
  private final Duration kafkaRetryMaxBackoff;
  private final Duration startupTimeout;
  private final Duration shutdownTimeout;
  private final MessageValidator.Limits limits;
  private final Clock clock;

  private BridgeConfig(Builder b) {
    this.mqttServerUris = List.copyOf(require(b.mqttServerUris, "mqttServerUris"));
    if (mqttServerUris.isEmpty()) {
      throw new IllegalArgumentException("mqttServerUris: at least one MQTT server URI is needed");
    }
    for (String uri : mqttServerUris) {
      if (!uri.matches("(tcp|ssl|ws|wss)://.+")) {
        throw new IllegalArgumentException(
            "mqttServerUris: '" + uri + "' is not tcp://, ssl://, ws:// or wss://host:port");
      }
    }
    this.mqttClientId = require(b.mqttClientId, "mqttClientId");
    if (mqttClientId.isBlank()) {
      throw new IllegalArgumentException("mqttClientId must not be blank");
    }
    this.sharedSubscriptionGroup = b.sharedSubscriptionGroup;
    if (sharedSubscriptionGroup != null && !sharedSubscriptionGroup.matches("[^/+#]+")) {
      throw new IllegalArgumentException(
          "sharedSubscriptionGroup: '"
              + sharedSubscriptionGroup
              + "' must be non-empty without '/', '+' or '#'");
    }
    this.topicFilters = List.copyOf(b.topicFilters == null ? ALL_BLOCKS : b.topicFilters);
    if (topicFilters.isEmpty()) {
      throw new IllegalArgumentException("topicFilters: at least one topic filter is needed");
    }
    for (String filter : topicFilters) {
      if (filter.startsWith("$share/")) {
        throw new IllegalArgumentException(
            "topicFilters: '"
                + filter
                + "': give the plain filter and set sharedSubscriptionGroup instead of $share/");
      }
    }
    this.mqttUsername = b.mqttUsername;
    this.mqttPassword = b.mqttPassword;
    this.mqttTrustStore = b.mqttTrustStore;
    this.mqttTrustStorePassword = b.mqttTrustStorePassword;
    this.mqttTrustStoreType = require(b.mqttTrustStoreType, "mqttTrustStoreType");
    this.sessionExpiry = positive(b.sessionExpiry, "sessionExpiry");
    this.keepAlive = positive(b.keepAlive, "keepAlive");
    this.connectTimeout = positive(b.connectTimeout, "connectTimeout");
    this.reconnectMinBackoff = positive(b.reconnectMinBackoff, "reconnectMinBackoff");
    this.reconnectMaxBackoff = positive(b.reconnectMaxBackoff, "reconnectMaxBackoff");
    this.kafkaBootstrapServers = require(b.kafkaBootstrapServers, "kafkaBootstrapServers");
    for (String key : b.kafkaProperties.keySet()) {
      if (FIXED_KAFKA_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            "kafkaProperties: '"
                + key
                + "' is set by the bridge (acks=all, idempotence, serializers, bootstrap servers)"
                + " and cannot be passed through");
      }
    }
    this.kafkaProperties = Map.copyOf(b.kafkaProperties);
    this.topics = require(b.topics, "topics");
    if (b.window < 1 || b.window > 65_535) {
      throw new IllegalArgumentException(
          "window: " + b.window + " is outside 1..65535 (MQTT receive maximum)");
    }
    this.window = b.window;
    if (b.deadLetterMaxPayloadBytes < 1024) {
      throw new IllegalArgumentException(
          "deadLetterMaxPayloadBytes: " + b.deadLetterMaxPayloadBytes + " is below 1024");
    }
    this.deadLetterMaxPayloadBytes = b.deadLetterMaxPayloadBytes;
    this.kafkaRetryMinBackoff = positive(b.kafkaRetryMinBackoff, "kafkaRetryMinBackoff");
    this.kafkaRetryMaxBackoff = positive(b.kafkaRetryMaxBackoff, "kafkaRetryMaxBackoff");
    this.startupTimeout = positive(b.startupTimeout, "startupTimeout");
    this.shutdownTimeout = positive(b.shutdownTimeout, "shutdownTimeout");
    this.limits = require(b.limits, "limits");
    this.clock = require(b.clock, "clock");
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<String> mqttServerUris() {
    return mqttServerUris;
  }

  public String mqttClientId() {
    return mqttClientId;
  }

  /** The shared-subscription group, or null for a plain subscription. */
  public String sharedSubscriptionGroup() {
    return sharedSubscriptionGroup;
  }

  /** The plain topic filters, without any {@code $share/} prefix. */
  public List<String> topicFilters() {
    return topicFilters;
  }

  /** The filters as subscribed: with {@code $share/{group}/} when a group is set. */
  public List<String> subscriptionFilters() {
    if (sharedSubscriptionGroup == null) {
      return topicFilters;
    }
    List<String> shared = new ArrayList<>(topicFilters.size());
    for (String filter : topicFilters) {
      shared.add("$share/" + sharedSubscriptionGroup + "/" + filter);
    }
    return List.copyOf(shared);
  }

  public String mqttUsername() {
    return mqttUsername;
  }

  public Secret mqttPassword() {
    return mqttPassword;
  }

  public Path mqttTrustStore() {
    return mqttTrustStore;
  }

  public Secret mqttTrustStorePassword() {
    return mqttTrustStorePassword;
  }

  public String mqttTrustStoreType() {
    return mqttTrustStoreType;
  }

  public Duration sessionExpiry() {
    return sessionExpiry;
  }

  public Duration keepAlive() {
    return keepAlive;
  }

  public Duration connectTimeout() {
    return connectTimeout;
  }

  public Duration reconnectMinBackoff() {
    return reconnectMinBackoff;
  }

  public Duration reconnectMaxBackoff() {
    return reconnectMaxBackoff;
  }

  public String kafkaBootstrapServers() {
    return kafkaBootstrapServers;
  }

  /** The pass-through Kafka client properties (SASL, TLS, tuning), as given. */
  public Map<String, String> kafkaProperties() {
    return kafkaProperties;
  }

  public Topics topics() {
    return topics;
  }

  public int window() {
    return window;
  }

  public int deadLetterMaxPayloadBytes() {
    return deadLetterMaxPayloadBytes;
  }

  public Duration kafkaRetryMinBackoff() {
    return kafkaRetryMinBackoff;
  }

  public Duration kafkaRetryMaxBackoff() {
    return kafkaRetryMaxBackoff;
  }

  public Duration startupTimeout() {
    return startupTimeout;
  }

  public Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  public MessageValidator.Limits limits() {
    return limits;
  }

  public Clock clock() {
    return clock;
  }

  /**
   * The producer's properties: the bridge's defaults, then the pass-through properties, then the
   * fixed guarantees.
   */
  public Map<String, Object> kafkaProducerProperties() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "streetsense-ingest-" + mqttClientId);
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    // Long enough to ride out a broker restart inside the producer, which retries in order;
    // past it the bridge re-sends (see Forwarder).
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
    // send() blocks Paho's callback thread while topic metadata is missing (Kafka down): keep it
    // short, the bridge re-sends anyway, and a long block would starve MQTT keep-alives.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
    props.put(
        ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
        Integer.toString(Math.max(1 << 20, deadLetterMaxPayloadBytes + (64 << 10))));
    props.putAll(kafkaProperties);
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return props;
  }

  /** Safe to log: secrets and secret-looking Kafka properties are hidden. */
  @Override
  public String toString() {
    Map<String, String> kafka = new TreeMap<>();
    kafkaProperties.forEach((k, v) -> kafka.put(k, looksSecret(k) ? "<hidden>" : v));
    return "BridgeConfig{mqtt="
        + mqttServerUris
        + ", clientId="
        + mqttClientId
        + ", sharedGroup="
        + sharedSubscriptionGroup
        + ", filters="
        + topicFilters
        + ", username="
        + mqttUsername
        + ", password="
        + (mqttPassword == null ? "none" : "<hidden>")
        + ", trustStore="
        + mqttTrustStore
        + ", sessionExpiry="
        + sessionExpiry
        + ", keepAlive="
        + keepAlive
        + ", kafka="
        + kafkaBootstrapServers
        + ", kafkaProperties="
        + kafka
        + ", topics="
        + topics
        + ", window="
        + window
        + ", deadLetterMaxPayloadBytes="
        + deadLetterMaxPayloadBytes
        + ", limits="
        + limits
        + "}";
  }

  static boolean looksSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password")
        || k.contains("secret")
        || k.contains("jaas")
        || k.contains("token")
        || k.endsWith(".key")
        || k.contains("credential");
  }

  private static <T> T require(T value, String name) {
    return Objects.requireNonNull(value, name + " is required");
  }

  private static Duration positive(Duration value, String name) {
    require(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + ": " + value + " must be positive");
    }
    return value;
  }

  /** Builder with the defaults named on each setter. */
  public static final class Builder {
    private List<String> mqttServerUris;
    private String mqttClientId;
    private String sharedSubscriptionGroup;
    private List<String> topicFilters;
    private String mqttUsername;
    private Secret mqttPassword;
    private Path mqttTrustStore;
    private Secret mqttTrustStorePassword;
    private String mqttTrustStoreType = "PKCS12";
    private Duration sessionExpiry = Duration.ofDays(1);
    private Duration keepAlive = Duration.ofSeconds(30);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration reconnectMinBackoff = Duration.ofMillis(500);
    private Duration reconnectMaxBackoff = Duration.ofSeconds(30);
    private String kafkaBootstrapServers;
    private final Map<String, String> kafkaProperties = new LinkedHashMap<>();
    private Topics topics = Topics.defaults();
    private int window = 1000;
    private int deadLetterMaxPayloadBytes = 512 * 1024;
    private Duration kafkaRetryMinBackoff = Duration.ofMillis(500);
    private Duration kafkaRetryMaxBackoff = Duration.ofSeconds(30);
    private Duration startupTimeout = Duration.ofSeconds(60);
    private Duration shutdownTimeout = Duration.ofSeconds(30);
    private MessageValidator.Limits limits = MessageValidator.Limits.contract();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Required. Several URIs: Paho tries them in order (an HA pair of brokers). */
    public Builder mqttServerUris(List<String> uris) {
      this.mqttServerUris = uris;
      return this;
    }

    public Builder mqttServerUri(String uri) {
      return mqttServerUris(List.of(uri));
    }

    /** Required and stable across restarts: the broker keeps the persistent session under it. */
    public Builder mqttClientId(String clientId) {
      this.mqttClientId = clientId;
      return this;
    }

    /** MQTT 5 shared subscription group ({@code $share/{group}/...}); default none. */
    public Builder sharedSubscriptionGroup(String group) {
      this.sharedSubscriptionGroup = group;
      return this;
    }

    /** Topic filters; default {@link #ALL_BLOCKS}. */
    public Builder topicFilters(List<String> filters) {
      this.topicFilters = filters;
      return this;
    }

    /** Subscribe to these blocks only: {@code blocks/{id}/parking/+} and {@code .../camera/+}. */
    public Builder blocks(Collection<String> blockIds) {
      List<String> filters = new ArrayList<>();
      for (String id : blockIds) {
        if (id == null || !id.matches("[^/+#]+")) {
          throw new IllegalArgumentException("blocks: '" + id + "' is not a block id");
        }
        filters.add("blocks/" + id + "/parking/+");
        filters.add("blocks/" + id + "/camera/+");
      }
      return topicFilters(filters);
    }

    public Builder mqttUsername(String username) {
      this.mqttUsername = username;
      return this;
    }

    public Builder mqttPassword(Secret password) {
      this.mqttPassword = password;
      return this;
    }

    /** A trust store for {@code ssl://} brokers with a private CA; default the JDK's. */
    public Builder mqttTrustStore(Path trustStore, Secret password) {
      this.mqttTrustStore = trustStore;
      this.mqttTrustStorePassword = password;
      return this;
    }

    /** Default PKCS12. */
    public Builder mqttTrustStoreType(String type) {
      this.mqttTrustStoreType = type;
      return this;
    }

    /** How long the broker keeps the session (and queues messages) while the bridge is away. */
    public Builder sessionExpiry(Duration expiry) {
      this.sessionExpiry = expiry;
      return this;
    }

    /** Default 30 s. */
    public Builder keepAlive(Duration keepAlive) {
      this.keepAlive = keepAlive;
      return this;
    }

    /** Default 10 s. */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout;
      return this;
    }

    /** Reconnect backoff, doubling from min to max (default 500 ms .. 30 s). */
    public Builder reconnectBackoff(Duration min, Duration max) {
      this.reconnectMinBackoff = min;
      this.reconnectMaxBackoff = max;
      return this;
    }

    /** Required. */
    public Builder kafkaBootstrapServers(String servers) {
      this.kafkaBootstrapServers = servers;
      return this;
    }

    /** A Kafka producer property passed through (security.protocol, sasl.*, ssl.*, tuning). */
    public Builder kafkaProperty(String key, String value) {
      kafkaProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, key));
      return this;
    }

    public Builder kafkaProperties(Map<String, String> properties) {
      properties.forEach(this::kafkaProperty);
      return this;
    }

    /** Default {@link Topics#defaults()}. */
    public Builder topics(Topics topics) {
      this.topics = topics;
      return this;
    }

    /**
     * Messages received but not yet acknowledged (default 1000): the MQTT receive maximum and the
     * bridge's own semaphore.
     */
    public Builder window(int window) {
      this.window = window;
      return this;
    }

    /** Rejected payloads above this are truncated in the dead letter (default 512 KiB). */
    public Builder deadLetterMaxPayloadBytes(int bytes) {
      this.deadLetterMaxPayloadBytes = bytes;
      return this;
    }

    /** Backoff of the bridge's own re-sends after Kafka gave up (default 500 ms .. 30 s). */
    public Builder kafkaRetryBackoff(Duration min, Duration max) {
      this.kafkaRetryMinBackoff = min;
      this.kafkaRetryMaxBackoff = max;
      return this;
    }

    /** How long {@link MqttKafkaBridge#start} tries the first MQTT connection (default 60 s). */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = timeout;
      return this;
    }

    /** How long {@link MqttKafkaBridge#close()} waits for in-flight messages (default 30 s). */
    public Builder shutdownTimeout(Duration timeout) {
      this.shutdownTimeout = timeout;
      return this;
    }

    /** Validation limits; default {@link MessageValidator.Limits#contract()}. */
    public Builder limits(MessageValidator.Limits limits) {
      this.limits = limits;
      return this;
    }

    /** The receive-time clock; default UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    public BridgeConfig build() {
      return new BridgeConfig(this);
    }
  }
}
