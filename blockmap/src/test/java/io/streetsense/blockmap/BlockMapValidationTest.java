package io.streetsense.blockmap;

import static io.streetsense.blockmap.BlockMapFixtures.FILE;
import static io.streetsense.blockmap.BlockMapFixtures.MINI;
import static io.streetsense.blockmap.BlockMapFixtures.assertContains;
import static io.streetsense.blockmap.BlockMapFixtures.assertEndsWith;
import static io.streetsense.blockmap.BlockMapFixtures.assertStartsWith;
import static io.streetsense.blockmap.BlockMapFixtures.lineOf;
import static io.streetsense.blockmap.BlockMapFixtures.mini;
import static io.streetsense.blockmap.BlockMapFixtures.parse;
import static io.streetsense.blockmap.BlockMapFixtures.refused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalTime;
import java.util.OptionalInt;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kind of bad map fails at load, naming file, line, key and value. */
class BlockMapValidationTest {

  @Test
  void fixture_isValid() {
    BlockMap map = parse(MINI);
    assertEquals(7, map.zones().size());
  }

  @Test
  void message_namesFileLineKeyAndValueAsWritten() {
    String yaml =
        mini(
            "[[0.00, 0.55], [0.50, 0.55], [0.50, 0.72], [0.00, 0.72]]",
            "[[0.00, 0.55], [0.50, 0.55]]");
    BlockMapException e = refused(yaml);
    int line = lineOf(yaml, "{zone: JS-Z-F01, polygon");
    assertEquals(
        FILE
            + ":"
            + line
            + ": cameras[JS-C-01].views[0].polygon: a polygon needs at least 3 points,"
            + " got [[0.00, 0.55], [0.50, 0.55]]",
        e.getMessage());
    assertEquals(FILE, e.file());
    assertEquals(OptionalInt.of(line), e.line());
    assertEquals("cameras[JS-C-01].views[0].polygon", e.key());
    assertEquals("[[0.00, 0.55], [0.50, 0.55]]", e.value());
  }

  @Nested
  class Structure {
    @Test
    void missingTopLevelKey_isNamed() {
      BlockMapException e = refused("timezone: Asia/Shanghai\n", "");
      assertEquals("timezone", e.key());
      assertNull(e.value());
      assertEndsWith(e.getMessage(), "timezone: required key is missing");
    }

    @Test
    void missingZoneKey_isNamedWithTheZone() {
      BlockMapException e = refused(", location: [31.21048, 121.45746]", "");
      assertEquals("zones[JS-Z-NV1].location", e.key());
      assertEquals(OptionalInt.of(lineOf(MINI, "{id: JS-Z-NV1")), e.line());
    }

    @Test
    void missingId_isAddressedByIndex() {
      BlockMapException e = refused("{id: JS-Z-NV1, kind", "{kind");
      assertEquals("zones[2].id", e.key());
    }

    @Test
    void wrongType_capacityAsText() {
      BlockMapException e = refused("capacity: 2", "capacity: \"eight\"");
      assertEquals("zones[JS-Z-P1].capacity", e.key());
      assertEquals("\"eight\"", e.value());
      assertEndsWith(e.getMessage(), "expected a whole number, got \"eight\"");
    }

    @Test
    void wrongType_numberAsText() {
      BlockMapException e = refused("min_conf: 0.5, dwell: PT5M", "min_conf: high, dwell: PT5M");
      assertEquals("rules.out_of_doorway.min_conf", e.key());
      assertEndsWith(e.getMessage(), "expected a number, got high");
    }

    @Test
    void wrongType_listWhereAMappingBelongs() {
      BlockMapException e = refused("verify: {clear_for: PT5M}", "verify: [PT5M]");
      assertEquals("rules.verify", e.key());
      assertContains(e.getMessage(), "expected a mapping");
    }

    @Test
    void unknownTopLevelKey_listsTheAllowedKeys() {
      BlockMapException e = refused(MINI + "zone: []\n");
      assertEquals("zone", e.key());
      assertContains(e.getMessage(), "unknown key 'zone'; did you mean 'zones'?");
      assertContains(
          e.getMessage(), "allowed keys: block, name, district, subdistrict, timezone, teams");
    }

