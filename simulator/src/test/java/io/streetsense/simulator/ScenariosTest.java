package io.streetsense.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.ZoneKind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScenariosTest {

  @Test
  void theDemoRunsOnEveryBundledExampleMap() {
    for (BlockMap block : BlockMapLoader.loadBundledExamples().all()) {
      StreetScenario demo = Scenarios.demo(block);
      GroundTruth truth = demo.groundTruth();
      assertEquals(1, truth.violations().size(), block.id());
      GroundTruth.Violation stall = truth.violations().get(0);
      assertEquals("ILLEGAL_STALL", stall.type());
      assertEquals(ZoneKind.NO_VENDING, block.zone(stall.zone()).orElseThrow().kind(), block.id());
      assertTrue(demo.messages().anyMatch(m -> Frames.parse(m).toString().contains("\"stall\"")));
    }
  }

  @Test
  void theDemoRunsOnEverySharedMap() {
    for (BlockMap block : BlockMapLoader.loadDirectory(TestMaps.repositoryBlockMaps()).all()) {
      StreetScenario demo = Scenarios.demo(block, 3, Duration.ofMinutes(14));
      assertEquals(1, demo.groundTruth().detectable().size(), block.id());
      assertEquals(Duration.ofMinutes(14), demo.duration());
    }
  }

  @Test
  void namedScenariosAreKnownByName() {
    BlockMap block = TestMaps.jiashan();
    assertEquals(1, Scenarios.named("demo", block, 1, null).groundTruth().violations().size());
    assertEquals(
        0, Scenarios.named("background", block, 1, null).groundTruth().violations().size());
    assertThrows(IllegalArgumentException.class, () -> Scenarios.named("rush", block, 1, null));
    assertThrows(
        IllegalArgumentException.class, () -> Scenarios.demo(block, 1, Duration.ofMinutes(13)));
  }
}
