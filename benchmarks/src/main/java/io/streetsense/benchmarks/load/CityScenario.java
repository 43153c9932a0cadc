package io.streetsense.benchmarks.load;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Shop;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.simulator.Background;
import io.streetsense.simulator.CameraNoise;
import io.streetsense.simulator.GroundTruth;
import io.streetsense.simulator.IllegalStall;
import io.streetsense.simulator.OutOfDoorwayGoods;
import io.streetsense.simulator.Script;
import io.streetsense.simulator.ScriptedDay;
import io.streetsense.simulator.ScriptedEvent;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.simulator.VehiclesInNoParking;
import io.streetsense.simulator.ZoneFull;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The load-test city's street life: one {@link StreetScenario} per block (every sensor and camera,
 * busy-street passers-by and the issue-4 camera noise, as {@link ScriptedDay} plays them) with a
 * chosen mix of violations and near-misses scripted over the whole event-time span, and the ground
 * truth that goes with it. Pure and deterministic for (maps, seed, start, span, mix): the generator
 * plays it and the measurement rebuilds it to score what the pipeline opened.
 *
 * <p>Only situations whose verdict does not depend on the time of day are scripted (stalls in
 * no-vending lanes, goods in front of shops without an outdoor permit, parking overflow), so the
 * city can start at any hour. Two counted events never share a zone within {@link #ZONE_GAP};
 * violations last at least 3 minutes beyond the rule's dwell, near-misses end at least a minute
 * before it.
 */
final class CityScenario {
  static final Duration ZONE_GAP = Duration.ofMinutes(12);
  private static final Duration OVER = Duration.ofMinutes(3);
  private static final Duration UNDER = Duration.ofMinutes(1);

  /**
   * Scripted events per block and hour of event time.
   *
   * @param stalls illegal stalls standing longer than the dwell
   * @param goods goods, racks or signs outside a shop longer than the dwell
   * @param overflows a parking zone full while vehicles stand at its kerb longer than the dwell
   * @param nearMisses stalls and goods (half each) that leave before the dwell: must not open
   */
  record Mix(double stalls, double goods, double overflows, double nearMisses) {
    static final Mix DEFAULT = new Mix(6, 6, 2, 4);

    Mix {
      for (double v : new double[] {stalls, goods, overflows, nearMisses}) {
        if (!(v >= 0 && v <= 60)) {
          throw new IllegalArgumentException("mix rates must be within 0..60 per hour, got " + v);
        }
      }
    }

    /** {@code stalls=6,goods=6,overflow=2,near-misses=4} (any subset; the rest default). */
    static Mix parse(String spec) {
      Map<String, Double> v = new HashMap<>();
      for (String part : spec.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        String[] kv = part.split("=", 2);
        if (kv.length != 2) {
          throw new IllegalArgumentException("mix: expected name=rate, got '" + part + "'");
        }
        String key = kv[0].trim().toLowerCase(Locale.ROOT);
        if (!List.of("stalls", "goods", "overflow", "near-misses").contains(key)) {
          throw new IllegalArgumentException(
              "mix: unknown '" + key + "'; use stalls, goods, overflow, near-misses");
        }
        v.put(key, Double.parseDouble(kv[1].trim()));
      }
      return new Mix(
          v.getOrDefault("stalls", DEFAULT.stalls),
          v.getOrDefault("goods", DEFAULT.goods),
          v.getOrDefault("overflow", DEFAULT.overflows),
          v.getOrDefault("near-misses", DEFAULT.nearMisses));
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "stalls=%s,goods=%s,overflow=%s,near-misses=%s",
          fmt(stalls),
          fmt(goods),
          fmt(overflows),
          fmt(nearMisses));
    }

    private static String fmt(double d) {
      return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
  }

  /** Noise and background of the city's cameras. */
  enum Street {
    /** The detection-accuracy day's busy street and 20 % missed frames ({@link ScriptedDay}). */
    DAY(ScriptedDay.NOISE, ScriptedDay.BACKGROUND),
    /** The demo's quiet lane and mild noise. */
    MILD(CameraNoise.MILD, Background.QUIET_LANE);

    final CameraNoise noise;
    final Background background;

    Street(CameraNoise noise, Background background) {
      this.noise = noise;
      this.background = background;
    }
  }

  private final List<StreetScenario> scenarios;

  private CityScenario(List<StreetScenario> scenarios) {
    this.scenarios = List.copyOf(scenarios);
  }

  static CityScenario build(
      BlockMaps maps, long seed, Instant start, Duration span, Mix mix, Street street) {
    List<StreetScenario> out = new ArrayList<>();
    for (BlockMap block : maps.all()) {
      Script script = new Scripter(block, seed, span, mix).write();
      out.add(
          StreetScenario.builder(block)
              .start(start)
              .duration(span)
              .seed(seed)
              .noise(street.noise)
              .background(street.background)
              .script(script)
              .build());
    }
    return new CityScenario(out);
  }

  List<StreetScenario> scenarios() {
    return scenarios;
  }

  /** The ground truth of every block. */
  GroundTruth groundTruth() {
    GroundTruth all = null;
    for (StreetScenario s : scenarios) {
      all = all == null ? s.groundTruth() : all.plus(s.groundTruth());
    }
    return all;
  }

  /** Scripted events per kind, over the whole span. */
  Map<String, Integer> scriptedCounts() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (StreetScenario s : scenarios) {
      for (ScriptedEvent e : s.script().events()) {
        out.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      }
    }
    return out;
  }

  /** Writes one block's script. */
  private static final class Scripter {
    private final BlockMap block;
    private final Random random;
    private final Duration span;
    private final Mix mix;
    private final List<ScriptedEvent> events = new ArrayList<>();
    private final Map<String, List<long[]>> reserved = new HashMap<>();

    Scripter(BlockMap block, long seed, Duration span, Mix mix) {
      this.block = block;
      this.random = new Random(seed * 1_000_003L ^ block.id().hashCode());
      this.span = span;
      this.mix = mix;
    }

    Script write() {
      double hours = span.toMillis() / 3_600_000.0;
      List<Zone> lanes = watched(ZoneKind.NO_VENDING);
      List<Zone> unpermitted =
          watched(ZoneKind.FRONTAGE).stream()
              .filter(
                  z -> z.shop().flatMap(block::shop).map(Shop::outdoor).orElse(List.of()).isEmpty())
              .toList();
      overflows(count(mix.overflows() * hours));
      Duration stallDwell = block.rules().illegalStall().dwell();
      Duration goodsDwell = block.rules().outOfDoorway().dwell();
      for (int i = 0; i < count(mix.stalls() * hours); i++) {
        place(lanes, between(stallDwell.plus(OVER), stallDwell.plus(Duration.ofMinutes(12))), true);
      }
      for (int i = 0; i < count(mix.goods() * hours); i++) {
        place(
            unpermitted,
            between(goodsDwell.plus(OVER), goodsDwell.plus(Duration.ofMinutes(15))),
            false);
      }
      for (int i = 0; i < count(mix.nearMisses() * hours); i++) {
        boolean stall = i % 2 == 0;
        Duration dwell = stall ? stallDwell : goodsDwell;
        Duration length = between(Duration.ofSeconds(30), dwell.minus(UNDER));
        place(stall ? lanes : unpermitted, length, stall);
      }
      return new Script(events);
    }

    private void overflows(int n) {
      Duration dwell = block.rules().parkingOverflow().dwell();
      int needed = block.rules().parkingOverflow().vehicles();
      List<Zone[]> pairs = new ArrayList<>();
      for (Zone parking : block.zonesOfKind(ZoneKind.PARKING)) {
        if (block.sensorsInZone(parking.id()).isEmpty()) {
          continue;
        }
        for (String kerbId : parking.noParking()) {
          block
              .zone(kerbId)
              .filter(k -> !block.camerasViewing(k.id()).isEmpty())
              .ifPresent(k -> pairs.add(new Zone[] {parking, k}));
        }
      }
      if (pairs.isEmpty()) {
        return;
      }
      for (int i = 0; i < n; i++) {
        Zone[] pair = pairs.get(random.nextInt(pairs.size()));
        Duration standing = between(dwell.plus(OVER), dwell.plus(Duration.ofMinutes(8)));
        // Full from `full` (cars arrive in the minutes before it), vehicles from 2 min later,
        // the zone stays full 3 min after they left.
        Duration fullLength = standing.plus(Duration.ofMinutes(5));
        for (int attempt = 0; attempt < 50; attempt++) {
          long from = randomStart(fullLength, Duration.ofMinutes(10));
          long to = from + fullLength.toMillis();
          if (from < 0 || !isFree(pair[0].id(), from, to) || !isFree(pair[1].id(), from, to)) {
            continue;
          }
          reserve(pair[0].id(), from, to);
          reserve(pair[1].id(), from, to);
          events.add(new ZoneFull(pair[0].id(), ms(from), ms(to)));
          long vFrom = from + Duration.ofMinutes(2).toMillis();
          events.add(
              new VehiclesInNoParking(
                  pair[1].id(),
                  needed + random.nextInt(2),
                  ms(vFrom),
                  ms(vFrom + standing.toMillis())));
          break;
        }
      }
    }

    /** A stall or goods event of {@code length} in a free zone of {@code zones}, if one is. */
    private void place(List<Zone> zones, Duration length, boolean stall) {
      if (zones.isEmpty()) {
        return;
      }
      for (int attempt = 0; attempt < 50; attempt++) {
        Zone zone = zones.get(random.nextInt(zones.size()));
        long from = randomStart(length, Duration.ofMinutes(2));
        long to = from + length.toMillis();
        if (from < 0 || !isFree(zone.id(), from, to)) {
          continue;
        }
        reserve(zone.id(), from, to);
        if (stall) {
          List<String> classes = zone.rules().illegalStall().classes().stream().sorted().toList();
          events.add(
              IllegalStall.seenByAll(
                  zone.id(), ms(from), ms(to), classes.get(random.nextInt(classes.size()))));
        } else {
          List<String> allowed =
              zone.rules().outOfDoorway().classes().stream()
                  .filter(c -> List.of("goods", "rack", "sign").contains(c))
                  .sorted()
                  .toList();
          if (allowed.isEmpty()) {
            allowed = zone.rules().outOfDoorway().classes().stream().sorted().toList();
          }
          List<String> classes = new ArrayList<>();
          int k = 1 + random.nextInt(2);
          for (int i = 0; i < k; i++) {
            classes.add(allowed.get(random.nextInt(allowed.size())));
          }
          events.add(new OutOfDoorwayGoods(zone.id(), ms(from), ms(to), classes));
        }
        return;
      }
    }

    /** A start offset (ms) leaving {@code lead} before and a minute after; -1 if none fits. */
    private long randomStart(Duration length, Duration lead) {
      long earliest = lead.toMillis();
      long latest = span.toMillis() - length.toMillis() - 60_000;
      if (latest <= earliest) {
        return -1;
      }
      return earliest + (long) (random.nextDouble() * (latest - earliest)) / 1000 * 1000;
    }

    private boolean isFree(String zone, long from, long to) {
      long gap = ZONE_GAP.toMillis();
      for (long[] r : reserved.getOrDefault(zone, List.of())) {
        if (from < r[1] + gap && r[0] < to + gap) {
          return false;
        }
      }
      return true;
    }

    private void reserve(String zone, long from, long to) {
      reserved.computeIfAbsent(zone, z -> new ArrayList<>()).add(new long[] {from, to});
    }

    private List<Zone> watched(ZoneKind kind) {
      return block.zonesOfKind(kind).stream()
          .filter(z -> !block.camerasViewing(z.id()).isEmpty())
          .toList();
    }

    private int count(double expected) {
      // Whole events, the fraction by chance: rates below one per span still show up sometimes.
      int n = (int) Math.floor(expected);
      return n + (random.nextDouble() < expected - n ? 1 : 0);
    }

    private Duration between(Duration min, Duration max) {
      long s = Math.max(0, max.getSeconds() - min.getSeconds());
      return min.plusSeconds((long) (random.nextDouble() * (s + 1)));
    }

    private static Duration ms(long offset) {
      return Duration.ofMillis(offset);
    }
  }
}
