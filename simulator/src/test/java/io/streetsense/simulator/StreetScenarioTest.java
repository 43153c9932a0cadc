package io.streetsense.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.Polygon;
import io.streetsense.blockmap.Sensor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generator against the device feeds of docs/interfaces.md, on the jiashan-lane example map.
 */
class StreetScenarioTest {
  private static final Pattern TOPIC = Pattern.compile("blocks/([^/]+)/(parking|camera)/([^/]+)");
  private static final Set<String> CLASSES =
      Set.of(
          "person",
          "vehicle",
          "bicycle",
          "stall",
          "cart",
          "tricycle",
          "table",
          "chair",
          "goods",
          "rack",
          "umbrella",
          "sign");

  private static BlockMap block;
  private static StreetScenario demo;
  private static List<DeviceMessage> demoMessages;

  @BeforeAll
  static void generateDemo() {
    block = TestMaps.jiashan();
    demo = Scenarios.demo(block);
    demoMessages = demo.messages().toList();
  }

  private static Map<String, List<DeviceMessage>> byDevice(List<DeviceMessage> messages) {
    Map<String, List<DeviceMessage>> out = new HashMap<>();
    messages.forEach(m -> out.computeIfAbsent(m.deviceId(), d -> new ArrayList<>()).add(m));
    return out;
  }

  @Test
  void everyMessageMatchesTheDeviceContract() {
    boolean sawIso = false;
    boolean sawEpoch = false;
    for (DeviceMessage m : demoMessages) {
      Matcher topic = TOPIC.matcher(m.topic());
      assertTrue(topic.matches(), m.topic());
      assertEquals(block.id(), topic.group(1));
      assertEquals(m.deviceId(), topic.group(3));
      assertTrue(m.payload().length <= 64 * 1024);
      JsonNode p = Frames.parse(m);
      JsonNode ts = p.get("ts");
      assertTrue(ts.isTextual() || ts.isIntegralNumber(), m.toString());
      if (ts.isTextual()) {
        sawIso = true;
        assertTrue(ts.asText().endsWith("+08:00"), ts.asText());
      } else {
        sawEpoch = true;
      }
      assertEquals(m.eventTime(), Frames.ts(p));
      if (topic.group(2).equals("parking")) {
        assertEquals(DeviceMessage.Kind.PARKING, m.kind());
        assertEquals(Set.of("sensor", "ts", "seq", "occupied", "kind", "battery_v"), names(p));
        assertEquals(topic.group(3), p.get("sensor").asText());
        assertTrue(p.get("sensor").isTextual());
        assertTrue(block.sensor(m.deviceId()).isPresent());
        assertTrue(p.get("seq").isIntegralNumber());
        long seq = p.get("seq").asLong();
        assertTrue(seq >= 0 && seq < (1L << 31), "seq " + seq);
        assertTrue(p.get("occupied").isBoolean());
        assertTrue(Set.of("change", "heartbeat").contains(p.get("kind").asText()));
        double v = p.get("battery_v").asDouble();
        assertTrue(p.get("battery_v").isNumber() && v > 3.4 && v < 3.8, "battery " + v);
      } else {
        assertEquals(DeviceMessage.Kind.CAMERA, m.kind());
        assertEquals(Set.of("camera", "ts", "frame", "objects"), names(p));
        assertEquals(topic.group(3), p.get("camera").asText());
        assertTrue(block.camera(m.deviceId()).isPresent());
        assertTrue(p.get("frame").isIntegralNumber());
        assertTrue(p.get("objects").isArray());
        for (JsonNode o : p.get("objects")) {
          assertEquals(Set.of("track", "cls", "conf", "box"), names(o));
          assertTrue(o.get("track").isTextual());
          assertTrue(CLASSES.contains(o.get("cls").asText()), o.toString());
          assertTrue(o.get("conf").isNumber());
          double conf = o.get("conf").asDouble();
          assertTrue(conf >= 0 && conf <= 1);
          JsonNode box = o.get("box");
          assertEquals(4, box.size());
          for (JsonNode n : box) {
            assertTrue(n.isNumber() && n.asDouble() >= 0 && n.asDouble() <= 1, box.toString());
          }
          assertTrue(box.get(0).asDouble() + box.get(2).asDouble() <= 1.0001, box.toString());
          assertTrue(box.get(1).asDouble() + box.get(3).asDouble() <= 1.0001, box.toString());
          assertTrue(box.get(2).asDouble() > 0 && box.get(3).asDouble() > 0, box.toString());
        }
      }
    }
    assertTrue(sawIso && sawEpoch, "both timestamp forms are exercised");
  }

