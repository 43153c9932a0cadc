package io.streetsense.blockmap;

import static io.streetsense.blockmap.BlockMapFixtures.assertContains;
import static io.streetsense.blockmap.BlockMapFixtures.jiashanLane;
import static io.streetsense.blockmap.BlockMapFixtures.lingyanSouth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.testing.RepositoryBlockMaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockMapLoaderTest {

  @Test
  void jiashanLane_loads() {
    BlockMap map = jiashanLane();
    assertEquals("jiashan-lane", map.id());
    assertEquals("jiashan-lane.yaml", map.source());
    assertEquals("Xuhui", map.district());
    assertEquals("Tianping", map.subdistrict());
    assertEquals(ZoneId.of("Asia/Shanghai"), map.timezone());
    assertEquals(3, map.teams().size());
    assertEquals(4, map.routing().size());
    assertEquals(8, map.shops().size());
    assertEquals(13, map.zones().size());
    assertEquals(12, map.sensors().size());
    assertEquals(3, map.cameras().size());
    assertEquals(
        new Deadlines(Duration.ofMinutes(10), Duration.ofMinutes(45)),
        map.deadlines(ViolationType.PARKING_OVERFLOW));
    assertEquals(0.03, map.rules().illegalStall().maxDrift());
    assertEquals(
        List.of("goods", "rack", "table", "chair", "umbrella", "sign"),
        List.copyOf(map.rules().outOfDoorway().classes()));
  }

  @Test
  void lingyanSouth_loads_with250ShopsAnd23Cameras() {
    BlockMap map = lingyanSouth();
    assertEquals("lingyan-south", map.id());
    assertEquals(250, map.shops().size());
    assertEquals(23, map.cameras().size());
    assertEquals(160, map.sensors().size());
    assertEquals(OptionalInt.of(40), map.zone("LY-Z-P7").orElseThrow().capacity());
  }

  @Test
  void loadDirectory_loadsEveryMapInFileNameOrder() {
    BlockMaps maps = BlockMapLoader.loadDirectory(RepositoryBlockMaps.directory());
    assertEquals(List.of("jiashan-lane", "lingyan-south"), List.copyOf(maps.ids()));
    assertTrue(maps.sensor("lingyan-south", "LY-P-0012").isPresent());
    assertTrue(maps.camera("jiashan-lane", "JS-C-03").isPresent());
    assertFalse(maps.sensor("jiashan-lane", "LY-P-0012").isPresent(), "sensor of another block");
    assertFalse(maps.block("nowhere").isPresent());
  }

  @Test
  void loadDirectory_refusesTwoFilesDeclaringOneBlock(@TempDir Path dir) throws IOException {
    Path original = RepositoryBlockMaps.directory().resolve("jiashan-lane.yaml");
    Files.copy(original, dir.resolve("a-jiashan.yaml"));
    Files.copy(original, dir.resolve("b-copy.yml"));
    BlockMapException e =
        assertThrows(BlockMapException.class, () -> BlockMapLoader.loadDirectory(dir));
    assertEquals("b-copy.yml", e.file());
    assertEquals("block", e.key());
    assertContains(e.getMessage(), "jiashan-lane", "a-jiashan.yaml", "b-copy.yml");
  }

  @Test
  void loadDirectory_refusesADirectoryWithoutMaps(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("README.md"), "no maps here");
    BlockMapException e =
        assertThrows(BlockMapException.class, () -> BlockMapLoader.loadDirectory(dir));
    assertContains(e.getMessage(), "no block maps");
  }

  @Test
  void load_missingFile_isABlockMapException(@TempDir Path dir) {
    BlockMapException e =
        assertThrows(
            BlockMapException.class, () -> BlockMapLoader.load(dir.resolve("missing.yaml")));
    assertEquals("missing.yaml", e.file());
    assertContains(e.getMessage(), "cannot read");
  }

  @Test
  void bundledExamples_load() {
    BlockMaps examples = BlockMapLoader.loadBundledExamples();
    assertEquals(BlockMapLoader.BUNDLED_EXAMPLES.size(), examples.all().size());
    for (BlockMap map : examples.all()) {
      for (ZoneKind kind : ZoneKind.values()) {
        assertFalse(map.zonesOfKind(kind).isEmpty(), map.id() + " has a " + kind + " zone");
      }
    }
  }

  @Test
  void bundledExample_hasANoVendingZoneACameraSees_forTheScriptedDemo() {
    BlockMap map = BlockMapLoader.loadBundledExamples().block("yongkang-road").orElseThrow();
    Zone lane = map.zonesOfKind(ZoneKind.NO_VENDING).get(0);
    assertFalse(map.camerasViewing(lane.id()).isEmpty());
    Zone parking = map.zone("YK-Z-P1").orElseThrow();
    assertEquals(parking.capacity().orElseThrow(), map.sensorsInZone(parking.id()).size());
  }

  @Test
  void bundledExamples_areEveryYamlFileInTheExamplesDirectory() throws IOException {
    Path examples = Path.of("src/main/resources/io/streetsense/blockmap/examples");
    Assumptions.assumeTrue(Files.isDirectory(examples));
    try (var files = Files.list(examples)) {
      assertEquals(
          BlockMapLoader.BUNDLED_EXAMPLES.stream().sorted().toList(),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
  }
}
