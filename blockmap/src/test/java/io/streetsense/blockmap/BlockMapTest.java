package io.streetsense.blockmap;

import static io.streetsense.blockmap.BlockMapFixtures.jiashanLane;
import static io.streetsense.blockmap.BlockMapFixtures.mini;
import static io.streetsense.blockmap.BlockMapFixtures.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BlockMapTest {

  @Test
  void routing_firstMatchingLineWins_byShopCategory() {
    BlockMap map = jiashanLane();
    assertEquals(
        Optional.of("xh-market-supervision"),
        map.routeTeam(ViolationType.OUT_OF_DOORWAY_TRADING, "bar"));
    assertEquals(
        Optional.of("xh-tianping-chengguan"),
        map.routeTeam(ViolationType.OUT_OF_DOORWAY_TRADING, "salon"));
    assertEquals(
        Optional.of("xh-tianping-chengguan"),
        map.routeTeam(ViolationType.OUT_OF_DOORWAY_TRADING, null),
        "no shop: only lines without categories match");
    assertEquals(
        Optional.of("xh-traffic-police"), map.routeTeam(ViolationType.PARKING_OVERFLOW, null));
  }

  @Test
  void routeTeamForZone_usesTheCategoryOfTheZonesShop() {
    BlockMap map = jiashanLane();
    assertEquals(
        Optional.of("xh-market-supervision"),
        map.routeTeamForZone(ViolationType.OUT_OF_DOORWAY_TRADING, "JS-Z-F02"),
        "a bar");
    assertEquals(
        Optional.of("xh-tianping-chengguan"),
        map.routeTeamForZone(ViolationType.OUT_OF_DOORWAY_TRADING, "JS-Z-F06"),
        "a salon");
    assertEquals(
        Optional.of("xh-tianping-chengguan"),
        map.routeTeamForZone(ViolationType.ILLEGAL_STALL, "JS-Z-NV1"));
  }

  @Test
  void lookups_byId() {
    BlockMap map = jiashanLane();
    Zone frontage = map.zone("JS-Z-F02").orElseThrow();
    assertEquals(ZoneKind.FRONTAGE, frontage.kind());
    assertEquals(Optional.of("JS-S-02"), frontage.shop());
    assertEquals(OptionalInt.empty(), frontage.capacity());
    assertEquals(new GeoPoint(31.21058, 121.45741), frontage.location());
    assertEquals("Old Market tavern", map.shopOfZone("JS-Z-F02").orElseThrow().name());
    assertEquals("JS-Z-P2", map.sensor("JS-P-09").orElseThrow().zone());
    assertEquals(
        "Xuhui traffic police, Tianping patrol",
        map.team("xh-traffic-police").orElseThrow().name());
    assertTrue(map.camera("JS-C-02").isPresent());
    assertFalse(map.zone("JS-Z-NOPE").isPresent());
    assertFalse(map.shop("JS-Z-F01").isPresent());
  }

  @Test
  void sensorsInZone_andCamerasViewing() {
    BlockMap map = jiashanLane();
    assertEquals(8, map.sensorsInZone("JS-Z-P1").size());
    assertEquals("B01", map.sensorsInZone("JS-Z-P1").get(0).berth());
    assertEquals(List.of(), map.sensorsInZone("JS-Z-F01"));
    assertEquals(
        List.of("JS-C-01", "JS-C-02"),
        map.camerasViewing("JS-Z-NV1").stream().map(Camera::id).toList());
    assertEquals(List.of(), map.camerasViewing("JS-Z-P1"));
  }

  @Test
  void parkingZone_referencesItsNoParkingAndAlternatives() {
    Zone parking = jiashanLane().zone("JS-Z-P1").orElseThrow();
    assertEquals(OptionalInt.of(8), parking.capacity());
    assertEquals(List.of("JS-Z-NP1"), parking.noParking());
    assertEquals(List.of("JS-Z-P2"), parking.alternatives());
  }

  @Test
  void cameraViewsContaining_aGroundPoint() {
    Camera camera = jiashanLane().camera("JS-C-01").orElseThrow();
    assertEquals(
        List.of("JS-Z-F02"),
        camera.viewsContaining(0.3, 0.6).stream().map(CameraView::zone).toList());
    assertEquals(
        List.of("JS-Z-F01", "JS-Z-NV1"),
        camera.viewsContaining(0.1, 0.72).stream().map(CameraView::zone).toList(),
        "on the line between frontage and lane: both");
  }

  @Test
  void marketSchedule_weekendAfternoonsOnly() {
    BlockMap map = jiashanLane();
    Zone market = map.zone("JS-Z-M1").orElseThrow();
    // 2026-11-21 is a Saturday.
    assertTrue(scheduled(map, market, LocalDateTime.of(2026, 11, 21, 16, 0)));
    assertTrue(scheduled(map, market, LocalDateTime.of(2026, 11, 22, 20, 59)));
    assertFalse(scheduled(map, market, LocalDateTime.of(2026, 11, 21, 21, 0)));
    assertFalse(scheduled(map, market, LocalDateTime.of(2026, 11, 21, 15, 59)));
    assertFalse(scheduled(map, market, LocalDateTime.of(2026, 11, 20, 17, 0)), "Friday");
    Instant saturdayNoon = ZonedDateTime.of(2026, 11, 21, 12, 0, 0, 0, map.timezone()).toInstant();
    assertEquals(
        Optional.of(ZonedDateTime.of(2026, 11, 21, 16, 0, 0, 0, map.timezone()).toInstant()),
        TimeWindow.nextBoundaryAfter(market.schedule(), saturdayNoon, map.timezone()));
  }

  private static boolean scheduled(BlockMap map, Zone zone, LocalDateTime local) {
    return TimeWindow.anyContains(
        zone.schedule(), local.atZone(map.timezone()).toInstant(), map.timezone());
  }

  @Test
  void zoneWithoutOverrides_hasTheBlocksRules() {
    BlockMap map = jiashanLane();
    for (Zone zone : map.zones()) {
      assertSame(map.rules(), zone.rules(), zone.id());
    }
  }

  @Test
  void zoneOverride_mergesKeyByKeyIntoTheBlocksDefaults() {
    BlockMap map =
        parse(
            mini(
                "{id: JS-Z-NV1, kind: no_vending,",
                "{id: JS-Z-NV1, kind: no_vending,"
                    + " rules: {illegal_stall: {dwell: PT5M, classes: [tricycle]},"
                    + " verify: {clear_for: PT2M}},"));
    Rules rules = map.zone("JS-Z-NV1").orElseThrow().rules();
    Rules defaults = map.rules();
    assertEquals(Duration.ofMinutes(5), rules.illegalStall().dwell());
    assertEquals(Set.of("tricycle"), rules.illegalStall().classes());
    assertEquals(defaults.illegalStall().presence(), rules.illegalStall().presence());
    assertEquals(defaults.illegalStall().maxDrift(), rules.illegalStall().maxDrift());
    assertEquals(defaults.illegalStall().minConf(), rules.illegalStall().minConf());
    assertEquals(Duration.ofMinutes(2), rules.verify().clearFor());
    assertEquals(defaults.outOfDoorway(), rules.outOfDoorway());
    assertEquals(defaults.parkingOverflow(), rules.parkingOverflow());
    assertEquals(Duration.ofMinutes(3), defaults.illegalStall().dwell(), "defaults untouched");
    assertSame(defaults, map.zone("JS-Z-F01").orElseThrow().rules(), "other zones untouched");
  }

  @Test
  void bundledExample_marketOverride() {
    BlockMap map = BlockMapLoader.loadBundledExamples().block("yongkang-road").orElseThrow();
    assertEquals(
        Duration.ofMinutes(10), map.zone("YK-Z-M1").orElseThrow().rules().illegalStall().dwell());
  }

  @Test
  void javaSerialization_roundTrip_keepsEverythingAndTheIndexes() throws Exception {
    BlockMap map = BlockMapFixtures.lingyanSouth();
    BlockMap copy = roundTrip(map);
    assertNotSame(map, copy);
    assertEquals(map, copy);
    assertEquals(map.hashCode(), copy.hashCode());
    assertEquals(map.zone("LY-Z-F123"), copy.zone("LY-Z-F123"));
    assertEquals(map.sensorsInZone("LY-Z-P3"), copy.sensorsInZone("LY-Z-P3"));
    assertEquals(map.camerasViewing("LY-Z-M1"), copy.camerasViewing("LY-Z-M1"));
    assertEquals(
        map.routeTeam(ViolationType.OUT_OF_DOORWAY_TRADING, "ktv"),
        copy.routeTeam(ViolationType.OUT_OF_DOORWAY_TRADING, "ktv"));

    BlockMaps maps = BlockMaps.of(map, jiashanLane());
    assertEquals(maps, roundTrip(maps));
  }

  @SuppressWarnings("unchecked")
  private static <T> T roundTrip(T value) throws IOException, ClassNotFoundException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return (T) in.readObject();
    }
  }

  @Test
  void model_isImmutable() {
    BlockMap map = jiashanLane();
    assertThrows(UnsupportedOperationException.class, () -> map.zones().clear());
    assertThrows(UnsupportedOperationException.class, () -> map.deadlines().clear());
    assertThrows(
        UnsupportedOperationException.class, () -> map.rules().outOfDoorway().classes().clear());
    assertThrows(
        UnsupportedOperationException.class,
        () -> map.zone("JS-Z-P1").orElseThrow().noParking().clear());
    assertThrows(UnsupportedOperationException.class, () -> map.sensorsInZone("JS-Z-P1").clear());
  }

  @Test
  void blockMapsOf_refusesTwoMapsOfOneBlock() {
    BlockMap map = jiashanLane();
    assertThrows(IllegalArgumentException.class, () -> BlockMaps.of(map, map));
  }

  @Test
  void zoneKind_yamlSpelling() {
    assertEquals("no_vending", ZoneKind.NO_VENDING.yamlName());
    assertEquals(ZoneKind.NO_PARKING, ZoneKind.fromYaml("no_parking"));
    assertThrows(IllegalArgumentException.class, () -> ZoneKind.fromYaml("NO_PARKING"));
  }
}
