package io.streetsense.simulator;

import static java.time.Duration.ofMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LingeringTest {
  private final BlockMap block = TestMaps.jiashan();

  private StreetScenario scenario(ScriptedEvent event) {
    return StreetScenario.builder(block)
        .duration(ofMinutes(8))
        .noise(CameraNoise.NONE)
        .background(Background.NONE)
        .event(event)
        .build();
  }

  @Test
  void someoneLingeringStandsStillInTheZoneAndIsNoViolation() {
    StreetScenario s = scenario(new Lingering("JS-Z-NV1", "person", ofMinutes(1), ofMinutes(7)));
    assertTrue(s.groundTruth().violations().isEmpty());
    List<double[]> points = new ArrayList<>();
    s.messages()
        .filter(m -> m.deviceId().equals("JS-C-01"))
        .forEach(
            m -> {
              for (Frames.Obj o : Frames.objects(Frames.parse(m))) {
                assertEquals("person", o.cls());
                assertFalse(m.eventTime().isBefore(s.start().plus(ofMinutes(1))));
                points.add(new double[] {o.groundX(), o.groundY()});
              }
            });
    assertTrue(points.size() >= 355, "frames with the person: " + points.size());
    for (double[] p : points) {
      assertEquals(points.get(0)[0], p[0], 1e-3);
      assertEquals(points.get(0)[1], p[1], 1e-3);
    }
  }

  @Test
  void aVanUnloadingInFrontOfAShopIsNoViolation() {
    StreetScenario s = scenario(new Lingering("JS-Z-F02", "vehicle", ofMinutes(0), ofMinutes(8)));
    assertTrue(s.groundTruth().violations().isEmpty());
    assertTrue(s.messages().anyMatch(m -> Frames.parse(m).toString().contains("\"vehicle\"")));
  }

  @Test
  void whatTheZonesRulesCountCannotBeScriptedAsLingering() {
    assertThrows(
        IllegalArgumentException.class,
        () -> scenario(new Lingering("JS-Z-NV1", "cart", ofMinutes(1), ofMinutes(2))));
    assertThrows(
        IllegalArgumentException.class,
        () -> scenario(new Lingering("JS-Z-F01", "goods", ofMinutes(1), ofMinutes(2))));
    assertThrows(
        IllegalArgumentException.class,
        () -> scenario(new Lingering("JS-Z-NP1", "vehicle", ofMinutes(1), ofMinutes(2))));
    assertThrows(
        IllegalArgumentException.class,
        () -> new Lingering("JS-Z-NV1", "person", ofMinutes(2), ofMinutes(1)));
  }
}