    @Test
    void unknownZoneKey_isTypoProtection() {
      BlockMapException e = refused("{id: JS-Z-NV1, kind:", "{id: JS-Z-NV1, kinds:");
      assertEquals("zones[JS-Z-NV1].kinds", e.key());
      assertContains(e.getMessage(), "did you mean 'kind'?");
      assertContains(e.getMessage(), "allowed keys: id, kind, shop, location, capacity");
    }

    @Test
    void duplicateYamlKey_isRefused() {
      BlockMapException e = refused("name: Jiashan old market\n", "name: A\nname: B\n");
      assertEquals("name", e.key());
      assertContains(e.getMessage(), "duplicate key 'name'");
    }

    @Test
    void brokenYaml_reportsTheLine() {
      String yaml =
          mini("  - {id: JS-P-02, zone: JS-Z-P1, berth: B02}", "  - {id: JS-P-02, zone: [");
      BlockMapException e = refused(yaml);
      assertNull(e.key());
      assertTrue(e.line().isPresent());
      assertStartsWith(e.getMessage(), FILE + ":");
      assertContains(e.getMessage(), "not valid YAML");
    }

    @Test
    void emptyFile_isRefused() {
      assertContains(refused("# nothing here\n").getMessage(), "holds no block map");
    }
  }

  @Nested
  class Ids {
    @ParameterizedTest(name = "{0}")
    @CsvSource(
        delimiter = '|',
        value = {
          "team   | {id: xh-traffic-police, | {id: xh-market-supervision, | teams[2].id",
          "shop   | {id: JS-S-02,           | {id: JS-S-01,               | shops[1].id",
          "zone   | {id: JS-Z-F02,          | {id: JS-Z-F01,              | zones[1].id",
          "sensor | {id: JS-P-02,           | {id: JS-P-01,               | sensors[1].id",
          "camera | id: JS-C-03             | id: JS-C-01                 | cameras[1].id",
        })
    void duplicateId_isRefused(String what, String from, String to, String key) {
      BlockMapException e = refused(from, to);
      assertEquals(key, e.key());
      assertContains(e.getMessage(), "duplicate " + what + " id");
      assertContains(e.getMessage(), "already used at line");
    }

    @ParameterizedTest
    @ValueSource(strings = {"jiashan/lane", "jiashan+lane", "jiashan#", "jiashan lane", "\"\""})
    void blockId_mustBeUsableAsAnMqttTopicLevel(String id) {
      BlockMapException e = refused("block: jiashan-lane", "block: " + id);
      assertEquals("block", e.key());
    }

    @Test
    void sensorId_mustBeUsableAsAnMqttTopicLevel() {
      BlockMapException e = refused("{id: JS-P-02,", "{id: JS-P/02,");
      assertEquals("sensors[1].id", e.key());
      assertContains(e.getMessage(), "MQTT topic level");
    }

    @Test
    void timezone_mustBeKnown() {
      BlockMapException e = refused("timezone: Asia/Shanghai", "timezone: Asia/Shangai");
      assertEquals("timezone", e.key());
      assertEquals("Asia/Shangai", e.value());
      assertContains(e.getMessage(), "unknown time zone");
    }
  }

  @Nested
  class Zones {
    @Test
    void unknownKind_listsTheKinds() {
      BlockMapException e = refused("kind: no_vending", "kind: no-vending");
      assertEquals("zones[JS-Z-NV1].kind", e.key());
      assertEndsWith(
          e.getMessage(),
          "unknown zone kind; expected one of frontage, no_vending, market, parking,"
              + " no_parking, got no-vending");
    }

    @Test
    void unknownShop_isRefused() {
      BlockMapException e = refused("shop: JS-S-02", "shop: JS-S-99");
      assertEquals("zones[JS-Z-F02].shop", e.key());
      assertEquals("JS-S-99", e.value());
    }

    @Test
    void frontageWithoutShop_isRefused() {
      BlockMapException e = refused("shop: JS-S-02, ", "");
      assertEquals("zones[JS-Z-F02].shop", e.key());
      assertContains(e.getMessage(), "a frontage zone needs the shop");
    }

