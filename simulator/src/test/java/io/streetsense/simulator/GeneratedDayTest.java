package io.streetsense.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.CameraView;
import io.streetsense.blockmap.Sensor;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.simulator.internal.Placement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generated days: parameters per seed, outages, and ground truth that holds on the street. */
class GeneratedDayTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static BlockMap jiashan;
  private static BlockMap lingyan;

  @BeforeAll
  static void maps() {
    jiashan = BlockMapLoader.load(TestMaps.repositoryBlockMaps().resolve("jiashan-lane.yaml"));
    lingyan = BlockMapLoader.load(TestMaps.repositoryBlockMaps().resolve("lingyan-south.yaml"));
  }

  @Test
  void parametersVaryAcrossSeeds() {
    Set<Object> days = new HashSet<>();
    Set<Object> starts = new HashSet<>();
    Set<Object> spans = new HashSet<>();
    Set<Object> missRates = new HashSet<>();
    Set<Object> spacings = new HashSet<>();
    Set<Object> heartbeats = new HashSet<>();
    for (long seed = 1; seed <= 20; seed++) {
      GeneratedDay.Parameters p = GeneratedDay.Parameters.draw(lingyan, seed);
      days.add(p.day());
      starts.add(p.from());
      spans.add(p.span());
      missRates.add(p.noise().missRate());
      spacings.add(p.kerbSpacing());
      heartbeats.add(p.heartbeat());
      assertTrue(p.noise().missRate() >= 0.12 && p.noise().missRate() <= 0.25);
      assertTrue(p.span().compareTo(Duration.ofHours(4)) >= 0);
      assertTrue(p.span().compareTo(Duration.ofHours(6)) <= 0);
      assertTrue(p.cameraDuplicates() > 0 && p.cameraDuplicates() < 0.02);
    }
    assertTrue(days.size() >= 5, "days " + days);
    assertTrue(starts.size() >= 8, "starts " + starts);
    assertTrue(spans.size() >= 3, "spans " + spans);
    assertEquals(20, missRates.size());
    assertEquals(20, spacings.size());
    assertTrue(heartbeats.size() >= 3, "heartbeats " + heartbeats);
  }

  @Test
  void sameSeedSameDay_anotherSeedAnotherDay() {
    StreetScenario a = Scenarios.generatedDay(jiashan, 7);
    StreetScenario b = Scenarios.generatedDay(jiashan, 7);
    StreetScenario c = Scenarios.generatedDay(jiashan, 8);
    assertEquals(a.script(), b.script());
    assertEquals(a.outages(), b.outages());
    assertEquals(a.groundTruth(), b.groundTruth());
    Iterator<DeviceMessage> ia = a.iterator();
    Iterator<DeviceMessage> ib = b.iterator();
    for (int i = 0; i < 5_000; i++) {
      DeviceMessage ma = ia.next();
      DeviceMessage mb = ib.next();
      assertEquals(ma.topic(), mb.topic());
      assertArrayEquals(ma.payload(), mb.payload());
    }
    assertFalse(a.script().equals(c.script()) && a.start().equals(c.start()));
  }

  @Test
  void everyDayHasOutagesOcclusionsFalseDetectionsAndHeldCarParks() {
    for (long seed = 1; seed <= 6; seed++) {
      BlockMap block = seed % 2 == 1 ? lingyan : jiashan;
      StreetScenario day = Scenarios.generatedDay(block, seed);
      assertFalse(day.outages().isEmpty(), "seed " + seed);
      for (CameraOutage o : day.outages()) {
        Duration length = o.to().minus(o.from());
        assertTrue(length.compareTo(Duration.ofMinutes(4)) >= 0, o.toString());
        assertTrue(length.compareTo(Duration.ofMinutes(8)) <= 0, o.toString());
      }
      assertFalse(day.script().eventsOf(Occlusion.class).isEmpty(), "seed " + seed);
      assertFalse(day.script().eventsOf(FalseDetection.class).isEmpty(), "seed " + seed);
      assertTrue(
          day.script().eventsOf(ZoneFull.class).size()
                  + day.script().eventsOf(ZoneOccupied.class).size()
              > 0,
          "seed " + seed);
    }
  }

  /** Every outage of a camera in the middle of a real violation; the camera sends nothing then. */
  @Test
  void anOutageSilencesItsCameraAndSitsInAViolation() {
    StreetScenario day = Scenarios.generatedDay(jiashan, 2);
    assertFalse(day.outages().isEmpty());
    for (CameraOutage o : day.outages()) {
      Zone[] inside = {null};
      for (ScriptedEvent e : day.script().events()) {
        boolean counted =
            e instanceof IllegalStall
                || e instanceof OutOfDoorwayGoods
                || e instanceof ParkedVehicle;
        if (counted
            && e.from().compareTo(o.from()) <= 0
            && e.to().compareTo(o.from()) > 0
            && jiashan.camerasViewing(e.zoneId()).stream()
                .anyMatch(c -> c.id().equals(o.cameraId()))) {
          inside[0] = jiashan.zone(e.zoneId()).orElseThrow();
        }
      }
      assertTrue(inside[0] != null, "outage " + o + " is in no violation its camera sees");
    }
    Map<String, Instant> last = new HashMap<>();
    int frames = 0;
    for (Iterator<DeviceMessage> it = day.iterator(); it.hasNext(); ) {
      DeviceMessage m = it.next();
      if (m.kind() != DeviceMessage.Kind.CAMERA) {
        continue;
      }
      frames++;
      for (CameraOutage o : day.outages()) {
        if (o.cameraId().equals(m.deviceId())) {
          Instant from = day.start().plus(o.from());
          Instant to = day.start().plus(o.to());
          assertFalse(
              !m.eventTime().isBefore(from) && m.eventTime().isBefore(to),
              "frame inside outage " + o + " at " + m.eventTime());
        }
      }
      last.put(m.deviceId(), m.eventTime());
    }
    assertTrue(frames > 0);
    // Frames resume after the outage.
    for (CameraOutage o : day.outages()) {
      assertTrue(last.get(o.cameraId()).isAfter(day.start().plus(o.to())));
    }
  }

  /**
   * For every scored overflow, on the street itself: the sensors' messages show at least the rule's
   * berths occupied, and the script has at least the rule's vehicles at the kerb, all the time from
   * its start to its end; it lasts well over the dwell. And every overflow the street shows (held
   * car park meeting the threshold with enough kerb vehicles) is in the truth.
   */
  @Test
  void overflowTruthHoldsOnTheStreet() throws Exception {
    int checked = 0;
    for (long seed = 2; seed <= 40 && checked < 4; seed += 2) {
      StreetScenario day = Scenarios.generatedDay(jiashan, seed);
      List<GroundTruth.Violation> overflows =
          day.groundTruth().violations().stream()
              .filter(v -> v.type().equals("PARKING_OVERFLOW") && v.expected())
              .toList();
      if (overflows.isEmpty()) {
        continue;
      }
      Zone parking = jiashan.zone("JS-Z-P1").orElseThrow();
      int required =
          (int)
              Math.ceil(
                  parking.rules().parkingOverflow().occupancy() * parking.capacity().orElseThrow()
                      - 1e-9);
      int needed = parking.rules().parkingOverflow().vehicles();
      Duration dwell = parking.rules().parkingOverflow().dwell();
      Set<String> sensors = new HashSet<>();
      for (Sensor s : jiashan.sensorsInZone("JS-Z-P1")) {
        sensors.add(s.id());
      }
      Map<String, Boolean> state = new HashMap<>();
      List<Instant> belowAt = new ArrayList<>();
      for (Iterator<DeviceMessage> it = day.iterator(); it.hasNext(); ) {
        DeviceMessage m = it.next();
        if (m.kind() != DeviceMessage.Kind.PARKING || !sensors.contains(m.deviceId())) {
          continue;
        }
        JsonNode n = JSON.readTree(m.payload());
        state.put(m.deviceId(), n.path("occupied").asBoolean());
        long occupied = state.values().stream().filter(b -> b).count();
        if (occupied < required) {
          belowAt.add(m.eventTime());
        }
      }
      for (GroundTruth.Violation v : overflows) {
        assertTrue(
            Duration.between(v.from(), v.to()).compareTo(dwell.plus(ScriptedDay.OVER_MARGIN)) >= 0,
            v.toString());
        for (Instant t : belowAt) {
          assertFalse(
              !t.isBefore(v.from()) && t.isBefore(v.to()),
              "seed " + seed + ": the sensors show the zone below threshold at " + t + " in " + v);
        }
        for (Instant t = v.from(); t.isBefore(v.to()); t = t.plusSeconds(10)) {
          assertTrue(
              kerbCount(day, t) >= needed, "seed " + seed + ": too few kerb vehicles at " + t);
        }
        assertTrue(kerbCount(day, v.to()) < needed || !held(day, v.to(), required));
      }
      checked++;
    }
    assertTrue(checked >= 2, "generated days with an overflow on jiashan-lane: " + checked);
  }

  /** Vehicles at a kerb at the same time stand at least the day's spacing apart in every camera. */
  @Test
  void kerbVehiclesKeepTheDaysSpacing() {
    for (long seed = 1; seed <= 5; seed += 2) {
      StreetScenario day = Scenarios.generatedDay(lingyan, seed);
      double spacing = GeneratedDay.Parameters.draw(lingyan, seed).kerbSpacing();
      List<ParkedVehicle> parked = day.script().eventsOf(ParkedVehicle.class);
      assertFalse(parked.isEmpty(), "seed " + seed);
      for (ParkedVehicle a : parked) {
        for (ParkedVehicle b : parked) {
          boolean together =
              a != b
                  && a.zoneId().equals(b.zoneId())
                  && a.from().compareTo(b.to()) < 0
                  && b.from().compareTo(a.to()) < 0;
          if (!together) {
            continue;
          }
          for (Camera camera : lingyan.camerasViewing(a.zoneId())) {
            for (CameraView view : camera.views()) {
              if (view.zone().equals(a.zoneId())) {
                double[] ga = Placement.groundPoint(view.polygon(), a.u(), a.v());
                double[] gb = Placement.groundPoint(view.polygon(), b.u(), b.v());
                assertTrue(
                    Math.hypot(ga[0] - gb[0], ga[1] - gb[1]) >= spacing - 1e-9,
                    "seed " + seed + ": " + a + " and " + b);
              }
            }
          }
        }
      }
    }
  }

  /** Truth entries left out of scoring say why; a scored one is long enough for its cameras. */
  @Test
  void excludedEntriesSayWhy() {
    for (long seed = 1; seed <= 10; seed++) {
      BlockMap block = seed % 2 == 1 ? lingyan : jiashan;
      for (GroundTruth.Violation v :
          Scenarios.generatedDay(block, seed).groundTruth().violations()) {
        if (v.excluded() != null) {
          assertFalse(v.excluded().isBlank());
          assertFalse(v.expected());
        }
      }
    }
  }

  private static int kerbCount(StreetScenario day, Instant t) {
    int n = 0;
    for (ScriptedEvent e : day.script().events()) {
      Instant from = day.start().plus(e.from());
      Instant to = day.start().plus(e.to());
      boolean there = !t.isBefore(from) && t.isBefore(to);
      if (there && e instanceof ParkedVehicle) {
        n++;
      } else if (there && e instanceof VehiclesInNoParking v) {
        n += v.count();
      }
    }
    return n;
  }

  private static boolean held(StreetScenario day, Instant t, int required) {
    for (ScriptedEvent e : day.script().events()) {
      Instant from = day.start().plus(e.from());
      Instant to = day.start().plus(e.to());
      boolean there = !t.isBefore(from) && t.isBefore(to);
      if (there && e instanceof ZoneFull) {
        return true;
      }
      if (there && e instanceof ZoneOccupied z && z.berths() >= required) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings("unused")
  private static boolean isKerb(Zone z) {
    return z.kind() == ZoneKind.NO_PARKING;
  }
}
