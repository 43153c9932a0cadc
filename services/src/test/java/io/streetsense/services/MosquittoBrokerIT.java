package io.streetsense.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MosquittoBrokerIT {
  @TempDir Path workDir;

  @Test
  void shouldRoundTripAQos1Message() throws Exception {
    try (MosquittoBroker mqtt = MosquittoBroker.start(workDir)) {
      assertEquals("tcp://127.0.0.1:" + mqtt.port(), mqtt.serverUri());
      String topic = "it/" + UUID.randomUUID();
      Subscriber subscriber = Subscriber.connect(mqtt, "sub-" + UUID.randomUUID(), true);
      subscriber.subscribe(topic);

      publish(mqtt, topic, "hello");

      assertEquals(List.of("hello"), subscriber.take(1));
      subscriber.disconnect();
    }
  }

  @Test
  void shouldDeliverToAPersistentSessionAfterReconnectAndAcrossABrokerRestart() throws Exception {
    try (MosquittoBroker mqtt =
        MosquittoBroker.builder()
            .maxQueuedMessages(10_000)
            .maxInflightMessages(50)
            .start(workDir)) {
      assertTrue(
          Files.readString(workDir.resolve("mosquitto.conf")).contains("max_inflight_messages 50"));
      String topic = "it/" + UUID.randomUUID();
      String clientId = "bridge-" + UUID.randomUUID();
      Subscriber first = Subscriber.connect(mqtt, clientId, false);
      first.subscribe(topic);
      first.disconnect();

      for (int i = 0; i < 5; i++) {
        publish(mqtt, topic, "m" + i);
      }
      Subscriber second = Subscriber.connect(mqtt, clientId, false);
      assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), second.take(5));
      second.disconnect();

      for (int i = 5; i < 10; i++) {
        publish(mqtt, topic, "m" + i);
      }
      int port = mqtt.port();
      mqtt.stop(); // graceful: Mosquitto writes sessions and queued messages to disk
      assertFalse(mqtt.isRunning());
      mqtt.start();
      assertEquals(port, mqtt.port());

      Subscriber third = Subscriber.connect(mqtt, clientId, false);
      assertEquals(List.of("m5", "m6", "m7", "m8", "m9"), third.take(5));
      third.disconnect();
    }
  }

  @Test
  void shouldComeBackOnTheSamePortAfterKill() throws Exception {
    try (MosquittoBroker mqtt = MosquittoBroker.start(workDir)) {
      String uri = mqtt.serverUri();
      mqtt.kill();
      assertFalse(mqtt.isRunning());
      mqtt.start();
      assertEquals(uri, mqtt.serverUri());
      String topic = "it/" + UUID.randomUUID();
      Subscriber subscriber = Subscriber.connect(mqtt, "sub-" + UUID.randomUUID(), true);
      subscriber.subscribe(topic);
      publish(mqtt, topic, "back");
      assertEquals(List.of("back"), subscriber.take(1));
      subscriber.disconnect();
    }
  }

  private static void publish(MqttService mqtt, String topic, String payload) throws MqttException {
    MqttClient publisher =
        new MqttClient(mqtt.serverUri(), "pub-" + UUID.randomUUID(), new MemoryPersistence());
    publisher.connect();
    publisher.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    publisher.disconnect();
    publisher.close();
  }

  /** A Paho v5 subscriber whose callback is set before connecting (see STACK.md). */
  private static final class Subscriber implements MqttCallback {
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final MqttClient client;

    private Subscriber(MqttClient client) {
      this.client = client;
    }

    static Subscriber connect(MqttService mqtt, String clientId, boolean cleanStart)
        throws MqttException {
      MqttClient client = new MqttClient(mqtt.serverUri(), clientId, new MemoryPersistence());
      Subscriber subscriber = new Subscriber(client);
      client.setCallback(subscriber);
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(cleanStart);
      options.setSessionExpiryInterval(cleanStart ? 0L : 3600L);
      client.connect(options);
      return subscriber;
    }

    void subscribe(String topic) throws MqttException {
      // subscribe(String, int, listener) overflows the stack in Paho 1.2.5: use the array form.
      client.subscribe(new MqttSubscription[] {new MqttSubscription(topic, 1)});
    }

    List<String> take(int n) throws InterruptedException {
      List<String> out = new ArrayList<>();
      while (out.size() < n) {
        String next = received.poll(10, TimeUnit.SECONDS);
        if (next == null) {
          break;
        }
        out.add(next);
      }
      return out;
    }

    void disconnect() throws MqttException {
      client.disconnect();
      client.close();
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
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
  }
}