    @Test
    void locationOutOfRange_isRefused() {
      BlockMapException e = refused("[31.21048, 121.45746]", "[131.21048, 121.45746]");
      assertEquals("zones[JS-Z-NV1].location", e.key());
      assertContains(e.getMessage(), "latitude must be within -90..90");
    }

    @Test
    void swappedLocation_getsAHint() {
      BlockMapException e = refused("[31.21048, 121.45746]", "[121.45746, 31.21048]");
      assertContains(e.getMessage(), "swapped");
    }

    @Test
    void longitudeOutOfRange_isRefused() {
      BlockMapException e = refused("[31.21048, 121.45746]", "[31.21048, 221.45746]");
      assertContains(e.getMessage(), "longitude must be within -180..180");
    }

    @ParameterizedTest
    @ValueSource(strings = {"capacity: 0", "capacity: -3"})
    void parkingZone_needsPositiveCapacity(String capacity) {
      BlockMapException e = refused("capacity: 2", capacity);
      assertEquals("zones[JS-Z-P1].capacity", e.key());
      assertContains(e.getMessage(), "a parking zone needs a positive capacity");
    }

    @Test
    void parkingZone_withoutCapacity_isRefused() {
      BlockMapException e = refused("capacity: 2, ", "");
      assertEquals("zones[JS-Z-P1].capacity", e.key());
      assertNull(e.value());
    }

    @Test
    void capacity_onlyOnParkingZones() {
      BlockMapException e =
          refused(
              "{id: JS-Z-NV1, kind: no_vending,", "{id: JS-Z-NV1, kind: no_vending, capacity: 3,");
      assertEquals("zones[JS-Z-NV1].capacity", e.key());
      assertContains(e.getMessage(), "only a parking zone has capacity");
    }

    @Test
    void noParking_referencingUnknownZone_isRefused() {
      BlockMapException e = refused("no_parking: [JS-Z-NP1]", "no_parking: [JS-Z-NP9]");
      assertEquals("zones[JS-Z-P1].no_parking[0]", e.key());
      assertEquals("JS-Z-NP9", e.value());
      assertContains(e.getMessage(), "unknown zone");
    }

    @Test
    void noParking_referencingZoneOfWrongKind_isRefused() {
      BlockMapException e = refused("no_parking: [JS-Z-NP1]", "no_parking: [JS-Z-NV1]");
      assertEquals("zones[JS-Z-P1].no_parking[0]", e.key());
      assertContains(e.getMessage(), "expected a no_parking zone, but JS-Z-NV1 is no_vending");
    }

    @Test
    void alternatives_referencingZoneOfWrongKind_isRefused() {
      BlockMapException e = refused("alternatives: [JS-Z-P2]", "alternatives: [JS-Z-NP1]");
      assertEquals("zones[JS-Z-P1].alternatives[0]", e.key());
      assertContains(e.getMessage(), "expected a parking zone, but JS-Z-NP1 is no_parking");
    }

    @Test
    void alternatives_referencingUnknownZone_isRefused() {
      BlockMapException e = refused("alternatives: [JS-Z-P2]", "alternatives: [JS-Z-P3]");
      assertEquals("zones[JS-Z-P1].alternatives[0]", e.key());
    }

    @Test
    void alternatives_referencingItself_isRefused() {
      BlockMapException e = refused("alternatives: [JS-Z-P2]", "alternatives: [JS-Z-P1]");
      assertContains(e.getMessage(), "cannot refer to itself");
    }

    @Test
    void market_needsSchedule() {
      BlockMapException e =
          refused(", schedule: [{days: [SAT, SUN], from: \"16:00\", to: \"21:00\"}]", "");
      assertEquals("zones[JS-Z-M1].schedule", e.key());
    }

    @Test
    void schedule_onlyOnMarkets() {
      BlockMapException e =
          refused(
              "{id: JS-Z-NV1, kind: no_vending,",
              "{id: JS-Z-NV1, kind: no_vending, schedule: [{days: [SAT], from: \"16:00\", to: \"21:00\"}],");
      assertEquals("zones[JS-Z-NV1].schedule", e.key());
    }
  }

