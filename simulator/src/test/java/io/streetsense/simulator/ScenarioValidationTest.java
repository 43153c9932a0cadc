package io.streetsense.simulator;

import static java.time.Duration.ofMinutes;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioValidationTest {
  private final BlockMap block = TestMaps.jiashan();

  private String failure(ScriptedEvent event) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> StreetScenario.builder(block).event(event).build())
        .getMessage();
  }

  @Test
  void aStallInAFrontageIsRejectedNamingTheZoneAndKind() {
    String message =
        failure(IllegalStall.seenByAll("JS-Z-F01", ofMinutes(1), ofMinutes(5), "stall"));
    assertTrue(message.contains("JS-Z-F01") && message.contains("frontage"), message);
  }

  @Test
  void anUnknownZoneIsRejected() {
    String message = failure(new ZoneFull("JS-Z-P9", ofMinutes(1), ofMinutes(5)));
    assertTrue(message.contains("no zone JS-Z-P9"), message);
  }

  @Test
  void anEventPastTheEndIsRejected() {
    String message =
        failure(IllegalStall.seenByAll("JS-Z-NV1", ofMinutes(20), ofMinutes(31), "stall"));
    assertTrue(message.contains("ends after"), message);
  }

  @Test
  void aCameraWithoutAViewOfTheZoneIsRejected() {
    String message =
        failure(new IllegalStall("JS-Z-NV1", "JS-C-03", ofMinutes(1), ofMinutes(5), "stall"));
    assertTrue(message.contains("JS-C-03"), message);
  }

  @Test
  void aClassTheRuleDoesNotCountIsRejected() {
    String message =
        failure(new OutOfDoorwayGoods("JS-Z-F01", ofMinutes(1), ofMinutes(5), List.of("stall")));
    assertTrue(message.contains("stall"), message);
  }

  @Test
  void spansAreChecked() {
    assertThrows(
        IllegalArgumentException.class, () -> new ZoneFull("JS-Z-P1", ofMinutes(5), ofMinutes(5)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new VehiclesInNoParking("JS-Z-NP1", 0, ofMinutes(1), ofMinutes(5)));
    assertThrows(
        IllegalArgumentException.class,
        () -> StreetScenario.builder(block).occupancy("JS-Z-NV1", 0.5));
  }
}
