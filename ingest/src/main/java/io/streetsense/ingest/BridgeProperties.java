package io.streetsense.ingest;

import io.streetsense.schemas.Topics;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a {@link BridgeConfig} from a Java properties file. Every key is listed in {@link #KEYS}
 * with its meaning; unknown keys are errors (a typo must not silently fall back to a default). Any
 * value may be {@code ${env:NAME}} or {@code ${file:/path}}, which is how secrets come in: never on
 * the command line, never logged. Errors name the file, the key and (unless the key holds a secret)
 * the value.
 */
public final class BridgeProperties {
  /** Prefix of Kafka producer properties passed through as they are (SASL, TLS, tuning). */
  public static final String KAFKA_PRODUCER_PREFIX = "kafka.producer.";

  /** Every key with its description, in the order {@code --help} prints them. */
  public static final Map<String, String> KEYS = keys();

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{(env|file):([^}]+)}");

  private final Path file;
  private final Map<String, String> values;

  private BridgeProperties(Path file, Map<String, String> values) {
    this.file = file;
    this.values = values;
  }

  private static Map<String, String> keys() {
    Map<String, String> k = new LinkedHashMap<>();
    k.put("mqtt.uris", "required; comma-separated tcp://host:port or ssl://host:port");
    k.put("mqtt.client.id", "required; stable across restarts: it names the persistent session");
    k.put("mqtt.shared.group", "MQTT 5 shared-subscription group to split load over bridges");
    k.put("mqtt.blocks", "comma-separated block ids to subscribe to (default: all blocks)");
    k.put("mqtt.topic.filters", "comma-separated topic filters instead of mqtt.blocks");
    k.put("mqtt.username", "MQTT user name");
    k.put("mqtt.password", "MQTT password: use ${env:NAME} or ${file:/path}");
    k.put("mqtt.truststore.path", "trust store for ssl:// brokers with a private CA");
    k.put("mqtt.truststore.password", "its password: ${env:NAME} or ${file:/path}");
    k.put("mqtt.truststore.type", "default PKCS12");
    k.put("mqtt.session.expiry", "ISO-8601 duration the broker keeps the session; default P1D");
    k.put("mqtt.keepalive", "default PT30S");
    k.put("mqtt.connect.timeout", "default PT10S");
    k.put("mqtt.reconnect.backoff.min", "default PT0.5S");
    k.put("mqtt.reconnect.backoff.max", "default PT30S");
    k.put("kafka.bootstrap.servers", "required");
    k.put("kafka.topic.prefix", "default " + Topics.DEFAULT_PREFIX);
    k.put(KAFKA_PRODUCER_PREFIX + "*", "passed to the Kafka producer (security.protocol, sasl.*)");
    k.put("bridge.window", "unacknowledged messages at most (MQTT receive maximum); default 1000");
    k.put("bridge.deadletter.max.payload.bytes", "larger rejected payloads are truncated");
    k.put("bridge.kafka.retry.backoff.min", "default PT0.5S");
    k.put("bridge.kafka.retry.backoff.max", "default PT30S");
    k.put("bridge.startup.timeout", "default PT60S");
    k.put("bridge.shutdown.timeout", "default PT30S");
    k.put("bridge.metrics.log.interval", "how often a metrics line is logged; default PT60S");
    k.put("blockmaps", "required; comma-separated block-map files or directories");
    return java.util.Collections.unmodifiableMap(k);
  }

  /** Reads and checks the file: unknown keys and unresolvable references are errors. */
  public static BridgeProperties load(Path file) {
    Properties raw = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      raw.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read bridge config " + file, e);
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (String key : new TreeSet<>(raw.stringPropertyNames())) {
      if (!KEYS.containsKey(key) && !key.startsWith(KAFKA_PRODUCER_PREFIX)) {
        throw new IllegalArgumentException(
            file + ": unknown key '" + key + "' (see --help for the keys)");
      }
      values.put(key, resolve(file, key, raw.getProperty(key).trim()));
    }
    return new BridgeProperties(file, values);
  }

  private static String resolve(Path file, String key, String value) {
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      try {
        replacement =
            "env".equals(m.group(1))
                ? Secret.fromEnv(m.group(2)).reveal()
                : Secret.fromFile(Path.of(m.group(2))).reveal();
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(file + ": key '" + key + "': " + e.getMessage(), e);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  public Path file() {
    return file;
  }

  /** The raw (resolved) value, or null. */
  public String get(String key) {
    return values.get(key);
  }

  /** The block-map files or directories. */
  public List<Path> blockMaps() {
    return list("blockmaps", true).stream().map(Path::of).toList();
  }

  public Duration metricsLogInterval() {
    return duration("bridge.metrics.log.interval", Duration.ofSeconds(60));
  }

  /** The bridge's config; the clock and limits are the defaults. */
  public BridgeConfig toConfig() {
    BridgeConfig.Builder b = BridgeConfig.builder();
    b.mqttServerUris(list("mqtt.uris", true));
    b.mqttClientId(required("mqtt.client.id"));
    b.sharedSubscriptionGroup(values.get("mqtt.shared.group"));
    if (values.containsKey("mqtt.blocks") && values.containsKey("mqtt.topic.filters")) {
      throw new IllegalArgumentException(
          file + ": set mqtt.blocks or mqtt.topic.filters, not both");
    }
    if (values.containsKey("mqtt.blocks")) {
      b.blocks(list("mqtt.blocks", true));
    } else if (values.containsKey("mqtt.topic.filters")) {
      b.topicFilters(list("mqtt.topic.filters", true));
    }
    b.mqttUsername(values.get("mqtt.username"));
    if (values.containsKey("mqtt.password")) {
      b.mqttPassword(Secret.of(values.get("mqtt.password")));
    }
    if (values.containsKey("mqtt.truststore.path")) {
      String password = values.get("mqtt.truststore.password");
      b.mqttTrustStore(
          Path.of(values.get("mqtt.truststore.path")),
          password == null ? null : Secret.of(password));
    }
    if (values.containsKey("mqtt.truststore.type")) {
      b.mqttTrustStoreType(values.get("mqtt.truststore.type"));
    }
    b.sessionExpiry(duration("mqtt.session.expiry", Duration.ofDays(1)));
    b.keepAlive(duration("mqtt.keepalive", Duration.ofSeconds(30)));
    b.connectTimeout(duration("mqtt.connect.timeout", Duration.ofSeconds(10)));
    b.reconnectBackoff(
        duration("mqtt.reconnect.backoff.min", Duration.ofMillis(500)),
        duration("mqtt.reconnect.backoff.max", Duration.ofSeconds(30)));
    b.kafkaBootstrapServers(required("kafka.bootstrap.servers"));
    b.topics(Topics.withPrefix(values.getOrDefault("kafka.topic.prefix", Topics.DEFAULT_PREFIX)));
    values.forEach(
        (key, value) -> {
          if (key.startsWith(KAFKA_PRODUCER_PREFIX)) {
            b.kafkaProperty(key.substring(KAFKA_PRODUCER_PREFIX.length()), value);
          }
        });
    b.window(integer("bridge.window", 1000));
    b.deadLetterMaxPayloadBytes(integer("bridge.deadletter.max.payload.bytes", 512 * 1024));
    b.kafkaRetryBackoff(
        duration("bridge.kafka.retry.backoff.min", Duration.ofMillis(500)),
        duration("bridge.kafka.retry.backoff.max", Duration.ofSeconds(30)));
    b.startupTimeout(duration("bridge.startup.timeout", Duration.ofSeconds(60)));
    b.shutdownTimeout(duration("bridge.shutdown.timeout", Duration.ofSeconds(30)));
    try {
      return b.build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private String required(String key) {
    String value = values.get(key);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(file + ": key '" + key + "' is required");
    }
    return value;
  }

  private List<String> list(String key, boolean required) {
    String value = required ? required(key) : values.get(key);
    return value == null
        ? List.of()
        : Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private Duration duration(String key, Duration fallback) {
    return parse(key, fallback, Duration::parse, "an ISO-8601 duration such as PT30S");
  }

  private int integer(String key, int fallback) {
    return parse(key, fallback, Integer::parseInt, "an integer");
  }

  private <T> T parse(String key, T fallback, Function<String, T> parser, String expected) {
    String value = values.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return parser.apply(value);
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          file
              + ": key '"
              + key
              + "': '"
              + (BridgeConfig.looksSecret(key) ? "<hidden>" : value)
              + "' is not "
              + expected);
    }
  }
}
