package io.streetsense.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.services.MosquittoBroker;
import io.streetsense.services.MqttRecorder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    try (MqttRecorder recorder =
        MqttRecorder.subscribe(broker.serverUri(), "blocks/jiashan-lane/#")) {
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
      assertEquals(expectedByTopic(expected), recorder.byTopic());
    }
  }

  @Test
  void asFastAsPossibleTheWholeDemoArrives() throws Exception {
    SimulatedClock clock = SimulatedClock.endingNow(Scenarios.DEMO_DURATION, 0);
    StreetScenario demo = Scenarios.demo(TestMaps.jiashan()).startingAt(clock.simStart());
    long expected = demo.messages().count();
    try (MqttRecorder recorder = MqttRecorder.subscribe(broker.serverUri(), "blocks/+/+/+")) {
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
