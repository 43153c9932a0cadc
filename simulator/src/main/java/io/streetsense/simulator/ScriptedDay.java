package io.streetsense.simulator;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.Shop;
import io.streetsense.blockmap.TimeWindow;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.simulator.internal.Seeds;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A whole day of street life on one block with known ground truth: what the detection-accuracy
 * benchmark plays. Built by {@link Scenarios#scriptedDay}; deterministic for a block, seed, day and
 * window.
 *
 * <p>What happens (times local, in the block's timezone; numbers for a 24 h window, fewer when the
 * window is shorter, because only events that fit the window entirely are kept):
 *
 * <ul>
 *   <li><b>Noise</b> ({@link #NOISE}): 20 % of the frames miss each present object, a tracker id
 *       switch every ~100 frames per object, confidence jitter 0.06, box jitter 0.004. Busy-street
 *       passers-by ({@link #BACKGROUND}).
 *   <li><b>Legal outdoor seating</b>: most shops with an outdoor permit put tables, chairs and an
 *       umbrella (fruit stands: goods and racks) out inside the permit window: no violation. Some
 *       leave them out past the permit end (a violation <em>from the permit end</em>), some take
 *       them in a minute or two after it (under the dwell: none), some put them out well before the
 *       permit starts (a violation until it starts).
 *   <li><b>Out-of-doorway trading</b>: {@link #GOODS} goods, racks or signs outside random shops
 *       for longer than the dwell, and {@link #GOODS_NEAR_MISSES} put out for less than the dwell
 *       (a delivery being carried in).
 *   <li><b>Illegal stalls</b>: {@link #STALLS} stalls, carts and tricycles standing in no-vending
 *       lanes for longer than the dwell (a few late-night food stalls among them), {@link
 *       #STALL_NEAR_MISSES} stopping for less than the dwell, {@link #VENDORS} vendors on the move
 *       who stop for under two minutes and walk on, and {@link #SETTLING_VENDORS} who stop for
 *       longer than the dwell.
 *   <li><b>Markets</b>: during each market window of the day, a row of stalls trades legally; one
 *       arrives well before the opening and one stays well after the close (violations), one
 *       arrives a minute early and one leaves a minute late (under the dwell: none). On a day
 *       without a market window a stall in the pitch is simply illegal.
 *   <li><b>Lingering</b>: {@link #PEOPLE} people standing for a while in front of shops and on the
 *       pavement, {@link #VANS} delivery vans unloading in the no-vending lanes and in front of
 *       shops, {@link #KERB_VANS} vans at the no-parking kerbs for under the overflow dwell: none
 *       of it a violation.
 *   <li><b>Parking</b>: each parking zone with a no-parking kerb fills up twice (late morning,
 *       evening rush); while full, three or four vehicles stand at its kerb for longer than the
 *       dwell (an overflow), or only two (no overflow), or three for a few minutes (under the
 *       dwell).
 * </ul>
 *
 * <p>Near-misses keep at least a minute under the dwell and violations at least three minutes over
 * it, and two scripted events that a detector counts never share a zone within {@link #ZONE_GAP}:
 * dwell edges and hysteresis are the harness tests' business, this is about a day of noise.
 */
public final class ScriptedDay {
  /** The issue-4 noise: 20 % missed, tracker id switches, confidence and box jitter. */
  public static final CameraNoise NOISE = new CameraNoise(0.20, 0.01, 0.06, 0.004);

  /** A busy shopping street: passers-by per camera and minute. */
  public static final Background BACKGROUND = new Background(10, 2, 1.5);

  /** A Saturday: lingyan-south's night market (FRI-SUN 17:00-21:30) trades. */
  public static final LocalDate DEFAULT_DAY = LocalDate.of(2026, 11, 28);

  /** Scripted counts for a whole day; see the class comment. */
  static final int GOODS = 30;

  static final int GOODS_NEAR_MISSES = 40;
  static final int STALLS = 30;
  static final int STALL_NEAR_MISSES = 20;
  static final int VENDORS = 60;
  static final int SETTLING_VENDORS = 6;
  static final int PEOPLE = 150;
  static final int VANS = 50;
  static final int KERB_VANS = 30;

  /** Two counted events in one zone stay at least this far apart (clear time plus margin). */
  static final Duration ZONE_GAP = Duration.ofMinutes(12);

  /** Near-misses end at least this long before the dwell. */
  static final Duration UNDER_MARGIN = Duration.ofSeconds(60);

  /** Violations last at least this long beyond the dwell. */
  static final Duration OVER_MARGIN = Duration.ofMinutes(3);

  static final String[] STALL_CLASSES = {"stall", "cart", "tricycle"};
  static final String[] GOODS_CLASSES = {"goods", "rack", "sign"};

  final BlockMap block;
  final Random random;
  final LocalDate day;
  final Instant windowStart;
  final Instant windowEnd;
  final List<ScriptedEvent> events = new ArrayList<>();
  final Map<String, List<Instant[]>> reserved = new HashMap<>();

  /** Two counted events in one zone stay at least this far apart. */
  Duration zoneGap = ZONE_GAP;

  /**
   * Whether an event that only partly fits the window is cut to it (generated days) rather than
   * dropped (the scripted day).
   */
  boolean clip;

  private ScriptedDay(BlockMap block, long seed, LocalDate day, Instant start, Duration span) {
    this(block, Seeds.random(seed, block.id(), "scripted-day", day), day, start, span);
  }

  ScriptedDay(BlockMap block, Random random, LocalDate day, Instant start, Duration span) {
    this.block = block;
    this.random = random;
    this.day = day;
    this.windowStart = start;
    this.windowEnd = start.plus(span);
  }

  /**
   * The scripted day: the block's devices from {@code from} (local time of {@code day}) for {@code
   * span}, with the day's script.
   */
  static StreetScenario scenario(
      BlockMap block, long seed, LocalDate day, LocalTime from, Duration span) {
    Objects.requireNonNull(block, "block");
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(span, "span");
    Instant start = day.atTime(from).atZone(block.timezone()).toInstant();
    ScriptedDay script = new ScriptedDay(block, seed, day, start, span);
    script.write();
    return StreetScenario.builder(block)
        .start(start)
        .duration(span)
        .seed(seed)
        .noise(NOISE)
        .background(BACKGROUND)
        .script(new Script(script.events))
        .build();
  }

  private void write() {
    // Fixed-schedule things first, so the random ones fit around them.
    outdoorSeating();
    markets();
    parking();
    List<Zone> frontages = watched(ZoneKind.FRONTAGE);
    // Goods go out in front of shops without a permit, so no event straddles a permit's edge.
    List<Zone> unpermitted =
        frontages.stream()
            .filter(
                z -> z.shop().flatMap(block::shop).map(Shop::outdoor).orElse(List.of()).isEmpty())
            .toList();
    List<Zone> lanes = watched(ZoneKind.NO_VENDING);
    Duration goodsDwell = block.rules().outOfDoorway().dwell();
    Duration stallDwell = block.rules().illegalStall().dwell();
    for (int i = 0; i < GOODS; i++) {
      Duration length = between(goodsDwell.plus(OVER_MARGIN), Duration.ofMinutes(90));
      placeCounted(unpermitted, at(8, 0), at(21, 0), length, this::goods);
    }
    for (int i = 0; i < GOODS_NEAR_MISSES; i++) {
      Duration length = between(Duration.ofSeconds(30), goodsDwell.minus(UNDER_MARGIN));
      placeCounted(unpermitted, at(7, 0), at(22, 0), length, this::goods);
    }
    for (int i = 0; i < STALLS; i++) {
      Duration length = between(stallDwell.plus(OVER_MARGIN), Duration.ofMinutes(60));
      boolean night = i < 3; // late-night food stalls (夜宵摊)
      LocalDateTime earliest = night ? at(i == 0 ? 0 : 22, 0) : at(7, 0);
      LocalDateTime latest = night ? at(i == 0 ? 2 : 23, i == 0 ? 0 : 50) : at(22, 0);
      placeCounted(lanes, earliest, latest, length, this::stall);
    }
    for (int i = 0; i < STALL_NEAR_MISSES; i++) {
      Duration length = between(Duration.ofSeconds(20), stallDwell.minus(UNDER_MARGIN));
      placeCounted(lanes, at(7, 0), at(22, 0), length, this::stall);
    }
    for (int i = 0; i < VENDORS + SETTLING_VENDORS; i++) {
      Duration stop =
          i < VENDORS
              ? between(Duration.ofSeconds(20), stallDwell.minus(UNDER_MARGIN))
              : between(stallDwell.plus(OVER_MARGIN), Duration.ofMinutes(25));
      Duration walkIn = between(Duration.ofSeconds(30), Duration.ofSeconds(90));
      Duration walkOut = between(Duration.ofSeconds(30), Duration.ofSeconds(90));
      placeCounted(
          lanes,
          at(7, 0),
          at(22, 0),
          walkIn.plus(stop).plus(walkOut),
          (zone, from, to) ->
              new MovingVendor(
                  zone.id(),
                  from,
                  from.plus(walkIn),
                  from.plus(walkIn).plus(stop),
                  to,
                  pick(allowed(zone, STALL_CLASSES))));
    }
    lingering(frontages, lanes);
  }

  // -------------------------------------------------------------------------------------------
  // Outdoor seating and markets

  void outdoorSeating() {
    Duration dwell = block.rules().outOfDoorway().dwell();
    for (Shop shop : block.shops()) {
      Zone frontage = frontageOf(shop);
      if (frontage == null || shop.outdoor().isEmpty() || random.nextDouble() >= 0.85) {
        continue;
      }
      boolean fruit = shop.outdoor().get(0).from().isBefore(LocalTime.of(9, 0));
      List<String> classes =
          (fruit
                  ? List.of("goods", "goods", "rack")
                  : List.of("table", "table", "chair", "umbrella"))
              .stream().filter(c -> countedBy(frontage, c)).toList();
      if (classes.isEmpty()) {
        continue;
      }
      for (Instant[] permit : occurrences(shop.outdoor())) {
        double dice = random.nextDouble();
        Instant from;
        Instant to;
        if (dice < 0.12) {
          // Out well before the permit starts: a violation until it does.
          from = permit[0].minus(between(dwell.plus(OVER_MARGIN), Duration.ofMinutes(40)));
        } else if (dice < 0.22) {
          // A minute or two early: under the dwell.
          from = permit[0].minus(between(Duration.ofSeconds(30), dwell.minus(UNDER_MARGIN)));
        } else {
          from = permit[0].plus(between(Duration.ZERO, Duration.ofMinutes(30)));
        }
        dice = random.nextDouble();
        if (dice < 0.35) {
          // Left out past the permit: a violation from the permit's end.
          to = permit[1].plus(between(dwell.plus(OVER_MARGIN), Duration.ofMinutes(90)));
        } else if (dice < 0.5) {
          // Taken in just after the end: under the dwell.
          to = permit[1].plus(between(Duration.ofSeconds(30), dwell.minus(UNDER_MARGIN)));
        } else {
          to = permit[1].minus(between(Duration.ZERO, Duration.ofMinutes(20)));
        }
        add(frontage, from, to, (zone, f, t) -> new OutOfDoorwayGoods(zone.id(), f, t, classes));
      }
    }
  }

  void markets() {
    Duration dwell = block.rules().illegalStall().dwell();
    for (Zone market : watched(ZoneKind.MARKET)) {
      String[] classes = allowed(market, STALL_CLASSES);
      List<Instant[]> windows = occurrences(market.schedule());
      if (windows.isEmpty()) {
        // No market today: a stall in the pitch is an illegal stall like any other.
        Instant from = local(at(11, 0)).plus(between(Duration.ZERO, Duration.ofHours(6)));
        add(
            market,
            from,
            from.plus(between(dwell.plus(OVER_MARGIN), Duration.ofMinutes(40))),
            stallOf(classes));
        continue;
      }
      for (Instant[] open : windows) {
        for (int i = 0; i < 6; i++) {
          Instant from = open[0].plus(between(Duration.ofSeconds(10), Duration.ofMinutes(25)));
          Instant to = open[1].minus(between(Duration.ofSeconds(10), Duration.ofMinutes(30)));
          add(market, from, to, stallOf(classes));
        }
        Instant early = open[0].minus(between(dwell.plus(OVER_MARGIN), Duration.ofMinutes(40)));
        add(market, early, open[1].minus(Duration.ofMinutes(5)), stallOf(classes));
        Instant justEarly =
            open[0].minus(between(Duration.ofSeconds(20), dwell.minus(UNDER_MARGIN)));
        add(market, justEarly, open[1].minus(Duration.ofMinutes(10)), stallOf(classes));
        Instant late = open[1].plus(between(dwell.plus(OVER_MARGIN), Duration.ofMinutes(50)));
        add(market, open[0].plus(Duration.ofMinutes(3)), late, stallOf(classes));
        Instant justLate = open[1].plus(between(Duration.ofSeconds(20), dwell.minus(UNDER_MARGIN)));
        add(market, open[0].plus(Duration.ofMinutes(4)), justLate, stallOf(classes));
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Parking

  private void parking() {
    Duration dwell = block.rules().parkingOverflow().dwell();
    int needed = block.rules().parkingOverflow().vehicles();
    for (Zone parking : block.zonesOfKind(ZoneKind.PARKING)) {
      List<Zone> kerbs =
          parking.noParking().stream()
              .map(id -> block.zone(id).orElseThrow())
              .filter(z -> !block.camerasViewing(z.id()).isEmpty())
              .toList();
      if (kerbs.isEmpty() || block.sensorsInZone(parking.id()).isEmpty()) {
        continue;
      }
      Zone kerb = kerbs.get(0);
      // Full once around lunch and once in the evening rush.
      for (int hour : new int[] {10, 17}) {
        Instant full = local(at(hour, 0)).plus(between(Duration.ZERO, Duration.ofHours(3)));
        Instant fullTo = full.plus(between(Duration.ofMinutes(60), Duration.ofMinutes(100)));
        addRaw(() -> new ZoneFull(parking.id(), offset(full), offset(fullTo)), full, fullTo);
        // The kerb is kept for these vehicles while the zone is full: a passing van adding to
        // them would make an overflow of whatever length the overlap happens to have.
        reserve(kerb, full, fullTo);
        Instant from = full.plus(between(Duration.ofMinutes(5), Duration.ofMinutes(15)));
        double dice = random.nextDouble();
        if (dice < 0.5) {
          // An overflow: enough vehicles at the kerb for longer than the dwell.
          Instant to = from.plus(between(dwell.plus(OVER_MARGIN), Duration.ofMinutes(40)));
          int count = needed + random.nextInt(2);
          addRaw(
              () -> new VehiclesInNoParking(kerb.id(), count, offset(from), offset(to)), from, to);
        } else if (dice < 0.75) {
          // One vehicle short of the rule: no overflow however long they stand.
          Instant to = from.plus(between(dwell.plus(OVER_MARGIN), Duration.ofMinutes(40)));
          if (needed > 1) {
            addRaw(
                () -> new VehiclesInNoParking(kerb.id(), needed - 1, offset(from), offset(to)),
                from,
                to);
          }
        } else {
          // Enough vehicles, but gone before the dwell.
          Instant to = from.plus(between(Duration.ofMinutes(2), dwell.minus(UNDER_MARGIN)));
          addRaw(
              () -> new VehiclesInNoParking(kerb.id(), needed, offset(from), offset(to)), from, to);
        }
      }
    }
    // Vans stopping at the kerbs for a few minutes, full or not.
    List<Zone> kerbs = watched(ZoneKind.NO_PARKING);
    for (int i = 0; i < KERB_VANS && !kerbs.isEmpty(); i++) {
      Duration length = between(Duration.ofSeconds(40), dwell.minus(UNDER_MARGIN));
      placeCounted(
          kerbs,
          at(7, 0),
          at(22, 0),
          length,
          (zone, from, to) -> new VehiclesInNoParking(zone.id(), 1, from, to));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lingering

  void lingering(List<Zone> frontages, List<Zone> lanes) {
    List<Zone> pavements = new ArrayList<>(frontages);
    pavements.addAll(lanes);
    pavements.addAll(watched(ZoneKind.MARKET));
    for (int i = 0; i < PEOPLE && !pavements.isEmpty(); i++) {
      Zone zone = pick(pavements);
      Instant from = randomTime(at(6, 0), at(23, 30));
      Instant to = from.plus(between(Duration.ofSeconds(30), Duration.ofMinutes(12)));
      lingerIfNotCounted(zone, "person", from, to);
    }
    for (int i = 0; i < VANS && !pavements.isEmpty(); i++) {
      // Most vans unload in the lane; some pull up on the frontage.
      Zone zone = random.nextDouble() < 0.7 && !lanes.isEmpty() ? pick(lanes) : pick(pavements);
      Instant from = randomTime(at(6, 0), at(20, 0));
      Instant to = from.plus(between(Duration.ofMinutes(1), Duration.ofMinutes(9)));
      lingerIfNotCounted(zone, "vehicle", from, to);
    }
  }

  void lingerIfNotCounted(Zone zone, String cls, Instant from, Instant to) {
    if (!countedBy(zone, cls)) {
      addRaw(() -> new Lingering(zone.id(), cls, offset(from), offset(to)), from, to);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Placing counted events

  /** Something that makes a scripted event for a zone and a span (offsets). */
  interface Maker {
    ScriptedEvent make(Zone zone, Duration from, Duration to);
  }

  ScriptedEvent goods(Zone zone, Duration from, Duration to) {
    int n = 1 + random.nextInt(3);
    List<String> classes = new ArrayList<>();
    String[] allowed = allowed(zone, GOODS_CLASSES);
    for (int i = 0; i < n; i++) {
      classes.add(pick(allowed));
    }
    return new OutOfDoorwayGoods(zone.id(), from, to, classes);
  }

  ScriptedEvent stall(Zone zone, Duration from, Duration to) {
    return IllegalStall.seenByAll(zone.id(), from, to, pick(allowed(zone, STALL_CLASSES)));
  }

  Maker stallOf(String[] classes) {
    return (zone, from, to) -> IllegalStall.seenByAll(zone.id(), from, to, pick(classes));
  }

  /**
   * A counted event of {@code length} starting between {@code earliest} and {@code latest} in a
   * random zone of {@code zones} that is free for it; skipped when none is found.
   */
  void placeCounted(
      List<Zone> zones,
      LocalDateTime earliest,
      LocalDateTime latest,
      Duration length,
      Maker maker) {
    for (int attempt = 0; attempt < 50 && !zones.isEmpty(); attempt++) {
      Zone zone = pick(zones);
      Instant from = randomTime(earliest, latest);
      Instant to = from.plus(length);
      if (isFree(zone, from, to)) {
        add(zone, from, to, maker);
        return;
      }
    }
  }

  boolean isFree(Zone zone, Instant from, Instant to) {
    for (Instant[] r : reserved.getOrDefault(zone.id(), List.of())) {
      if (from.isBefore(r[1].plus(zoneGap)) && r[0].isBefore(to.plus(zoneGap))) {
        return false;
      }
    }
    return true;
  }

  /** Adds a counted event and reserves its zone, if it fits the window. */
  void add(Zone zone, Instant from, Instant to, Maker maker) {
    reserve(zone, from, to);
    if (clip) {
      Instant f = from.isBefore(windowStart) ? windowStart : from;
      Instant t = to.isAfter(windowEnd) ? windowEnd : to;
      if (f.isBefore(t)) {
        events.add(maker.make(zone, offset(f), offset(t)));
      }
    } else if (fits(from, to)) {
      events.add(maker.make(zone, offset(from), offset(to)));
    }
  }

  void reserve(Zone zone, Instant from, Instant to) {
    reserved.computeIfAbsent(zone.id(), z -> new ArrayList<>()).add(new Instant[] {from, to});
  }

  /** Adds an event that needs no zone reservation, if it fits the window. */
  void addRaw(Supplier<ScriptedEvent> event, Instant from, Instant to) {
    if (fits(from, to)) {
      events.add(event.get());
    }
  }

  boolean fits(Instant from, Instant to) {
    return !from.isBefore(windowStart) && !to.isAfter(windowEnd) && from.isBefore(to);
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  List<Zone> watched(ZoneKind kind) {
    return block.zonesOfKind(kind).stream()
        .filter(z -> !block.camerasViewing(z.id()).isEmpty())
        .toList();
  }

  Zone frontageOf(Shop shop) {
    for (Zone zone : watched(ZoneKind.FRONTAGE)) {
      if (zone.shop().filter(shop.id()::equals).isPresent()) {
        return zone;
      }
    }
    return null;
  }

  /** The occurrences of the windows that start on the scripted day, as absolute spans. */
  List<Instant[]> occurrences(List<TimeWindow> windows) {
    List<Instant[]> out = new ArrayList<>();
    for (TimeWindow w : windows) {
      if (!w.days().contains(day.getDayOfWeek())) {
        continue;
      }
      LocalDateTime from = day.atTime(w.from());
      LocalDateTime to = w.crossesMidnight() ? day.plusDays(1).atTime(w.to()) : day.atTime(w.to());
      out.add(new Instant[] {local(from), local(to)});
    }
    return out;
  }

  static boolean countedBy(Zone zone, String cls) {
    return switch (zone.kind()) {
      case FRONTAGE -> zone.rules().outOfDoorway().classes().contains(cls);
      case NO_VENDING, MARKET -> zone.rules().illegalStall().classes().contains(cls);
      case NO_PARKING, PARKING -> "vehicle".equals(cls);
    };
  }

  static String[] allowed(Zone zone, String[] wanted) {
    List<String> out = new ArrayList<>();
    for (String cls : wanted) {
      if (countedBy(zone, cls)) {
        out.add(cls);
      }
    }
    if (out.isEmpty()) {
      // The zone's rule counts none of the usual classes: use what it does count.
      out.addAll(
          zone.kind() == ZoneKind.FRONTAGE
              ? zone.rules().outOfDoorway().classes()
              : zone.rules().illegalStall().classes());
      out.sort(String::compareTo);
    }
    return out.toArray(String[]::new);
  }

  LocalDateTime at(int hour, int minute) {
    return day.atTime(hour, minute);
  }

  Instant local(LocalDateTime t) {
    return t.atZone(block.timezone()).toInstant();
  }

  Duration offset(Instant t) {
    return Duration.between(windowStart, t);
  }

  Instant randomTime(LocalDateTime earliest, LocalDateTime latest) {
    Instant a = local(earliest);
    long span = Math.max(1, Duration.between(a, local(latest)).getSeconds());
    return a.plusSeconds((long) (random.nextDouble() * span));
  }

  /** A random duration in [min, max], whole seconds. */
  Duration between(Duration min, Duration max) {
    long span = Math.max(0, max.getSeconds() - min.getSeconds());
    return min.plusSeconds((long) (random.nextDouble() * (span + 1)));
  }

  <T> T pick(List<T> list) {
    return list.get(random.nextInt(list.size()));
  }

  String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }
}
