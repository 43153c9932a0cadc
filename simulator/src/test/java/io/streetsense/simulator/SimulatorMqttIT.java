package io.streetsense.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.services.MosquittoBroker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishes simulated streets to a real Mosquitto; a Paho subscriber must get every message. */
class SimulatorMqttIT {
  @TempDir static Path work;
  private static MosquittoBroker broker;

  @BeforeAll
  static void startBroker() {
    // Mosquitto announces max_inflight_messages as its Receive Maximum, and Paho obeys it: allow
    // the publisher's whole window.
    broker = MosquittoBroker.builder().maxInflightMessages(1000).start(work.resolve("mosquitto"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  /** A QoS 1 subscriber that records every message per topic, in arrival order. */
  private static final class Recorder implements MqttCallback, AutoCloseable {
    final Map<String, List<String>> byTopic = new ConcurrentHashMap<>();
    final AtomicLong count = new AtomicLong();
    final MqttAsyncClient client;

    Recorder(String serverUri, String filter) throws MqttException {
      client =
          new MqttAsyncClient(serverUri, "it-sub-" + UUID.randomUUID(), new MemoryPersistence());
      // Set before connecting: Paho 1.2.5 drops what arrives before the callback is set.
      client.setCallback(this);
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      options.setReceiveMaximum(1000);
      client.connect(options).waitForCompletion(10_000);
      // The array form: subscribe(String, int, listener) overflows the stack in 1.2.5.
      client
          .subscribe(new MqttSubscription[] {new MqttSubscription(filter, 1)})
          .waitForCompletion(10_000);
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      byTopic
          .computeIfAbsent(topic, t -> java.util.Collections.synchronizedList(new ArrayList<>()))
          .add(new String(message.getPayload(), StandardCharsets.UTF_8));
      count.incrementAndGet();
    }

    long awaitCount(long expected, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (count.get() < expected && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(500); // anything extra (duplicates) would arrive now
      return count.get();
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

    @Override
    public void close() throws MqttException {
      client.disconnect().waitForCompletion(5_000);
      client.close();
    }
  }

  private static Map<String, List<String>> expectedByTopic(List<DeviceMessage> messages) {
    Map<String, List<String>> out = new HashMap<>();
    for (DeviceMessage m : messages) {
      out.computeIfAbsent(m.topic(), t -> new ArrayList<>())
          .add(new String(m.payload(), StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void aSubscriberReceivesEveryMessageOfAFewSimulatedMinutesExactlyOnce() throws Exception {
    Duration duration = Duration.ofMinutes(4);
    // 4 simulated minutes at 120x: about 2 s of wall time, ending now.
    SimulatedClock clock = SimulatedClock.endingNow(duration, 120);
    StreetScenario scenario =
        StreetScenario.builder(TestMaps.jiashan())
            .duration(duration)
            .heartbeat(Duration.ofMinutes(1))
            .event(
                IllegalStall.seenByAll(
                    "JS-Z-NV1", Duration.ofMinutes(1), Duration.ofMinutes(3), "stall"))
            .build()
            .startingAt(clock.simStart());
    List<DeviceMessage> expected = scenario.messages().toList();
    List<Long> progress = new ArrayList<>();
    StreetSimulator.Result result;
    try (Recorder recorder = new Recorder(broker.serverUri(), "blocks/jiashan-lane/#")) {
      try (StreetSimulator sim =
          new StreetSimulator(
              MqttPublisher.connect(broker.serverUri(), null, 1000),
              clock,
              Clock.systemUTC(),
              Duration.ofMillis(500))) {
        result = sim.run(scenario.iterator(), (sent, simTime) -> progress.add(sent));
      }
      assertEquals(expected.size(), result.sent());
      assertEquals(expected.size(), result.delivered());
      assertTrue(
          result.wallTime().compareTo(Duration.ofMillis(1900)) >= 0,
          "paced: took " + result.wallTime());
      assertFalse(result.lastEventTime().isAfter(Instant.now()), "no timestamp in the future");
      assertTrue(progress.size() >= 2, "progress reported while running: " + progress);

      assertEquals(expected.size(), recorder.awaitCount(expected.size(), Duration.ofSeconds(30)));
      // Same messages, byte for byte, and in order per device.
      assertEquals(expectedByTopic(expected), recorder.byTopic);
    }
  }

  @Test
  void asFastAsPossibleTheWholeDemoArrives() throws Exception {
    SimulatedClock clock = SimulatedClock.endingNow(Scenarios.DEMO_DURATION, 0);
    StreetScenario demo = Scenarios.demo(TestMaps.jiashan()).startingAt(clock.simStart());
    long expected = demo.messages().count();
    try (Recorder recorder = new Recorder(broker.serverUri(), "blocks/+/+/+")) {
      StreetSimulator.Result result;
      try (StreetSimulator sim = StreetSimulator.overMqtt(broker.serverUri(), clock)) {
        result = sim.run(demo.iterator(), (sent, simTime) -> {});
      }
      assertEquals(expected, result.delivered());
      assertEquals(expected, recorder.awaitCount(expected, Duration.ofSeconds(60)));
      System.out.printf(
          "%d messages (30 simulated minutes) published in %d ms%n",
          expected, result.wallTime().toMillis());
    }
  }
}
