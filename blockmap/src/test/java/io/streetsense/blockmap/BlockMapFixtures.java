package io.streetsense.blockmap;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.testing.RepositoryBlockMaps;
import java.io.StringReader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Block maps for tests: a small valid map to break in one place, and the shared maps. */
final class BlockMapFixtures {
  private BlockMapFixtures() {}

  static final String FILE = "mini.yaml";

  /** A cut-down jiashan-lane: one zone of every kind, each list short, everything valid. */
  static final String MINI =
      """
      block: jiashan-lane
      name: Jiashan old market
      district: Xuhui
      subdistrict: Tianping
      timezone: Asia/Shanghai
      teams:
        - {id: xh-tianping-chengguan, name: Tianping urban management squad}
        - {id: xh-market-supervision, name: Xuhui market supervision}
        - {id: xh-traffic-police, name: Xuhui traffic police}
      routing:
        - {type: OUT_OF_DOORWAY_TRADING, categories: [restaurant, bar], team: xh-market-supervision}
        - {type: OUT_OF_DOORWAY_TRADING, team: xh-tianping-chengguan}
        - {type: ILLEGAL_STALL, team: xh-tianping-chengguan}
        - {type: PARKING_OVERFLOW, team: xh-traffic-police}
      deadlines:
        OUT_OF_DOORWAY_TRADING: {accept: PT15M, resolve: PT2H}
        ILLEGAL_STALL: {accept: PT10M, resolve: PT1H}
        PARKING_OVERFLOW: {accept: PT10M, resolve: PT45M}
      rules:
        out_of_doorway: {classes: [goods, table], min_conf: 0.5, dwell: PT5M, presence: 0.6}
        illegal_stall: {classes: [stall, cart], min_conf: 0.5, dwell: PT3M, presence: 0.6, max_drift: 0.03}
        parking_overflow: {occupancy: 1.0, vehicles: 2, dwell: PT10M}
        verify: {clear_for: PT5M}
      shops:
        - {id: JS-S-01, name: Noodle house, category: restaurant, outdoor: []}
        - {id: JS-S-02, name: Old Market tavern, category: bar, outdoor: [{days: [FRI, SAT], from: "18:00", to: "22:00"}]}
      zones:
        - {id: JS-Z-F01, kind: frontage, shop: JS-S-01, location: [31.21061, 121.45732]}
        - {id: JS-Z-F02, kind: frontage, shop: JS-S-02, location: [31.21058, 121.45741]}
        - {id: JS-Z-NV1, kind: no_vending, location: [31.21048, 121.45746]}
        - {id: JS-Z-M1, kind: market, location: [31.21066, 121.45768], schedule: [{days: [SAT, SUN], from: "16:00", to: "21:00"}]}
        - {id: JS-Z-P1, kind: parking, capacity: 2, location: [31.21070, 121.45712], no_parking: [JS-Z-NP1], alternatives: [JS-Z-P2]}
        - {id: JS-Z-P2, kind: parking, capacity: 1, location: [31.21090, 121.45700]}
        - {id: JS-Z-NP1, kind: no_parking, location: [31.21068, 121.45722]}
      sensors:
        - {id: JS-P-01, zone: JS-Z-P1, berth: B01}
        - {id: JS-P-02, zone: JS-Z-P1, berth: B02}
        - {id: JS-P-03, zone: JS-Z-P2, berth: S01}
      cameras:
        - id: JS-C-01
          views:
            - {zone: JS-Z-F01, polygon: [[0.00, 0.55], [0.50, 0.55], [0.50, 0.72], [0.00, 0.72]]}
            - {zone: JS-Z-F02, polygon: [[0.50, 0.55], [1.00, 0.55], [1.00, 0.72], [0.50, 0.72]]}
            - {zone: JS-Z-NV1, polygon: [[0.00, 0.72], [1.00, 0.72], [1.00, 1.00], [0.00, 1.00]]}
        - id: JS-C-03
          views:
            - {zone: JS-Z-M1, polygon: [[0.00, 0.40], [0.60, 0.40], [0.60, 0.80], [0.00, 0.80]]}
            - {zone: JS-Z-NP1, polygon: [[0.60, 0.50], [1.00, 0.50], [1.00, 1.00], [0.60, 1.00]]}
      """;

  static BlockMap parse(String yaml) {
    return BlockMapLoader.parse(FILE, new StringReader(yaml));
  }

  /** {@link #MINI} with the first occurrence of {@code from} replaced; fails if there is none. */
  static String mini(String from, String to) {
    assertTrue(MINI.contains(from), () -> "the fixture does not contain: " + from);
    return MINI.replaceFirst(Pattern.quote(from), Matcher.quoteReplacement(to));
  }

  /** Parses {@link #MINI} with one edit, expecting it to be refused. */
  static BlockMapException refused(String from, String to) {
    return refused(mini(from, to));
  }

  static BlockMapException refused(String yaml) {
    return assertThrows(BlockMapException.class, () -> parse(yaml));
  }

  static void assertContains(String actual, String... parts) {
    for (String part : parts) {
      assertTrue(
          actual != null && actual.contains(part),
          () -> "expected <" + actual + "> to contain <" + part + ">");
    }
  }

  static void assertEndsWith(String actual, String suffix) {
    assertTrue(
        actual != null && actual.endsWith(suffix),
        () -> "expected <" + actual + "> to end with <" + suffix + ">");
  }

  static void assertStartsWith(String actual, String prefix) {
    assertTrue(
        actual != null && actual.startsWith(prefix),
        () -> "expected <" + actual + "> to start with <" + prefix + ">");
  }

  /** 1-based line of the first line of {@code yaml} containing {@code text}. */
  static int lineOf(String yaml, String text) {
    String[] lines = yaml.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].contains(text)) {
        return i + 1;
      }
    }
    throw new AssertionError("no line contains " + text);
  }

  static BlockMap jiashanLane() {
    return BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
  }

  static BlockMap lingyanSouth() {
    return BlockMapLoader.load(RepositoryBlockMaps.file("lingyan-south"));
  }
}