  @Nested
  class TimeWindows {
    @Test
    void fromEqualTo_isRefused() {
      BlockMapException e = refused("to: \"21:00\"", "to: \"16:00\"");
      assertEquals("zones[JS-Z-M1].schedule[0].to", e.key());
      assertContains(e.getMessage(), "from and to are equal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"4pm\"", "\"25:00\"", "\"16:60\"", "\"6:00\"", "\"16.00\""})
    void badClockTime_isRefused(String time) {
      BlockMapException e = refused("from: \"16:00\"", "from: " + time);
      assertEquals("zones[JS-Z-M1].schedule[0].from", e.key());
      assertEquals(time, e.value());
      assertContains(e.getMessage(), "expected a time of day as \"HH:MM\"");
    }

    @Test
    void midnightAs2400_getsAHint() {
      BlockMapException e = refused("to: \"21:00\"", "to: \"24:00\"");
      assertContains(e.getMessage(), "write midnight as \"00:00\"");
    }

    @Test
    void unquotedClockTime_isReadAsWritten() {
      // YAML 1.1 reads an unquoted 16:00 as the integer 960; the loader reads the text.
      BlockMap map = parse(mini("from: \"16:00\"", "from: 16:00"));
      assertEquals(LocalTime.of(16, 0), map.zone("JS-Z-M1").orElseThrow().schedule().get(0).from());
    }

    @Test
    void unknownWeekday_isRefused() {
      BlockMapException e = refused("days: [SAT, SUN]", "days: [SAT, SNU]");
      assertEquals("zones[JS-Z-M1].schedule[0].days[1]", e.key());
      assertContains(e.getMessage(), "unknown weekday; expected one of MON, TUE");
    }

    @Test
    void emptyDays_isRefused() {
      BlockMapException e = refused("days: [SAT, SUN]", "days: []");
      assertEquals("zones[JS-Z-M1].schedule[0].days", e.key());
    }

    @Test
    void shopPermitWindow_isValidatedToo() {
      BlockMapException e = refused("days: [FRI, SAT]", "days: [FRIDAY, SATURDAY, HOLIDAY]");
      assertEquals("shops[JS-S-02].outdoor[0].days[2]", e.key());
    }
  }

  @Nested
  class Routing {
    @Test
    void unknownViolationType_isRefused() {
      BlockMapException e = refused("{type: ILLEGAL_STALL,", "{type: ILLEGAL_STAL,");
      assertEquals("routing[2].type", e.key());
      assertContains(
          e.getMessage(),
          "unknown violation type; expected one of OUT_OF_DOORWAY_TRADING, ILLEGAL_STALL,"
              + " PARKING_OVERFLOW");
    }

    @Test
    void unknownTeam_isRefused() {
      BlockMapException e = refused("team: xh-traffic-police}", "team: xh-traffic-polis}");
      assertEquals("routing[3].team", e.key());
      assertContains(e.getMessage(), "unknown team; teams of this block: xh-tianping-chengguan");
    }

    @Test
    void typeWithoutAnyLine_isRefused() {
      BlockMapException e = refused("  - {type: PARKING_OVERFLOW, team: xh-traffic-police}\n", "");
      assertEquals("routing", e.key());
      assertEquals("PARKING_OVERFLOW", e.value());
      assertContains(e.getMessage(), "no line routes PARKING_OVERFLOW");
    }

    @Test
    void typeRoutedOnlyForSomeCategories_isRefused() {
      BlockMapException e =
          refused("  - {type: OUT_OF_DOORWAY_TRADING, team: xh-tianping-chengguan}\n", "");
      assertContains(e.getMessage(), "no line routes OUT_OF_DOORWAY_TRADING");
    }

    @Test
    void lineAfterACatchAll_canNeverMatch() {
      String yaml =
          mini(
              "  - {type: ILLEGAL_STALL, team: xh-tianping-chengguan}\n",
              "  - {type: ILLEGAL_STALL, team: xh-tianping-chengguan}\n"
                  + "  - {type: ILLEGAL_STALL, categories: [bar], team: xh-market-supervision}\n");
      BlockMapException e = refused(yaml);
      assertEquals("routing[3]", e.key());
      assertContains(e.getMessage(), "can never match: routing[2]");
    }

