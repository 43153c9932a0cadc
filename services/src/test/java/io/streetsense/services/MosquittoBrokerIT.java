package io.streetsense.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MosquittoBrokerIT {
  @TempDir Path workDir;

  @Test
  void shouldRoundTripAQos1Message() throws Exception {
    try (MosquittoBroker mqtt = MosquittoBroker.start(workDir)) {
      assertEquals("tcp://127.0.0.1:" + mqtt.port(), mqtt.serverUri());
      String topic = "it/" + UUID.randomUUID();
      MqttRecorder subscriber = MqttRecorder.subscribe(mqtt.serverUri(), topic);

      publish(mqtt, topic, "hello");

      assertEquals(List.of("hello"), subscriber.take(1));
      subscriber.close();
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
      MqttRecorder first = MqttRecorder.connect(mqtt.serverUri(), clientId, false);
      first.subscribe(topic);
      first.close();

      for (int i = 0; i < 5; i++) {
        publish(mqtt, topic, "m" + i);
      }
      MqttRecorder second = MqttRecorder.connect(mqtt.serverUri(), clientId, false);
      assertEquals(List.of("m0", "m1", "m2", "m3", "m4"), second.take(5));
      second.close();

      for (int i = 5; i < 10; i++) {
        publish(mqtt, topic, "m" + i);
      }
      int port = mqtt.port();
      mqtt.stop(); // graceful: Mosquitto writes sessions and queued messages to disk
      assertFalse(mqtt.isRunning());
      mqtt.start();
      assertEquals(port, mqtt.port());

      MqttRecorder third = MqttRecorder.connect(mqtt.serverUri(), clientId, false);
      assertEquals(List.of("m5", "m6", "m7", "m8", "m9"), third.take(5));
      third.close();
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
      MqttRecorder subscriber = MqttRecorder.subscribe(mqtt.serverUri(), topic);
      publish(mqtt, topic, "back");
      assertEquals(List.of("back"), subscriber.take(1));
      subscriber.close();
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
}
