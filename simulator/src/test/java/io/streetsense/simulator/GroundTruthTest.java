package io.streetsense.simulator;

import static java.time.Duration.ofMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroundTruthTest {
  private final BlockMap block = TestMaps.jiashan();

  @Test
  void theDemoScriptsOneIllegalStallSeenByBothLaneCameras() {
    StreetScenario demo = Scenarios.demo(block);
    List<GroundTruth.Violation> violations = demo.groundTruth().violations();
    assertEquals(1, violations.size());
    GroundTruth.Violation stall = violations.get(0);
    assertEquals("jiashan-lane", stall.block());
    assertEquals("JS-Z-NV1", stall.zone());
    assertNull(stall.shop());
    assertEquals("ILLEGAL_STALL", stall.type());
    assertEquals(demo.start().plus(ofMinutes(3)), stall.from());
    assertEquals(demo.start().plus(ofMinutes(13)), stall.to());
    assertEquals(List.of("JS-C-01", "JS-C-02"), stall.cameras());
    assertEquals(List.of("stall"), stall.classes());
    assertTrue(stall.detectable());
  }

  @Test
  void aStallShorterThanTheDwellIsListedAsNotDetectable() {
    StreetScenario s =
        StreetScenario.builder(block)
            .event(new IllegalStall("JS-Z-NV1", "JS-C-02", ofMinutes(1), ofMinutes(2), "cart"))
            .build();
    GroundTruth.Violation v = s.groundTruth().violations().get(0);
    assertFalse(v.detectable());
    assertEquals(List.of("JS-C-02"), v.cameras());
    assertEquals(0, s.groundTruth().detectable().size());
  }

  @Test
  void goodsOutsideTheDoorwayCountOnlyOutsideTheShopsPermit() {
    // JS-S-02 (the tavern, frontage JS-Z-F02) may use its frontage daily 11:00-22:00.
    Instant start = LocalDateTime.parse("2026-11-23T21:30").atZone(block.timezone()).toInstant();
    StreetScenario s =
        StreetScenario.builder(block)
            .start(start)
            .duration(Duration.ofHours(1))
            .event(new OutOfDoorwayGoods("JS-Z-F02", ofMinutes(0), ofMinutes(60), List.of("table")))
            .build();
    List<GroundTruth.Violation> v = s.groundTruth().violations();
    assertEquals(1, v.size());
    assertEquals("OUT_OF_DOORWAY_TRADING", v.get(0).type());
    assertEquals("JS-S-02", v.get(0).shop());
    assertEquals(start.plus(ofMinutes(30)), v.get(0).from(), "from 22:00");
    assertEquals(start.plus(ofMinutes(60)), v.get(0).to());
    assertTrue(v.get(0).detectable());
  }

  @Test
  void anIllegalStallInAMarketCountsOutsideItsSchedule() {
    // JS-Z-M1 is a market on SAT/SUN 16:00-21:00; 2026-11-28 is a Saturday.
    Instant start = LocalDateTime.parse("2026-11-28T20:30").atZone(block.timezone()).toInstant();
    StreetScenario s =
        StreetScenario.builder(block)
            .start(start)
            .duration(Duration.ofHours(1))
            .event(IllegalStall.seenByAll("JS-Z-M1", ofMinutes(0), ofMinutes(50), "tricycle"))
            .build();
    List<GroundTruth.Violation> v = s.groundTruth().violations();
    assertEquals(1, v.size());
    assertEquals(start.plus(ofMinutes(30)), v.get(0).from(), "from 21:00");
    assertEquals(List.of("JS-C-03"), v.get(0).cameras());
  }

  @Test
  void aParkingOverflowIsAFullZoneWhileEnoughVehiclesStandInItsNoParkingZone() {
    StreetScenario s =
        StreetScenario.builder(block)
            .duration(Duration.ofMinutes(60))
            .event(new ZoneFull("JS-Z-P1", ofMinutes(10), ofMinutes(50)))
            .event(new VehiclesInNoParking("JS-Z-NP1", 1, ofMinutes(5), ofMinutes(40)))
            .event(new VehiclesInNoParking("JS-Z-NP1", 1, ofMinutes(20), ofMinutes(55)))
            .build();
    List<GroundTruth.Violation> v = s.groundTruth().violations();
    assertEquals(1, v.size());
    GroundTruth.Violation overflow = v.get(0);
    assertEquals("PARKING_OVERFLOW", overflow.type());
    assertEquals("JS-Z-P1", overflow.zone());
    // Two vehicles (rule: vehicles: 2) from 20 to 40, and the zone is full then.
    assertEquals(s.start().plus(ofMinutes(20)), overflow.from());
    assertEquals(s.start().plus(ofMinutes(40)), overflow.to());
    assertEquals(List.of("JS-C-03"), overflow.cameras());
    assertTrue(overflow.detectable(), "20 min >= dwell of 10 min");
  }

  @Test
  void vehiclesInTheNoParkingZoneStandInsideItsPolygon() {
    StreetScenario s =
        StreetScenario.builder(block)
            .background(Background.NONE)
            .noise(CameraNoise.NONE)
            .event(new VehiclesInNoParking("JS-Z-NP1", 3, ofMinutes(1), ofMinutes(2)))
            .build();
    var np =
        block.camera("JS-C-03").orElseThrow().views().stream()
            .filter(view -> view.zone().equals("JS-Z-NP1"))
            .findFirst()
            .orElseThrow()
            .polygon();
    long framesWithThree =
        s.messages()
            .filter(m -> m.deviceId().equals("JS-C-03"))
            .map(m -> Frames.objects(Frames.parse(m)))
            .filter(objects -> !objects.isEmpty())
            .peek(
                objects ->
                    objects.forEach(
                        o -> assertTrue(np.contains(o.groundX(), o.groundY()), o.toString())))
            .filter(objects -> objects.size() == 3)
            .count();
    assertEquals(60, framesWithThree);
  }

  @Test
  void jsonRoundTrips(@TempDir Path dir) throws Exception {
    GroundTruth truth = Scenarios.demo(block).groundTruth();
    Path file = dir.resolve("sub/truth.json");
    truth.writeJson(file);
    String json = Files.readString(file);
    assertTrue(json.contains("\"type\" : \"ILLEGAL_STALL\""), json);
    assertEquals(truth, GroundTruth.fromJson(json));
  }
}