    @Test
    void emptyCategories_isRefused() {
      BlockMapException e = refused("categories: [restaurant, bar]", "categories: []");
      assertEquals("routing[0].categories", e.key());
    }
  }

  @Nested
  class DeadlineValues {
    @Test
    void unknownType_isRefused() {
      BlockMapException e =
          refused(
              "  PARKING_OVERFLOW: {accept: PT10M, resolve: PT45M}\n",
              "  PARKING_OVERFLOW: {accept: PT10M, resolve: PT45M}\n"
                  + "  PARKING_OVERFLO: {accept: PT10M, resolve: PT45M}\n");
      assertEquals("deadlines.PARKING_OVERFLO", e.key());
      assertContains(e.getMessage(), "did you mean 'PARKING_OVERFLOW'?");
    }

    @Test
    void missingType_isRefused() {
      BlockMapException e = refused("  PARKING_OVERFLOW: {accept: PT10M, resolve: PT45M}\n", "");
      assertEquals("deadlines.PARKING_OVERFLOW", e.key());
      assertContains(e.getMessage(), "required key is missing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "-PT10M"})
    void nonPositiveDuration_isRefused(String duration) {
      BlockMapException e =
          refused("{accept: PT10M, resolve: PT1H}", "{accept: " + duration + ", resolve: PT1H}");
      assertEquals("deadlines.ILLEGAL_STALL.accept", e.key());
      assertEndsWith(e.getMessage(), "must be a positive duration, got " + duration);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10 minutes", "10", "PT10"})
    void unparseableDuration_isRefused(String duration) {
      BlockMapException e =
          refused("{accept: PT10M, resolve: PT1H}", "{accept: " + duration + ", resolve: PT1H}");
      assertEquals("deadlines.ILLEGAL_STALL.accept", e.key());
      assertContains(e.getMessage(), "expected an ISO-8601 duration");
    }
  }

  @Nested
  class RuleValues {
    @ParameterizedTest(name = "{1}")
    @CsvSource(
        delimiter = '|',
        value = {
          "presence: 0.6}           | presence: 1.5}           | rules.out_of_doorway.presence",
          "presence: 0.6}           | presence: 0}             | rules.out_of_doorway.presence",
          "min_conf: 0.5, dwell: PT5M | min_conf: -0.1, dwell: PT5M | rules.out_of_doorway.min_conf",
          "min_conf: 0.5, dwell: PT3M | min_conf: .nan, dwell: PT3M | rules.illegal_stall.min_conf",
          "max_drift: 0.03          | max_drift: -0.01         | rules.illegal_stall.max_drift",
          "occupancy: 1.0           | occupancy: 1.2           | rules.parking_overflow.occupancy",
          "occupancy: 1.0           | occupancy: 0.0           | rules.parking_overflow.occupancy",
          "vehicles: 2              | vehicles: 0              | rules.parking_overflow.vehicles",
          "vehicles: 2              | vehicles: 1.5            | rules.parking_overflow.vehicles",
          "dwell: PT10M             | dwell: PT0S              | rules.parking_overflow.dwell",
          "clear_for: PT5M          | clear_for: -PT5M         | rules.verify.clear_for",
        })
    void valueOutOfRange_isRefused(String from, String to, String key) {
      BlockMapException e = refused(from, to);
      assertEquals(key, e.key());
    }

    @Test
    void missingRuleKey_isRefused() {
      BlockMapException e = refused(", max_drift: 0.03", "");
      assertEquals("rules.illegal_stall.max_drift", e.key());
    }

    @Test
    void unknownClass_isKept() {
      BlockMap map = parse(mini("classes: [stall, cart]", "classes: [stall, cart, hawker_bike]"));
      assertTrue(map.rules().illegalStall().classes().contains("hawker_bike"));
    }

    @Test
    void emptyClassList_isRefused() {
      BlockMapException e = refused("classes: [stall, cart]", "classes: []");
      assertEquals("rules.illegal_stall.classes", e.key());
      assertContains(e.getMessage(), "an empty class list would never detect anything");
    }

    @Test
    void zoneOverride_isValidatedAtTheZone() {
      BlockMapException e =
          refused(
              "{id: JS-Z-NV1, kind: no_vending,",
              "{id: JS-Z-NV1, kind: no_vending, rules: {illegal_stall: {dwell: PT0S}},");
      assertEquals("zones[JS-Z-NV1].rules.illegal_stall.dwell", e.key());
      assertEquals(OptionalInt.of(lineOf(MINI, "{id: JS-Z-NV1")), e.line());
    }

    @Test
    void zoneOverride_unknownSection_isRefused() {
      BlockMapException e =
          refused(
              "{id: JS-Z-NV1, kind: no_vending,",
              "{id: JS-Z-NV1, kind: no_vending, rules: {ilegal_stall: {dwell: PT5M}},");
      assertEquals("zones[JS-Z-NV1].rules.ilegal_stall", e.key());
      assertContains(e.getMessage(), "did you mean 'illegal_stall'?");
    }

    @Test
    void zoneOverride_unknownKey_isRefused() {
      BlockMapException e =
          refused(
              "{id: JS-Z-NV1, kind: no_vending,",
              "{id: JS-Z-NV1, kind: no_vending, rules: {illegal_stall: {dwel: PT5M}},");
      assertEquals("zones[JS-Z-NV1].rules.illegal_stall.dwel", e.key());
    }
  }

  @Nested
  class SensorsAndCameras {
    @Test
    void sensorInUnknownZone_isRefused() {
      BlockMapException e = refused("zone: JS-Z-P2, berth", "zone: JS-Z-P9, berth");
      assertEquals("sensors[JS-P-03].zone", e.key());
      assertEndsWith(e.getMessage(), "unknown zone, got JS-Z-P9");
    }

    @Test
    void sensorInZoneThatIsNotParking_isRefused() {
      BlockMapException e = refused("zone: JS-Z-P2, berth", "zone: JS-Z-NP1, berth");
      assertEquals("sensors[JS-P-03].zone", e.key());
      assertContains(
          e.getMessage(), "berth sensors belong in parking zones, but JS-Z-NP1 is no_parking");
    }

    @Test
    void twoSensorsOnOneBerth_isRefused() {
      BlockMapException e = refused("berth: B02", "berth: B01");
      assertEquals("sensors[JS-P-02].berth", e.key());
      assertContains(e.getMessage(), "already has sensor JS-P-01");
    }

    @Test
    void moreSensorsThanCapacity_isRefused() {
      BlockMapException e = refused("zone: JS-Z-P2, berth: S01", "zone: JS-Z-P1, berth: B03");
      assertEquals("sensors[JS-P-03].zone", e.key());
      assertContains(e.getMessage(), "zone JS-Z-P1 has capacity 2");
    }

    @Test
    void cameraViewOfUnknownZone_isRefused() {
      BlockMapException e = refused("{zone: JS-Z-NP1, polygon", "{zone: JS-Z-NP2, polygon");
      assertEquals("cameras[JS-C-03].views[1].zone", e.key());
    }

    @Test
    void cameraWithoutViews_isRefused() {
      String yaml =
          MINI.substring(0, MINI.indexOf("  - id: JS-C-03")) + "  - {id: JS-C-03, views: []}\n";
      BlockMapException e = refused(yaml);
      assertEquals("cameras[JS-C-03].views", e.key());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1.50, 0.72]", "[0.50, -0.01]", "[.nan, 0.72]"})
    void polygonCoordinateOutsideTheImage_isRefused(String point) {
      BlockMapException e = refused("[0.50, 0.72], [0.00, 0.72]]}", point + ", [0.00, 0.72]]}");
      assertEquals("cameras[JS-C-01].views[0].polygon[2]", e.key());
      assertEquals(point, e.value());
      assertContains(e.getMessage(), "image coordinates must be within 0..1");
    }

    @Test
    void polygonWithoutArea_isRefused() {
      BlockMapException e =
          refused(
              "[[0.00, 0.55], [0.50, 0.55], [0.50, 0.72], [0.00, 0.72]]",
              "[[0.00, 0.55], [0.25, 0.55], [0.50, 0.55]]");
      assertEquals("cameras[JS-C-01].views[0].polygon", e.key());
      assertContains(e.getMessage(), "non-zero area");
    }
  }
}
