package io.streetsense.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.simulator.DeviceMessage;
import io.streetsense.simulator.GroundTruth;
import io.streetsense.simulator.StreetScenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CityTest {
  @TempDir Path dir;

  @Test
  void syntheticBlocksAreTheTemplateWithTheirOwnIds() throws Exception {
    // The bundled example: the city a load test makes outside a checkout.
    CityMaps.City city = CityMaps.write(null, 3, dir);
    assertEquals(1, city.realBlocks());
    assertEquals(2, city.syntheticBlocks());
    assertEquals(3, city.maps().all().size());
    BlockMap real =
        city.maps().all().stream().filter(b -> !b.id().contains("-s0")).findFirst().get();
    BlockMap copy = city.maps().block(real.id() + "-s001").orElseThrow();
    assertEquals(real.cameras().size(), copy.cameras().size());
    assertEquals(real.sensors().size(), copy.sensors().size());
    assertEquals(real.zones().size(), copy.zones().size());
    String prefix = CityMaps.idPrefix(real);
    assertTrue(copy.cameras().get(0).id().startsWith(prefix + "001-"), copy.cameras().toString());
    Set<String> ids = new HashSet<>();
    for (BlockMap b : city.maps().all()) {
      b.cameras().forEach(c -> assertTrue(ids.add(c.id()), "camera id used twice: " + c.id()));
    }
    assertTrue(copy.name().endsWith("(synthetic copy 001)"));
  }

  @Test
  void theMixScriptsViolationsWhoseGroundTruthIsDetectable() throws Exception {
    CityMaps.City city = CityMaps.write(null, 2, dir);
    Instant start = Instant.parse("2026-11-23T00:00:00Z");
    CityScenario.Mix mix = CityScenario.Mix.parse("stalls=3,goods=3,overflow=1,near-misses=4");
    CityScenario a =
        CityScenario.build(
            city.maps(), 7, start, Duration.ofHours(4), mix, CityScenario.Street.DAY);
    CityScenario b =
        CityScenario.build(
            city.maps(), 7, start, Duration.ofHours(4), mix, CityScenario.Street.DAY);
    GroundTruth truth = a.groundTruth();
    assertEquals(truth, b.groundTruth(), "deterministic");
    assertFalse(truth.detectable().isEmpty());
    assertTrue(truth.violations().stream().anyMatch(v -> !v.detectable()), "near-misses");
    assertTrue(
        truth.detectable().stream().anyMatch(v -> v.type().equals("PARKING_OVERFLOW")),
        truth.detectable().toString());
    // Plays: the first minute of the city is valid messages in event-time order.
    Iterator<DeviceMessage> it = StreetScenario.merge(a.scenarios());
    Instant last = start;
    int n = 0;
    while (it.hasNext() && n < 2000) {
      DeviceMessage m = it.next();
      assertFalse(m.eventTime().isBefore(last));
      last = m.eventTime();
      n++;
    }
    assertEquals(2000, n);
  }

  @Test
  void mixParsesPartsAndKeepsDefaults() {
    CityScenario.Mix m = CityScenario.Mix.parse("stalls=5, overflow=0");
    assertEquals(5, m.stalls());
    assertEquals(0, m.overflows());
    assertEquals(CityScenario.Mix.DEFAULT.goods(), m.goods());
    assertEquals(m, CityScenario.Mix.parse(m.toString()));
  }
}
