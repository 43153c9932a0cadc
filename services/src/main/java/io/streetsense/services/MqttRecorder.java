package io.streetsense.services;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A QoS 1 subscriber (Paho, MQTT 5) that records every message it receives as text, in arrival
 * order and per topic: what a test reads back of what reached the broker. Its callback is set
 * before it connects (Paho 1.2.5 drops what arrives before), it subscribes with the array form
 * ({@code subscribe(String, int, listener)} overflows the stack in 1.2.5), and it takes up to 1000
 * messages in flight (Mosquitto's window for a fast publisher).
 */
public final class MqttRecorder implements MqttCallback, AutoCloseable {
  private static final long WAIT_MS = 10_000;

  private final MqttAsyncClient client;
  private final BlockingQueue<String> arrived = new LinkedBlockingQueue<>();
  private final Map<String, List<String>> byTopic = new ConcurrentHashMap<>();
  private final AtomicLong count = new AtomicLong();

  private MqttRecorder(MqttAsyncClient client) {
    this.client = client;
  }

  /** A fresh clean-start client, subscribed to {@code filter}. */
  public static MqttRecorder subscribe(String serverUri, String filter) throws MqttException {
    MqttRecorder recorder = connect(serverUri, "it-sub-" + UUID.randomUUID(), true);
    recorder.subscribe(filter);
    return recorder;
  }

  /**
   * Connects as {@code clientId}; without {@code cleanStart} the broker keeps the session (its
   * subscriptions and queued messages) for an hour after a disconnect.
   */
  public static MqttRecorder connect(String serverUri, String clientId, boolean cleanStart)
      throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    MqttRecorder recorder = new MqttRecorder(client);
    client.setCallback(recorder);
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(cleanStart);
    options.setSessionExpiryInterval(cleanStart ? 0L : 3600L);
    options.setReceiveMaximum(1000);
    client.connect(options).waitForCompletion(WAIT_MS);
    return recorder;
  }

  /** Subscribes to {@code filter} at QoS 1. */
  public void subscribe(String filter) throws MqttException {
    client
        .subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)})
        .waitForCompletion(WAIT_MS);
  }

  /**
   * The next {@code n} messages in arrival order, each waited for up to 10 s; fewer when one does
   * not come.
   */
  public List<String> take(int n) throws InterruptedException {
    List<String> out = new ArrayList<>();
    while (out.size() < n) {
      String next = arrived.poll(WAIT_MS, TimeUnit.MILLISECONDS);
      if (next == null) {
        break;
      }
      out.add(next);
    }
    return out;
  }

  /**
   * How many messages have arrived once {@code expected} have or {@code timeout} has passed, and
   * half a second more for any extra (duplicates) to arrive.
   */
  public long awaitCount(long expected, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (count.get() < expected && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    Thread.sleep(500);
    return count.get();
  }

  /** Every message received so far, per topic in arrival order. */
  public Map<String, List<String>> byTopic() {
    return byTopic;
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    String text = new String(message.getPayload(), StandardCharsets.UTF_8);
    byTopic.computeIfAbsent(topic, t -> Collections.synchronizedList(new ArrayList<>())).add(text);
    count.incrementAndGet();
    arrived.add(text);
  }

  @Override
  public void disconnected(MqttDisconnectResponse response) {}

  @Override
  public void mqttErrorOccurred(MqttException exception) {}

  @Override
  public void deliveryComplete(IMqttToken token) {}

  @Override
  public void connectComplete(boolean reconnect, String serverUri) {}

  @Override
  public void authPacketArrived(int reasonCode, MqttProperties properties) {}

  /** Disconnects (a session kept by the broker stays) and closes the client. */
  @Override
  public void close() throws MqttException {
    client.disconnect().waitForCompletion(5_000);
    client.close();
  }
}
