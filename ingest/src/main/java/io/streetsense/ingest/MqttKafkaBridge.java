package io.streetsense.ingest;

import io.streetsense.schemas.PipelineTopics;
import io.streetsense.schemas.Topics;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT→Kafka bridge: subscribes to device topics at QoS 1 on a persistent MQTT 5 session,
 * validates each message, writes it to Kafka (valid → parking or camera topic, rejected → dead
 * letters), and acknowledges it to MQTT only after Kafka acknowledged the record.
 *
 * <pre>{@code
 * BlockMaps maps = BlockMapLoader.loadDirectory(Path.of("blockmaps"));
 * try (MqttKafkaBridge bridge = MqttKafkaBridge.start(config, DeviceDirectory.of(maps))) {
 *   bridge.awaitTermination();   // until close() from another thread, or a fatal Kafka error
 * }
 * }</pre>
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>At least once: an MQTT message is acknowledged only after Kafka ({@code acks=all},
 *       idempotent producer) holds its record. A crash before the acknowledgement makes the broker
 *       redeliver it: duplicates are possible, losses are not. The bridge never deduplicates.
 *   <li>Acknowledgements go out in arrival order (MQTT's rule), through an ordered queue.
 *   <li>Backpressure: at most {@code window} messages are unacknowledged; the broker is told the
 *       same as the MQTT 5 receive maximum.
 *   <li>Kafka failures are retried (first by the producer, then by re-sending) while MQTT
 *       acknowledgements wait; a non-retriable Kafka error stops the bridge loudly ({@link
 *       #state()} {@code FAILED}, {@link #failure()}, {@link #awaitTermination()} returns).
 *   <li>Each device's records go to one partition in order (key {@code blockId/deviceId}), with
 *       headers {@code mqtt.topic} and {@code received.at} (epoch milliseconds).
 * </ul>
 *
 * <p>MQTT connection: own reconnect loop with exponential backoff and jitter; each state change is
 * logged once (not every attempt). When the broker has no session for the client id any more
 * (expired, broker state lost) the bridge subscribes again.
 *
 * <p>Shutdown ({@link #close()}): stop taking messages (they stay in the broker's session), wait
 * until Kafka acknowledged everything in flight and MQTT got its acknowledgements, then disconnect
 * (the session and its subscriptions stay) and close the producer.
 */
public final class MqttKafkaBridge implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MqttKafkaBridge.class);

  /** The bridge's lifecycle. */
  public enum State {
    CONNECTING,
    CONNECTED,
    DISCONNECTED,
    FAILED,
    CLOSED
  }

  private final BridgeConfig config;
  private final Producer<byte[], byte[]> producer;
  private final BridgeMetrics metrics;
  private final Forwarder forwarder;
  private final MqttAsyncClient client;
  private final MqttConnectionOptions options;
  private final ScheduledExecutorService scheduler;
  private final AtomicLong generation = new AtomicLong();
  private final AtomicReference<State> state = new AtomicReference<>(State.CONNECTING);
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile boolean closing;
  private volatile boolean subscribedOnce;
  private volatile Instant disconnectedSince;
  private final Object closeLock = new Object();
  private boolean closed;

  private MqttKafkaBridge(
      BridgeConfig config, DeviceDirectory directory, Producer<byte[], byte[]> producer)
      throws MqttException {
    this.config = config;
    this.producer = producer;
    this.metrics = new BridgeMetrics(config.clock());
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ingest-bridge-" + config.mqttClientId());
              t.setDaemon(true);
              return t;
            });
    this.forwarder =
        new Forwarder(
            new MessageValidator(directory, config.clock(), config.limits()),
            producer,
            config.topics(),
            metrics,
            config.clock(),
            config.window(),
            config.deadLetterMaxPayloadBytes(),
            config.kafkaRetryMinBackoff(),
            config.kafkaRetryMaxBackoff(),
            scheduler,
            this::ack,
            this::onFatal);
    this.options = connectionOptions(config);
    this.client =
        new MqttAsyncClient(
            config.mqttServerUris().get(0), config.mqttClientId(), new MemoryPersistence());
    // Both before connect(): Paho drops (and never acknowledges) messages that arrive before a
    // callback is set, and a persistent session's backlog arrives right after CONNACK.
    client.setManualAcks(true);
    client.setCallback(new Callback());
  }

  /**
   * Starts a bridge with a Kafka producer built from the config: waits (up to {@link
   * BridgeConfig#startupTimeout()}) for the Kafka topics the pipeline creates and checks that they
   * are configured for their role ({@link PipelineTopics}), connects to MQTT (retrying until {@link
   * BridgeConfig#startupTimeout()}), subscribes, and returns while messages flow.
   *
   * @throws IllegalStateException when Kafka topics are missing or MQTT cannot be reached in time
   */
  public static MqttKafkaBridge start(BridgeConfig config, DeviceDirectory directory) {
    Objects.requireNonNull(config, "config");
    // Before a producer exists: a producer's metadata request for a missing topic lets a broker
    // with auto.create.topics.enable create it with its defaults. The bridge never creates its
    // topics; it waits for the pipeline's (up to the startup timeout) and checks them.
    Topics topics = config.topics();
    PipelineTopics.await(
        PipelineTopics.adminProperties(config.kafkaBootstrapServers(), config.kafkaProperties()),
        topics,
        List.of(topics.parking(), topics.camera(), topics.deadLetters()),
        1,
        config.startupTimeout(),
        () -> false);
    return start(config, directory, new KafkaProducer<>(config.kafkaProducerProperties()));
  }

  /** As {@link #start(BridgeConfig, DeviceDirectory)}, with a given producer (closed by close). */
  static MqttKafkaBridge start(
      BridgeConfig config, DeviceDirectory directory, Producer<byte[], byte[]> producer) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(directory, "directory");
    MqttKafkaBridge bridge = null;
    try {
      LOG.info("starting MQTT→Kafka bridge: {}", config);
      checkTopics(config, producer);
      bridge = new MqttKafkaBridge(config, directory, producer);
      bridge.connectFirstTime();
      return bridge;
    } catch (MqttException | RuntimeException e) {
      if (bridge != null) {
        bridge.closeQuietly();
      } else {
        producer.close(Duration.ZERO);
      }
      throw e instanceof RuntimeException re
          ? re
          : new IllegalStateException("cannot start the bridge: " + e, e);
    }
  }

  public BridgeConfig config() {
    return config;
  }

  public BridgeMetrics metrics() {
    return metrics;
  }

  public State state() {
    return state.get();
  }

  /** The error that stopped the bridge, if one did. */
  public Throwable failure() {
    return forwarder.failure();
  }

  /** Blocks until the bridge is closed or has failed. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  /** Blocks until the bridge is closed or has failed, at most {@code timeout}. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Waits (up to the startup timeout) until Kafka knows the three topics; fails clearly if not. */
  private static void checkTopics(BridgeConfig config, Producer<byte[], byte[]> producer) {
    long deadline = System.nanoTime() + config.startupTimeout().toNanos();
    for (String topic :
        List.of(
            config.topics().parking(), config.topics().camera(), config.topics().deadLetters())) {
      while (true) {
        RuntimeException problem;
        try {
          List<org.apache.kafka.common.PartitionInfo> partitions = producer.partitionsFor(topic);
          // Wait for every partition to have a leader too: a first send to a topic created a
          // moment ago can fail with NOT_LEADER_OR_FOLLOWER and leave the idempotent producer
          // retrying out-of-order sequences until delivery.timeout.ms, stalling in-order acks.
          if (!partitions.isEmpty() && partitions.stream().allMatch(pi -> pi.leader() != null)) {
            break;
          }
          problem =
              new IllegalStateException(
                  partitions.isEmpty() ? "no partitions" : "a partition has no leader yet");
        } catch (org.apache.kafka.common.KafkaException e) {
          problem = e;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kafka topic "
                  + topic
                  + " is not available at "
                  + config.kafkaBootstrapServers()
                  + " within "
                  + config.startupTimeout()
                  + " (create it first; the bridge does not auto-create topics): "
                  + problem.getMessage(),
              problem);
        }
        LOG.warn("waiting for Kafka topic {}: {}", topic, problem.getMessage());
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for Kafka", e);
        }
      }
    }
  }

  private static MqttConnectionOptions connectionOptions(BridgeConfig config) {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setServerURIs(config.mqttServerUris().toArray(String[]::new));
    o.setCleanStart(false);
    o.setSessionExpiryInterval(config.sessionExpiry().toSeconds());
    o.setReceiveMaximum(config.window());
    o.setKeepAliveInterval((int) Math.max(1, config.keepAlive().toSeconds()));
    o.setConnectionTimeout((int) Math.max(1, config.connectTimeout().toSeconds()));
    // Our own reconnect loop: it sees whether the broker kept the session.
    o.setAutomaticReconnect(false);
    // No maximum packet size: a broker silently drops what exceeds it. Oversized messages must
    // reach the validator to become dead letters.
    if (config.mqttUsername() != null) {
      o.setUserName(config.mqttUsername());
    }
    if (config.mqttPassword() != null) {
      o.setPassword(
          config.mqttPassword().reveal().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    if (config.mqttTrustStore() != null) {
      o.setSocketFactory(sslContext(config).getSocketFactory());
    }
    return o;
  }

  private static SSLContext sslContext(BridgeConfig config) {
    try (InputStream in = Files.newInputStream(config.mqttTrustStore())) {
      KeyStore store = KeyStore.getInstance(config.mqttTrustStoreType());
      char[] password =
          config.mqttTrustStorePassword() == null
              ? null
              : config.mqttTrustStorePassword().reveal().toCharArray();
      store.load(in, password);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "mqttTrustStore: cannot load " + config.mqttTrustStore() + ": " + e.getMessage(), e);
    }
  }

  private void connectFirstTime() throws MqttException {
    long deadline = System.nanoTime() + config.startupTimeout().toNanos();
    int attempt = 0;
    while (true) {
      generation.incrementAndGet();
      try {
        IMqttToken token = client.connect(options);
        token.waitForCompletion(config.connectTimeout().toMillis() + 5_000);
        onConnected(token.getSessionPresent(), attempt, true);
        return;
      } catch (MqttException e) {
        attempt++;
        long delay = backoffMillis(attempt);
        if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) > deadline) {
          throw new IllegalStateException(
              "cannot connect to MQTT "
                  + config.mqttServerUris()
                  + " within "
                  + config.startupTimeout()
                  + " ("
                  + attempt
                  + " attempts): "
                  + e,
              e);
        }
        if (attempt == 1) {
          LOG.warn(
              "MQTT {} not reachable yet ({}); retrying with backoff",
              config.mqttServerUris(),
              e.toString());
        }
        try {
          Thread.sleep(delay);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while connecting to MQTT", ie);
        }
      }
    }
  }

  /** After a successful connect; {@code waitForSubscription} only on the first, synchronous one. */
  private void onConnected(boolean sessionPresent, int failedAttempts, boolean first)
      throws MqttException {
    metrics.mqttConnected();
    state.set(State.CONNECTED);
    Instant since = disconnectedSince;
    disconnectedSince = null;
    if (first) {
      LOG.info(
          "MQTT connected to {} as {} (session {})",
          client.getCurrentServerURI(),
          config.mqttClientId(),
          sessionPresent ? "resumed" : "new");
    } else {
      LOG.info(
          "MQTT reconnected to {} after {} failed attempts and {} s down (session {})",
          client.getCurrentServerURI(),
          failedAttempts,
          since == null ? 0 : Duration.between(since, Instant.now()).toSeconds(),
          sessionPresent ? "resumed" : "lost: subscribing again");
    }
    if (!sessionPresent || !subscribedOnce) {
      // A resumed session keeps its subscriptions; subscribe anyway the first time in this process
      // so that changed filters take effect. Never wait when a session is resumed: the SUBACK
      // comes after the waiting backlog, which this thread may be needed to receive.
      boolean wait = first && !sessionPresent;
      subscribe(wait);
    }
  }

  private void subscribe(boolean wait) throws MqttException {
    List<String> filters = config.subscriptionFilters();
    MqttSubscription[] subscriptions = new MqttSubscription[filters.size()];
    for (int i = 0; i < subscriptions.length; i++) {
      subscriptions[i] = new MqttSubscription(filters.get(i), 1);
    }
    // The array variant without per-subscription listeners: messages go to the global callback
    // (the single-subscription listener variants recurse in Paho 1.2.5).
    IMqttToken token =
        client.subscribe(
            subscriptions,
            null,
            new MqttActionListener() {
              @Override
              public void onSuccess(IMqttToken asyncActionToken) {
                subscribedOnce = true;
                int[] codes = asyncActionToken.getReasonCodes();
                for (int i = 0; codes != null && i < codes.length && i < filters.size(); i++) {
                  if (codes[i] >= 0x80) {
                    LOG.error(
                        "MQTT broker refused subscription {} (reason code 0x{})",
                        filters.get(i),
                        Integer.toHexString(codes[i]));
                  }
                }
                LOG.info("subscribed at QoS 1 to {}", filters);
              }

              @Override
              public void onFailure(IMqttToken asyncActionToken, Throwable exception) {
                LOG.warn("MQTT subscribe to {} failed: {}", filters, String.valueOf(exception));
              }
            },
            new MqttProperties());
    if (wait) {
      token.waitForCompletion(config.connectTimeout().toMillis() + 5_000);
    }
  }

  private void onConnectionLost(Throwable cause) {
    generation.incrementAndGet();
    if (closing) {
      return;
    }
    if (state.compareAndSet(State.CONNECTED, State.DISCONNECTED)) {
      disconnectedSince = Instant.now();
      LOG.warn(
          "MQTT connection lost ({}); {} messages in flight will be redelivered by the broker;"
              + " reconnecting with backoff",
          String.valueOf(cause),
          forwarder.inFlight());
      scheduleReconnect(0);
    }
  }

  private void scheduleReconnect(int attempt) {
    if (closing) {
      return;
    }
    long delay = attempt == 0 ? config.reconnectMinBackoff().toMillis() : backoffMillis(attempt);
    try {
      scheduler.schedule(() -> reconnect(attempt), delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  private void reconnect(int attempt) {
    if (closing) {
      return;
    }
    generation.incrementAndGet();
    try {
      client.connect(
          options,
          null,
          new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
              try {
                onConnected(token.getSessionPresent(), attempt, false);
              } catch (MqttException e) {
                LOG.warn("MQTT subscribe after reconnect failed: {}", e.toString());
              }
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
              reconnectFailed(attempt, exception);
            }
          });
    } catch (MqttException e) {
      reconnectFailed(attempt, e);
    }
  }

  private void reconnectFailed(int attempt, Throwable error) {
    int failed = attempt + 1;
    // Log at 1, 10, 100, ... attempts: no storm while the broker is down.
    if (Long.toString(failed).matches("10*")) {
      LOG.warn("MQTT still disconnected after {} attempts: {}", failed, String.valueOf(error));
    } else {
      LOG.debug("MQTT reconnect attempt {} failed: {}", failed, String.valueOf(error));
    }
    scheduleReconnect(failed);
  }

  private long backoffMillis(int attempt) {
    long min = config.reconnectMinBackoff().toMillis();
    long max = config.reconnectMaxBackoff().toMillis();
    long base = Math.min(max, min << Math.min(20, Math.max(0, attempt - 1)));
    // Jitter: many bridges reconnecting to a restarted broker should not arrive together.
    return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
  }

  private void ack(int messageId, int qos, long messageGeneration) {
    if (qos == 0) {
      return;
    }
    if (messageGeneration != generation.get() || !client.isConnected()) {
      // The connection it arrived on is gone; the broker redelivers it on the next one.
      metrics.staleAckSkipped();
      return;
    }
    try {
      client.messageArrivedComplete(messageId, qos);
      metrics.mqttAcked();
    } catch (MqttException e) {
      metrics.staleAckSkipped();
      LOG.debug("PUBACK {} not sent: {}", messageId, e.toString());
    }
  }

  private void onFatal(Throwable error) {
    state.set(State.FAILED);
    closing = true;
    LOG.error(
        "bridge stopped: {}. Unacknowledged MQTT messages stay in the broker's session for the"
            + " next start",
        error.getMessage());
    scheduler.execute(
        () -> {
          disconnectQuietly();
          terminated.countDown();
        });
  }

  /**
   * Stops taking messages, waits (at most {@link BridgeConfig#shutdownTimeout()}) until every
   * message in flight is in Kafka and acknowledged to MQTT, then disconnects and closes the
   * producer. The MQTT session and its subscriptions stay on the broker.
   */
  @Override
  public void close() {
    synchronized (closeLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    closing = true;
    boolean drained = false;
    try {
      drained = forwarder.awaitDrained(config.shutdownTimeout());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!drained) {
      LOG.warn(
          "closing with {} messages not acknowledged to MQTT after {}; the broker redelivers them",
          forwarder.inFlight(),
          config.shutdownTimeout());
    }
    disconnectQuietly();
    closeQuietly();
    if (state.get() != State.FAILED) {
      state.set(State.CLOSED);
    }
    LOG.info("bridge closed: {}", metrics.snapshot());
    terminated.countDown();
  }

  private void disconnectQuietly() {
    try {
      if (client.isConnected()) {
        client.disconnect(config.connectTimeout().toMillis()).waitForCompletion();
      }
    } catch (MqttException e) {
      LOG.debug("MQTT disconnect: {}", e.toString());
      try {
        client.disconnectForcibly(0, 1000, false);
      } catch (MqttException ignored) {
        // already gone
      }
    }
  }

  private void closeQuietly() {
    scheduler.shutdownNow();
    try {
      client.close(true);
    } catch (MqttException e) {
      LOG.debug("MQTT client close: {}", e.toString());
    }
    producer.close(config.shutdownTimeout());
  }

  /** Paho's global callback: the only message listener (no per-subscription listeners). */
  private final class Callback implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse response) {
      onConnectionLost(
          response.getException() != null
              ? response.getException()
              : new IllegalStateException(
                  "broker sent DISCONNECT, reason code "
                      + response.getReturnCode()
                      + (response.getReasonString() == null
                          ? ""
                          : ": " + response.getReasonString())));
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      LOG.warn("MQTT error: {}", exception.toString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      if (closing) {
        return; // not acknowledged: stays in the broker's session
      }
      long messageGeneration = generation.get();
      try {
        forwarder.submit(
            topic,
            message.getPayload(),
            message.getId(),
            message.getQos(),
            messageGeneration,
            () -> closing || messageGeneration != generation.get() || !client.isConnected());
      } catch (InterruptedException e) {
        // Paho stops its callback thread on disconnect; the message is redelivered.
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
