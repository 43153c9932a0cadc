package io.streetsense.simulator;

import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.CameraView;
import io.streetsense.blockmap.Polygon;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MovingVendorTest {
  private final BlockMap block = TestMaps.jiashan();

  private StreetScenario scenario(Instant start, MovingVendor vendor) {
    return StreetScenario.builder(block)
        .start(start)
        .duration(ofMinutes(12))
        .noise(CameraNoise.NONE)
        .background(Background.NONE)
        .event(vendor)
        .build();
  }

  /** Ground points of the vendor's objects in one camera's frames, with their times. */
  private record Seen(Instant t, double x, double y) {}

  private static List<Seen> seen(StreetScenario s, String cameraId, String cls) {
    List<Seen> out = new ArrayList<>();
    s.messages()
        .filter(m -> m.deviceId().equals(cameraId))
        .forEach(
            m -> {
              for (Frames.Obj o : Frames.objects(Frames.parse(m))) {
                if (o.cls().equals(cls)) {
                  out.add(new Seen(m.eventTime(), o.groundX(), o.groundY()));
                }
              }
            });
    return out;
  }

  @Test
  void aVendorWalksInStandsStillWhileStoppedAndWalksOnInsideTheZone() {
    MovingVendor vendor =
        new MovingVendor(
            "JS-Z-NV1", ofMinutes(1), ofMinutes(2), ofSeconds(210), ofMinutes(5), "cart");
    StreetScenario s = scenario(StreetScenario.DEFAULT_START, vendor);
    Instant start = s.start();
    Polygon lane = view("JS-C-01", "JS-Z-NV1").polygon();
    List<Seen> seen = seen(s, "JS-C-01", "cart");
    assertFalse(seen.isEmpty());
    List<Double> walkingIn = new ArrayList<>();
    List<Seen> stopped = new ArrayList<>();
    for (Seen p : seen) {
      assertTrue(!p.t().isBefore(start.plus(ofMinutes(1))), "not before it enters: " + p);
      assertTrue(p.t().isBefore(start.plus(ofMinutes(5))), "gone when it has left: " + p);
      assertTrue(lane.contains(p.x(), p.y()), "inside the lane: " + p);
      if (p.t().isBefore(start.plus(ofMinutes(2)))) {
        walkingIn.add(p.x());
      } else if (p.t().isAfter(start.plus(ofMinutes(2)))
          && p.t().isBefore(start.plus(ofSeconds(210)))) {
        stopped.add(p);
      }
    }
    // Walking: the ground point moves steadily one way, far more than a stall's max_drift.
    double travelled = Math.abs(walkingIn.get(walkingIn.size() - 1) - walkingIn.get(0));
    assertTrue(travelled > 0.1, "walked " + travelled);
    for (int i = 1; i < walkingIn.size(); i++) {
      double step = walkingIn.get(i) - walkingIn.get(i - 1);
      assertTrue(step * (walkingIn.get(walkingIn.size() - 1) - walkingIn.get(0)) > 0, "one way");
    }
    // Stopped: one ground point.
    assertTrue(stopped.size() >= 85, "frames while stopped: " + stopped.size());
    for (Seen p : stopped) {
      assertEquals(stopped.get(0).x(), p.x(), 1e-3);
      assertEquals(stopped.get(0).y(), p.y(), 1e-3);
    }
    // Both cameras that see the lane see it.
    assertFalse(seen(s, "JS-C-02", "cart").isEmpty());
  }

  @Test
  void onlyTheStopIsAStallAndOnlyAStopAsLongAsTheDwellIsDetectable() {
    Instant start = StreetScenario.DEFAULT_START;
    MovingVendor brief =
        new MovingVendor(
            "JS-Z-NV1", ofMinutes(1), ofMinutes(2), ofSeconds(210), ofMinutes(5), "cart");
    List<GroundTruth.Violation> v = scenario(start, brief).groundTruth().violations();
    assertEquals(1, v.size());
    assertEquals("ILLEGAL_STALL", v.get(0).type());
    assertEquals("JS-Z-NV1", v.get(0).zone());
    assertEquals(start.plus(ofMinutes(2)), v.get(0).from());
    assertEquals(start.plus(ofSeconds(210)), v.get(0).to());
    assertEquals(List.of("JS-C-01", "JS-C-02"), v.get(0).cameras());
    assertFalse(v.get(0).detectable(), "a 90 s stop is under the 3 min dwell");

    MovingVendor settling =
        new MovingVendor(
            "JS-Z-NV1", ofMinutes(1), ofMinutes(2), ofMinutes(8), ofMinutes(9), "tricycle");
    GroundTruth truth = scenario(start, settling).groundTruth();
    assertEquals(1, truth.detectable().size());
    assertEquals(Duration.ofMinutes(6), settling.stop());
  }

  @Test
  void aVendorStoppingInAMarketDuringItsHoursIsNoViolation() {
    // JS-Z-M1 trades SAT/SUN 16:00-21:00; 2026-11-28 is a Saturday.
    Instant start = LocalDateTime.parse("2026-11-28T17:00").atZone(block.timezone()).toInstant();
    MovingVendor vendor =
        new MovingVendor(
            "JS-Z-M1", ofMinutes(1), ofMinutes(2), ofMinutes(9), ofMinutes(10), "stall");
    assertTrue(scenario(start, vendor).groundTruth().violations().isEmpty());
  }

  @Test
  void vendorsAreCheckedAgainstTheMapAndTheirOwnTimes() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            scenario(
                StreetScenario.DEFAULT_START,
                new MovingVendor(
                    "JS-Z-F01", ofMinutes(1), ofMinutes(2), ofMinutes(3), ofMinutes(4), "cart")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            scenario(
                StreetScenario.DEFAULT_START,
                new MovingVendor(
                    "JS-Z-NV1", ofMinutes(1), ofMinutes(2), ofMinutes(3), ofMinutes(4), "person")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MovingVendor(
                "JS-Z-NV1", ofMinutes(2), ofMinutes(2), ofMinutes(3), ofMinutes(4), "cart"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MovingVendor(
                "JS-Z-NV1", ofMinutes(1), ofMinutes(3), ofMinutes(2), ofMinutes(4), "cart"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MovingVendor(
                "JS-Z-NV1", ofMinutes(1), ofMinutes(2), ofMinutes(4), ofMinutes(4), "cart"));
  }

  private CameraView view(String cameraId, String zoneId) {
    return block.camera(cameraId).orElseThrow().views().stream()
        .filter(v -> v.zone().equals(zoneId))
        .findFirst()
        .orElseThrow();
  }
}