  private static Set<String> names(JsonNode node) {
    Set<String> names = new HashSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void messagesAreInEventTimeOrderWithinTheScenario() {
    Instant previous = demo.start();
    for (DeviceMessage m : demoMessages) {
      assertFalse(m.eventTime().isBefore(previous), m.toString());
      assertTrue(m.eventTime().isBefore(demo.end()));
      previous = m.eventTime();
    }
  }

  @Test
  void everyDeviceOfTheBlockSends() {
    Set<String> devices = byDevice(demoMessages).keySet();
    block.sensors().forEach(s -> assertTrue(devices.contains(s.id()), s.id()));
    block.cameras().forEach(c -> assertTrue(devices.contains(c.id()), c.id()));
  }

  @Test
  void seqIncreasesByOnePerSensorMessage() {
    byDevice(demoMessages).values().stream()
        .filter(l -> l.get(0).kind() == DeviceMessage.Kind.PARKING)
        .forEach(
            list -> {
              long prev = -1;
              for (DeviceMessage m : list) {
                long seq = Frames.parse(m).get("seq").asLong();
                if (prev >= 0) {
                  assertEquals((prev + 1) % (1L << 31), seq, m.deviceId());
                }
                prev = seq;
              }
            });
  }

  @Test
  void seqWrapsAtTwoToThe31() {
    StreetScenario wrapping =
        StreetScenario.builder(block).sequencesNearWrap(true).background(Background.NONE).build();
    Map<String, List<DeviceMessage>> devices = byDevice(wrapping.messages().toList());
    int wrapped = 0;
    for (Sensor sensor : block.sensors()) {
      long prev = -1;
      for (DeviceMessage m : devices.get(sensor.id())) {
        long seq = Frames.parse(m).get("seq").asLong();
        if (prev == Integer.MAX_VALUE) {
          assertEquals(0, seq);
          wrapped++;
        } else if (prev >= 0) {
          assertEquals(prev + 1, seq);
        }
        prev = seq;
      }
    }
    assertTrue(wrapped > 0, "some sensor wrapped");
  }

  @Test
  void camerasSendOneFrameASecondIncludingEmptyFrames() {
    Map<String, List<DeviceMessage>> devices = byDevice(demoMessages);
    long seconds = demo.duration().toSeconds();
    int empty = 0;
    for (var camera : block.cameras()) {
      List<DeviceMessage> frames = devices.get(camera.id());
      assertEquals(seconds, frames.size(), camera.id());
      long prevFrame = -1;
      Instant prevTs = null;
      for (DeviceMessage m : frames) {
        JsonNode p = Frames.parse(m);
        long frame = p.get("frame").asLong();
        if (prevTs != null) {
          assertEquals(prevFrame + 1, frame);
          assertEquals(Duration.ofSeconds(1), Duration.between(prevTs, m.eventTime()));
        }
        if (p.get("objects").isEmpty()) {
          empty++;
        }
        prevFrame = frame;
        prevTs = m.eventTime();
      }
    }
    assertTrue(empty > 0, "empty frames are sent too");
  }

  @Test
  void anEmptyStreetSendsOnlyEmptyFrames() {
    StreetScenario quiet = StreetScenario.builder(block).background(Background.NONE).build();
    List<DeviceMessage> frames =
        quiet.messages().filter(m -> m.kind() == DeviceMessage.Kind.CAMERA).toList();
    assertEquals(3 * 1800, frames.size());
    frames.forEach(m -> assertEquals(0, Frames.parse(m).get("objects").size()));
  }

  @Test
  void sensorsSendHeartbeatsEveryPeriodAndChangesOnFlips() {
    Duration period = Duration.ofMinutes(5);
    StreetScenario s =
        StreetScenario.builder(block)
            .duration(Duration.ofHours(2))
            .heartbeat(period)
            .background(Background.NONE)
            .build();
    Map<String, List<DeviceMessage>> devices = byDevice(s.messages().toList());
    int changes = 0;
    for (Sensor sensor : block.sensors()) {
      List<Instant> beats = new ArrayList<>();
      Boolean state = null;
      for (DeviceMessage m : devices.get(sensor.id())) {
        JsonNode p = Frames.parse(m);
        boolean occupied = p.get("occupied").asBoolean();
        if (p.get("kind").asText().equals("heartbeat")) {
          beats.add(m.eventTime());
          if (state != null) {
            assertEquals(state, occupied, "a heartbeat repeats the state");
          }
        } else {
          changes++;
          if (state != null) {
            assertNotEquals(state, occupied, "a change flips the state");
          }
        }
        state = occupied;
      }
      assertTrue(beats.get(0).isBefore(s.start().plus(period)), "first heartbeat in period 1");
      for (int i = 1; i < beats.size(); i++) {
        assertEquals(period, Duration.between(beats.get(i - 1), beats.get(i)));
      }
      assertTrue(beats.size() >= 23, sensor.id() + ": " + beats.size() + " heartbeats");
    }
    assertTrue(changes > 20, "cars come and go: " + changes + " changes");
  }

  @Test
  void occupancyFollowsTheZonesTarget() {
    StreetScenario s =
        StreetScenario.builder(block)
            .duration(Duration.ofHours(24))
            .occupancy("JS-Z-P1", 0.8)
            .occupancy("JS-Z-P2", 0.3)
            .background(Background.NONE)
            .seed(7)
            .build();
    Map<String, Double> share = occupiedShare(s, Duration.ofMinutes(1));
    assertEquals(0.8, share.get("JS-Z-P1"), 0.12);
    assertEquals(0.3, share.get("JS-Z-P2"), 0.12);
  }

  /** Time-average occupied share per parking zone, sampled from the replayed sensor states. */
  private static Map<String, Double> occupiedShare(StreetScenario s, Duration step) {
    Map<String, Boolean> state = new HashMap<>();
    Map<String, long[]> counts = new HashMap<>();
    Instant next = s.start().plus(step);
    for (DeviceMessage m : (Iterable<DeviceMessage>) s.messages()::iterator) {
      if (m.kind() != DeviceMessage.Kind.PARKING) {
        continue;
      }
      while (!next.isAfter(m.eventTime())) {
        sample(s.block(), state, counts);
        next = next.plus(step);
      }
      state.put(m.deviceId(), Frames.parse(m).get("occupied").asBoolean());
    }
    Map<String, Double> out = new HashMap<>();
    counts.forEach((zone, c) -> out.put(zone, c[0] / (double) c[1]));
    return out;
  }

  private static void sample(
      BlockMap block, Map<String, Boolean> state, Map<String, long[]> counts) {
    for (Sensor sensor : block.sensors()) {
      Boolean occupied = state.get(sensor.id());
      if (occupied != null) {
        long[] c = counts.computeIfAbsent(sensor.zone(), z -> new long[2]);
        c[0] += occupied ? 1 : 0;
        c[1]++;
      }
    }
  }

  @Test
  void aScriptedFullZoneHasEveryBerthOccupied() {
    // The demo fills JS-Z-P1 from minute 12 to the end.
    Instant from = demo.start().plus(Scenarios.DEMO_FULL_FROM);
    Map<String, Boolean> state = new HashMap<>();
    List<Sensor> berths = block.sensorsInZone("JS-Z-P1");
    for (DeviceMessage m : demoMessages) {
      if (m.kind() != DeviceMessage.Kind.PARKING) {
        continue;
      }
      state.put(m.deviceId(), Frames.parse(m).get("occupied").asBoolean());
      if (!m.eventTime().isBefore(from) && state.keySet().containsAll(ids(berths))) {
        for (Sensor berth : berths) {
          assertTrue(state.get(berth.id()), berth.id() + " at " + m.eventTime());
        }
      }
    }
    // Every berth reported in the window (heartbeats): the state above was complete.
    assertTrue(state.keySet().containsAll(ids(berths)));
    berths.forEach(b -> assertTrue(state.get(b.id()), b.id() + " at the end"));
  }

  private static List<String> ids(List<Sensor> sensors) {
    return sensors.stream().map(Sensor::id).toList();
  }

  @Test
  void theDemoStallStandsStillInsideTheNoVendingZoneOfBothCameras() {
    Instant from = demo.start().plus(Scenarios.DEMO_STALL_FROM);
    Instant to = demo.start().plus(Scenarios.DEMO_STALL_TO);
    double maxDrift = block.zone("JS-Z-NV1").orElseThrow().rules().illegalStall().maxDrift();
    for (String cameraId : List.of("JS-C-01", "JS-C-02")) {
      Polygon nv =
          block.camera(cameraId).orElseThrow().views().stream()
              .filter(v -> v.zone().equals("JS-Z-NV1"))
              .findFirst()
              .orElseThrow()
              .polygon();
      List<Frames.Obj> stalls = new ArrayList<>();
      int framesInWindow = 0;
      for (DeviceMessage m : demoMessages) {
        if (!m.deviceId().equals(cameraId)) {
          continue;
        }
        boolean inWindow = !m.eventTime().isBefore(from) && m.eventTime().isBefore(to);
        framesInWindow += inWindow ? 1 : 0;
        for (Frames.Obj o : Frames.objects(Frames.parse(m))) {
          if (o.cls().equals("stall")) {
            assertTrue(inWindow, "stall outside its window at " + m.eventTime());
            assertTrue(nv.contains(o.groundX(), o.groundY()), o.toString());
            assertTrue(o.conf() >= 0.5, o.toString());
            stalls.add(o);
          }
        }
      }
      assertEquals(600, framesInWindow);
      assertTrue(stalls.size() >= 0.85 * framesInWindow, cameraId + ": " + stalls.size());
      double drift = 0;
      for (Frames.Obj a : stalls) {
        for (Frames.Obj b : stalls) {
          drift = Math.max(drift, Math.hypot(a.groundX() - b.groundX(), a.groundY() - b.groundY()));
        }
      }
      assertTrue(drift < maxDrift / 2, cameraId + " drift " + drift);
    }
  }

  @Test
  void theSameSeedGivesTheSameBytes() throws Exception {
    assertArrayEquals(digest(demoMessages), digest(Scenarios.demo(block).messages().toList()));
    assertFalse(
        MessageDigest.isEqual(
            digest(demoMessages), digest(Scenarios.demo(block, 2).messages().toList())));
  }

  private static byte[] digest(List<DeviceMessage> messages) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    for (DeviceMessage m : messages) {
      sha.update(m.topic().getBytes(StandardCharsets.UTF_8));
      sha.update(m.payload());
    }
    return sha.digest();
  }

  @Test
  void eventTimesEqualThePayloadTimestampsForAnyStart() {
    StreetScenario s =
        demo.toBuilder().start(Instant.parse("2026-11-23T02:00:00.123456789Z")).build();
    assertEquals(Instant.parse("2026-11-23T02:00:00.123Z"), s.start());
    s.messages().limit(500).forEach(m -> assertEquals(m.eventTime(), Frames.ts(Frames.parse(m))));
  }

  @Test
  void anotherStartShiftsTheScriptAndNothingElse() {
    Instant later = demo.start().plus(Duration.ofDays(3));
    StreetScenario moved = demo.startingAt(later);
    GroundTruth.Violation stall = moved.groundTruth().violations().get(0);
    assertEquals(later.plus(Scenarios.DEMO_STALL_FROM), stall.from());
    assertEquals(demoMessages.size(), moved.messages().count());
  }
}
