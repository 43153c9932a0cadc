package io.streetsense.simulator;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes device messages over MQTT 5 at QoS 1 with Paho's asynchronous client, as fast as the
 * broker acknowledges them, without ever dropping one.
 *
 * <p>Flow control: up to {@code maxInflight} messages are unacknowledged at a time (Paho's default
 * of 10 caps QoS 1 throughput). The window is a semaphore taken before each publish and given back
 * by the delivery callback, so {@link #send} blocks while the window is full instead of getting
 * Paho's "too many publishes in progress" error; the window shrinks to the broker's {@code Receive
 * Maximum} when the broker announces a smaller one. Connection losses: Paho reconnects by itself
 * with the session kept ({@code cleanStart=false}), resends what was in flight, and {@link #send}
 * waits for the connection meanwhile. The first failed delivery is kept and rethrown, with its
 * topic, from the next {@code send} or {@code flush}.
 *
 * <pre>{@code
 * try (MqttPublisher mqtt = MqttPublisher.connect("tcp://127.0.0.1:1883", "sim-1", 1000)) {
 *   scenario.messages().forEach(m -> mqtt.send(m));
 *   mqtt.flush(Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class MqttPublisher implements MessageSink {
  private static final Logger LOG = LoggerFactory.getLogger(MqttPublisher.class);

  /** Default unacknowledged-message window. */
  public static final int DEFAULT_MAX_INFLIGHT = 1000;

  /** How long {@link #send} waits for a lost connection to come back before failing. */
  private static final Duration RECONNECT_PATIENCE = Duration.ofMinutes(2);

  private final MqttAsyncClient client;
  private final int window;
  private final Semaphore slots;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong windowRetries = new AtomicLong();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private volatile boolean closed;

  private MqttPublisher(MqttAsyncClient client, int window) {
    this.client = client;
    this.window = window;
    this.slots = new Semaphore(window);
  }

  /**
   * Connects to the broker.
   *
   * @param serverUri e.g. {@code tcp://127.0.0.1:1883}
   * @param clientId the MQTT client id; {@code null} for a random one
   * @param maxInflight unacknowledged messages at a time, 1..65535
   * @throws MqttException when the broker cannot be reached
   */
  public static MqttPublisher connect(String serverUri, String clientId, int maxInflight)
      throws MqttException {
    Objects.requireNonNull(serverUri, "serverUri");
    if (maxInflight < 1 || maxInflight > 65_535) {
      throw new IllegalArgumentException("maxInflight must be within 1..65535, got " + maxInflight);
    }
    String id = clientId != null ? clientId : "streetsense-sim-" + UUID.randomUUID();
    MqttAsyncClient client = new MqttAsyncClient(serverUri, id, new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    // Keep the session across reconnects so in-flight messages are resent, not lost.
    options.setCleanStart(false);
    options.setSessionExpiryInterval(600L);
    options.setAutomaticReconnect(true);
    options.setAutomaticReconnectDelay(1, 10);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    // Paho 1.2.5 takes its outgoing in-flight limit from this value.
    options.setReceiveMaximum(maxInflight);
    IMqttToken token;
    try {
      token = client.connect(options);
      token.waitForCompletion(15_000);
    } catch (MqttException e) {
      client.close(true);
      throw e;
    }
    int window = maxInflight;
    Integer brokerMax =
        token.getResponseProperties() == null
            ? null
            : token.getResponseProperties().getReceiveMaximum();
    if (brokerMax != null && brokerMax > 0 && brokerMax < window) {
      LOG.info("Broker {} accepts {} unacknowledged messages at a time", serverUri, brokerMax);
      window = brokerMax;
    }
    LOG.info("Connected to {} as {} (window {})", serverUri, id, window);
    return new MqttPublisher(client, window);
  }

  @Override
  public void send(DeviceMessage message) throws InterruptedException {
    Objects.requireNonNull(message, "message");
    while (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
      checkUsable();
    }
    checkUsable();
    long waitingSince = System.nanoTime();
    while (true) {
      try {
        client.publish(message.topic(), message.payload(), 1, false, message, listener);
        sent.incrementAndGet();
        return;
      } catch (MqttException e) {
        if (!retriable(e)) {
          slots.release();
          throw new IllegalStateException("could not publish to " + message.topic(), e);
        }
        if (System.nanoTime() - waitingSince > RECONNECT_PATIENCE.toNanos()) {
          slots.release();
          throw new IllegalStateException(
              "no connection to the broker for "
                  + RECONNECT_PATIENCE
                  + ", publishing "
                  + message.topic(),
              e);
        }
        if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
          windowRetries.incrementAndGet();
          Thread.onSpinWait();
        } else {
          Thread.sleep(100);
        }
        checkUsable();
      }
    }
  }

  private static boolean retriable(MqttException e) {
    int code = e.getReasonCode();
    return code == MqttClientException.REASON_CODE_MAX_INFLIGHT
        || code == MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED
        || code == MqttClientException.REASON_CODE_CONNECTION_LOST
        || code == MqttClientException.REASON_CODE_CONNECT_IN_PROGRESS;
  }

  private final MqttActionListener listener =
      new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          delivered.incrementAndGet();
          slots.release();
        }

        @Override
        public void onFailure(IMqttToken token, Throwable cause) {
          Object context = token.getUserContext();
          String topic = context instanceof DeviceMessage m ? m.topic() : "?";
          failure.compareAndSet(
              null, new IllegalStateException("delivery to " + topic + " failed", cause));
          slots.release();
        }
      };

  private void checkUsable() {
    RuntimeException failed = failure.get();
    if (failed != null) {
      throw failed;
    }
    if (closed) {
      throw new IllegalStateException("publisher is closed");
    }
  }

  @Override
  public boolean flush(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      RuntimeException failed = failure.get();
      if (failed != null) {
        throw failed;
      }
      long left = deadline - System.nanoTime();
      if (slots.tryAcquire(window, Math.min(left, 100_000_000L), TimeUnit.NANOSECONDS)) {
        slots.release(window);
        return true;
      }
      if (left <= 0 || closed) {
        return false;
      }
    }
  }

  /** Messages handed to Paho. */
  public long sent() {
    return sent.get();
  }

  @Override
  public long delivered() {
    return delivered.get();
  }

  /**
   * Publishes Paho refused with "too many publishes in progress" and that were retried: its own
   * count of unacknowledged messages lags the delivery callbacks by a moment.
   */
  public long windowRetries() {
    return windowRetries.get();
  }

  /** Unacknowledged messages right now. */
  public int inFlight() {
    return window - slots.availablePermits();
  }

  /**
   * Disconnects, after waiting up to 5 s for messages in flight. Idempotent. To wait longer, call
   * {@link #flush} first.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    try {
      flush(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException e) {
      LOG.warn("Closing after a failed delivery: {}", e.getMessage());
    }
    closed = true;
    try {
      if (client.isConnected()) {
        client.disconnect(5_000).waitForCompletion(6_000);
      }
    } catch (MqttException e) {
      LOG.debug("Disconnect failed", e);
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      LOG.debug("Close failed", e);
    }
    LOG.info(
        "Disconnected after {} messages sent, {} delivered ({} window retries)",
        sent.get(),
        delivered.get(),
        windowRetries.get());
  }
}
