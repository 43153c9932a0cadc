package io.streetsense.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.services.MosquittoBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load generator's own MQTT publisher against a real Mosquitto. */
class RawMqttPublisherIT {
  @TempDir Path dir;

  @Test
  void everyPublishArrivesOnceAndIsAcknowledgedWithItsContext() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.builder().start(dir)) {
      MqttClient subscriber =
          new MqttClient(broker.serverUri(), "raw-it-sub", new MemoryPersistence());
      MqttConnectOptions o = new MqttConnectOptions();
      o.setMaxInflight(1000);
      subscriber.connect(o);
      List<String> received = new CopyOnWriteArrayList<>();
      subscriber.subscribe(
          "blocks/#",
          1,
          (topic, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
      AtomicLong acked = new AtomicLong();
      AtomicLong contextSum = new AtomicLong();
      int n = 5000;
      try (RawMqttPublisher p =
          new RawMqttPublisher(
              broker.serverUri(),
              "raw-it-pub",
              100,
              context -> {
                acked.incrementAndGet();
                contextSum.addAndGet((long) context);
              })) {
        byte[] topic = "blocks/b/camera/c".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < n; i++) {
          p.publish(topic, ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8), i);
          if (i % 37 == 0) {
            p.flush();
          }
        }
        assertTrue(p.awaitAcks(30_000), "all acknowledged");
        assertEquals(0, p.unacknowledged());
      }
      assertEquals(n, acked.get());
      assertEquals((long) n * (n - 1) / 2, contextSum.get(), "each context came back once");
      long deadline = System.currentTimeMillis() + 30_000;
      while (received.size() < n && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(n, received.size());
      assertEquals("{\"i\":0}", received.get(0));
      assertEquals("{\"i\":" + (n - 1) + "}", received.get(n - 1));
      subscriber.disconnect();
    }
  }
}
