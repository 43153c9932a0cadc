package io.streetsense.simulator;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.CameraView;
import io.streetsense.blockmap.Shop;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.simulator.internal.Placement;
import io.streetsense.simulator.internal.Seeds;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * A generated day: a window of a few hours of one block at a seeded day and time, with every
 * parameter drawn per seed from a range, so that a run over many seeds meets days nobody tuned the
 * detectors for. Built by {@link Scenarios#generatedDay}; deterministic per block and seed.
 *
 * <p>Drawn per seed ({@link Parameters}): the day of the week (so market days and weekday permits
 * vary), the window's start (07:00-17:30 local) and length (4-6 h); camera noise (missed detections
 * 12-25 %, tracker id switches, confidence and box jitter); passers-by; sensor heartbeat period
 * (5-10 min) and the car parks' background occupancy; how many goods, stalls, vendors, lingering
 * people and vans per hour; the spacing of vehicles along the kerb; how many camera outages,
 * occlusions and false detections; and the delivery noise the benchmark applies (share of camera
 * frames and parking messages delivered twice, the copy's lag, reordering).
 *
 * <p>On the street, besides what {@link ScriptedDay} does (legal outdoor seating and market stalls
 * for hours next to illegal ones, goods, stalls, vendors on the move, near-misses, lingering):
 *
 * <ul>
 *   <li><b>Parking</b>: each parking zone with a watched kerb is held at a fixed occupancy for 40
 *       min to 3 h, two or three times where the window has room (its sensors then only send
 *       heartbeats): full, exactly at the rule's {@code ceil(occupancy x capacity)}, or one berth
 *       below it. Meanwhile vehicles arrive at the kerb one by one, at places along it no closer
 *       than the day's spacing, stand, and leave one by one: as many as the rule's {@code
 *       vehicles}, one more or two, or one fewer; for well over the dwell or well under it.
 *       Arrivals all come before departures, so the kerb count rises and falls once (no swap at the
 *       threshold that a detector could not see).
 *   <li><b>Camera outages</b> of 4-8 min in the middle of real violations: either after the
 *       violation should have opened (it must stay one violation, not open again) or before it
 *       reached its dwell (it is expected only if it then stays for the dwell again after the
 *       camera is back; see {@link StreetScenario#groundTruth()}).
 *   <li><b>Occlusions</b> of 10-30 s (a bus) in front of real violations, kerbs included.
 *   <li><b>False detections</b> of a counted class for 2-8 s (a person taken for a cart, a shadow
 *       for a vehicle).
 * </ul>
 *
 * <p>Counted events keep {@link #ZONE_GAP} apart per zone (outage + clear time + margin, so an
 * outage never merges two violations). The scenario's scoring margins are {@link
 * ScriptedDay#UNDER_MARGIN} and {@link ScriptedDay#OVER_MARGIN}: whatever the window's edges or an
 * outage leave within them of the dwell is excluded from scoring, with the reason.
 */
public final class GeneratedDay {
  /** Two counted events in one zone stay this far apart: longest outage + clear time + margin. */
  static final Duration ZONE_GAP = Duration.ofMinutes(15);

  /** The Monday of the week the days are drawn from. */
  static final LocalDate WEEK = LocalDate.of(2026, 11, 23);

  /** Nothing counted starts in the first minutes: every device has been heard from. */
  static final Duration LEAD_IN = Duration.ofMinutes(15);

  /**
   * Everything drawn for one seed.
   *
   * @param cameraDuplicates share of camera frames the network delivers twice (QoS 1 redelivery)
   * @param parkingDuplicates share of parking messages delivered twice
   * @param duplicateLag the copy arrives up to this long after the original
   * @param deliveryJitter each message arrives up to this long after it was sent
   * @param kerbSpacing least distance between the ground points of two vehicles at a kerb, in
   *     normalised image units, in every camera that sees the kerb
   * @param perHour scripted events per hour of the window, by kind
   */
  public record Parameters(
      LocalDate day,
      LocalTime from,
      Duration span,
      CameraNoise noise,
      Background background,
      Duration heartbeat,
      double occupancy,
      double kerbSpacing,
      Map<String, Double> perHour,
      int outages,
      int occlusions,
      int falseDetections,
      double cameraDuplicates,
      double parkingDuplicates,
      Duration duplicateLag,
      Duration deliveryJitter) {

    /** Draws the parameters of {@code seed} on {@code block}. */
    public static Parameters draw(BlockMap block, long seed) {
      Random r = Seeds.random(seed, block.id(), "generated-day-parameters");
      LocalDate day = WEEK.plusDays(r.nextInt(7));
      LocalTime from = LocalTime.of(7, 0).plusMinutes(30L * r.nextInt(22)); // 07:00-17:30
      Duration span = Duration.ofMinutes(240 + 30L * r.nextInt(5)); // 4-6 h
      CameraNoise noise =
          new CameraNoise(
              uniform(r, 0.12, 0.25),
              uniform(r, 0.002, 0.02),
              uniform(r, 0.03, 0.08),
              uniform(r, 0.002, 0.006));
      Background background =
          new Background(uniform(r, 4, 16), uniform(r, 1, 4), uniform(r, 0.5, 3));
      Duration heartbeat = Duration.ofMinutes(5 + r.nextInt(6));
      double occupancy = uniform(r, 0.4, 0.75);
      double spacing = uniform(r, 0.07, 0.2);
      Map<String, Double> perHour = new LinkedHashMap<>();
      perHour.put("goods", 2.0 * uniform(r, 0.5, 1.6));
      perHour.put("goodsNearMisses", 2.7 * uniform(r, 0.5, 1.6));
      perHour.put("stalls", 2.0 * uniform(r, 0.5, 1.6));
      perHour.put("stallNearMisses", 1.3 * uniform(r, 0.5, 1.6));
      perHour.put("vendors", 4.0 * uniform(r, 0.5, 1.6));
      perHour.put("settlingVendors", 0.4 * uniform(r, 0.5, 2.5));
      perHour.put("people", 8.6 * uniform(r, 0.5, 1.6));
      perHour.put("vans", 3.6 * uniform(r, 0.5, 1.6));
      perHour.put("kerbVans", 2.0 * uniform(r, 0.5, 1.6));
      int outages = 1 + r.nextInt(block.cameras().size() > 3 ? 3 : 2);
      int occlusions = 2 + r.nextInt(5);
      int falseDetections = 4 + r.nextInt(12);
      double cameraDuplicates = uniform(r, 0.005, 0.015);
      double parkingDuplicates = uniform(r, 0.005, 0.015);
      Duration lag = Duration.ofMillis(1000 + r.nextInt(2001));
      return new Parameters(
          day,
          from,
          span,
          noise,
          background,
          heartbeat,
          occupancy,
          spacing,
          Map.copyOf(perHour),
          outages,
          occlusions,
          falseDetections,
          cameraDuplicates,
          parkingDuplicates,
          lag,
          Duration.ofSeconds(2));
    }

    private static double uniform(Random r, double lo, double hi) {
      return lo + r.nextDouble() * (hi - lo);
    }
  }

  private final ScriptedDay s;
  private final Parameters p;
  private final Random random;
  private final List<CameraOutage> outages = new ArrayList<>();

  private GeneratedDay(BlockMap block, long seed, Parameters p) {
    this.p = p;
    this.random = Seeds.random(seed, block.id(), "generated-day", p.day());
    Instant start = p.day().atTime(p.from()).atZone(block.timezone()).toInstant();
    this.s = new ScriptedDay(block, random, p.day(), start, p.span());
    s.zoneGap = ZONE_GAP;
    s.clip = true;
  }

  /** The generated day of {@code seed} on {@code block}. */
  static StreetScenario scenario(BlockMap block, long seed) {
    Objects.requireNonNull(block, "block");
    Parameters p = Parameters.draw(block, seed);
    GeneratedDay g = new GeneratedDay(block, seed, p);
    g.write();
    StreetScenario.Builder b =
        StreetScenario.builder(block)
            .start(g.s.windowStart)
            .duration(p.span())
            .seed(seed)
            .noise(p.noise())
            .background(p.background())
            .heartbeat(p.heartbeat())
            .defaultOccupancy(p.occupancy())
            .scoringMargins(ScriptedDay.UNDER_MARGIN, ScriptedDay.OVER_MARGIN)
            .script(new Script(g.s.events));
    g.outages.forEach(b::outage);
    return b.build();
  }

  private void write() {
    BlockMap block = s.block;
    // Legal seating and market stalls run for hours: cut them to the window. Everything else
    // is kept only where it fits the window entirely (a vendor's stop must not be cut).
    s.clip = true;
    s.outdoorSeating();
    s.markets();
    s.clip = false;
    parking();
    List<Zone> frontages = s.watched(ZoneKind.FRONTAGE);
    List<Zone> unpermitted =
        frontages.stream()
            .filter(
                z -> z.shop().flatMap(block::shop).map(Shop::outdoor).orElse(List.of()).isEmpty())
            .toList();
    List<Zone> lanes = s.watched(ZoneKind.NO_VENDING);
    Duration goodsDwell = block.rules().outOfDoorway().dwell();
    Duration stallDwell = block.rules().illegalStall().dwell();
    LocalDateTime earliest = local(s.windowStart.plus(LEAD_IN));
    LocalDateTime latestStart = local(s.windowEnd.minus(Duration.ofMinutes(10)));
    for (int i = 0; i < count("goods"); i++) {
      Duration length = s.between(goodsDwell.plus(ScriptedDay.OVER_MARGIN), Duration.ofMinutes(90));
      s.placeCounted(unpermitted, earliest, latestStart, length, s::goods);
    }
    for (int i = 0; i < count("goodsNearMisses"); i++) {
      Duration length =
          s.between(Duration.ofSeconds(30), goodsDwell.minus(ScriptedDay.UNDER_MARGIN));
      s.placeCounted(unpermitted, earliest, latestStart, length, s::goods);
    }
    for (int i = 0; i < count("stalls"); i++) {
      Duration length = s.between(stallDwell.plus(ScriptedDay.OVER_MARGIN), Duration.ofMinutes(60));
      s.placeCounted(lanes, earliest, latestStart, length, s::stall);
    }
    for (int i = 0; i < count("stallNearMisses"); i++) {
      Duration length =
          s.between(Duration.ofSeconds(20), stallDwell.minus(ScriptedDay.UNDER_MARGIN));
      s.placeCounted(lanes, earliest, latestStart, length, s::stall);
    }
    int vendors = count("vendors");
    int settling = count("settlingVendors");
    for (int i = 0; i < vendors + settling; i++) {
      Duration stop =
          i < vendors
              ? s.between(Duration.ofSeconds(20), stallDwell.minus(ScriptedDay.UNDER_MARGIN))
              : s.between(stallDwell.plus(ScriptedDay.OVER_MARGIN), Duration.ofMinutes(25));
      Duration walkIn = s.between(Duration.ofSeconds(30), Duration.ofSeconds(90));
      Duration walkOut = s.between(Duration.ofSeconds(30), Duration.ofSeconds(90));
      s.placeCounted(
          lanes,
          earliest,
          latestStart,
          walkIn.plus(stop).plus(walkOut),
          (zone, from, to) ->
              new MovingVendor(
                  zone.id(),
                  from,
                  from.plus(walkIn),
                  from.plus(walkIn).plus(stop),
                  to,
                  s.pick(ScriptedDay.allowed(zone, ScriptedDay.STALL_CLASSES))));
    }
    lingering(frontages, lanes);
    kerbVans();
    falseDetections(frontages, lanes);
    occlusions();
    outages();
  }

  // -------------------------------------------------------------------------------------------
  // Parking

  private void parking() {
    BlockMap block = s.block;
    Duration dwell = block.rules().parkingOverflow().dwell();
    for (Zone parking : block.zonesOfKind(ZoneKind.PARKING)) {
      List<Zone> kerbs =
          parking.noParking().stream()
              .map(id -> block.zone(id).orElseThrow())
              .filter(z -> !block.camerasViewing(z.id()).isEmpty())
              .toList();
      int sensors = block.sensorsInZone(parking.id()).size();
      if (kerbs.isEmpty() || sensors == 0) {
        continue;
      }
      Zone kerb = kerbs.get(0);
      int needed = parking.rules().parkingOverflow().vehicles();
      int required =
          Math.max(
              1,
              (int)
                  Math.ceil(
                      parking.rules().parkingOverflow().occupancy() * parking.capacity().orElse(0)
                          - 1e-9));
      int windows = 2 + random.nextInt(2);
      Instant earliest = s.windowStart.plus(Duration.ofMinutes(20));
      for (int w = 0; w < windows; w++) {
        Duration length = s.between(Duration.ofMinutes(40), Duration.ofMinutes(180));
        Instant latest = s.windowEnd.minus(length).minus(Duration.ofMinutes(5));
        if (!latest.isAfter(earliest)) {
          break;
        }
        // Leave room for the windows still to come.
        long room = Duration.between(earliest, latest).getSeconds() / (windows - w);
        Instant from = earliest.plusSeconds((long) (random.nextDouble() * room));
        Instant to = from.plus(length);
        if (!s.isFree(kerb, from, to)) {
          continue;
        }
        s.reserve(kerb, from, to);
        earliest = to.plus(Duration.ofMinutes(30));
        // The car park: full, exactly at the rule's threshold, or one berth short of it.
        double dice = random.nextDouble();
        int held = dice < 0.4 ? sensors : dice < 0.7 ? Math.min(required, sensors) : required - 1;
        Instant f = from;
        s.addRaw(
            () ->
                held >= sensors
                    ? new ZoneFull(parking.id(), s.offset(f), s.offset(to))
                    : new ZoneOccupied(parking.id(), held, s.offset(f), s.offset(to)),
            from,
            to);
        kerbVehicles(kerb, needed, dwell, from, to);
      }
    }
  }

  /**
   * Vehicles arriving at the kerb one by one while the car park is held, standing, leaving one by
   * one: all arrivals before the first departure, so the count rises and falls once.
   */
  private void kerbVehicles(Zone kerb, int needed, Duration dwell, Instant from, Instant to) {
    double dice = random.nextDouble();
    if (dice < 0.1) {
      return; // a full car park and an empty kerb
    }
    int count = dice < 0.55 ? needed : dice < 0.75 ? needed + 1 + random.nextInt(2) : needed - 1;
    if (count < 1) {
      return;
    }
    List<double[]> places = places(kerb, count);
    count = places.size();
    if (count == 0) {
      return;
    }
    boolean over = random.nextDouble() < 0.7;
    Duration target =
        over
            ? s.between(dwell.plus(ScriptedDay.OVER_MARGIN), Duration.ofMinutes(40))
            : s.between(Duration.ofMinutes(2), dwell.minus(ScriptedDay.UNDER_MARGIN));
    // Arrivals a[0..count), departures d[0..count), sorted; vehicle i stays [a[i], d[order i]].
    Instant[] a = new Instant[count];
    a[0] = from.plus(s.between(Duration.ofMinutes(3), Duration.ofMinutes(12)));
    for (int i = 1; i < count; i++) {
      a[i] = a[i - 1].plus(s.between(Duration.ofSeconds(10), Duration.ofSeconds(150)));
    }
    Duration[] leaveGaps = new Duration[count];
    for (int i = 1; i < count; i++) {
      leaveGaps[i] = s.between(Duration.ofSeconds(10), Duration.ofSeconds(150));
    }
    // The count is at least k = min(count, needed) from a[k-1] to d[count-k]; make that span the
    // target length, so an overflow (count >= needed) lasts exactly it.
    int k = Math.min(count, needed);
    Instant[] d = new Instant[count];
    d[count - k] = a[k - 1].plus(target);
    for (int i = count - k - 1; i >= 0; i--) {
      d[i] = d[i + 1].minus(leaveGaps[i + 1]);
    }
    for (int i = count - k + 1; i < count; i++) {
      d[i] = d[i - 1].plus(leaveGaps[i]);
    }
    if (d[0].isBefore(a[count - 1].plus(Duration.ofSeconds(60)))
        || d[count - 1].isAfter(to.minus(Duration.ofMinutes(2)))) {
      return; // would swap at the threshold or outlast the held car park: leave the kerb empty
    }
    // Who leaves first is not who came first.
    List<Integer> leaveOrder = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      leaveOrder.add(i);
    }
    java.util.Collections.shuffle(leaveOrder, random);
    for (int i = 0; i < count; i++) {
      double[] uv = places.get(i);
      Instant arrive = a[i];
      Instant leave = d[leaveOrder.get(i)];
      if (!leave.isAfter(arrive)) {
        leave = d[count - 1];
      }
      Instant l = leave;
      s.addRaw(
          () -> new ParkedVehicle(kerb.id(), uv[0], uv[1], s.offset(arrive), s.offset(l)),
          arrive,
          leave);
    }
  }

  /**
   * Up to {@code count} places (u, v) in the kerb whose ground points are at least the day's
   * spacing apart in every camera that sees it.
   */
  private List<double[]> places(Zone kerb, int count) {
    List<CameraView> views = new ArrayList<>();
    for (Camera camera : s.block.camerasViewing(kerb.id())) {
      for (CameraView view : camera.views()) {
        if (view.zone().equals(kerb.id())) {
          views.add(view);
          break;
        }
      }
    }
    List<double[]> out = new ArrayList<>();
    for (int attempt = 0; attempt < 400 && out.size() < count; attempt++) {
      double u = random.nextDouble();
      double v = random.nextDouble();
      boolean ok = true;
      for (CameraView view : views) {
        double[] g = Placement.groundPoint(view.polygon(), u, v);
        if (g == null || g[0] < 0.1 || g[0] > 0.9) {
          ok = false; // keep a car's box whole in the picture
          break;
        }
        for (double[] other : out) {
          double[] h = Placement.groundPoint(view.polygon(), other[0], other[1]);
          if (Math.hypot(g[0] - h[0], g[1] - h[1]) < p.kerbSpacing()) {
            ok = false;
            break;
          }
        }
        if (!ok) {
          break;
        }
      }
      if (ok) {
        out.add(new double[] {u, v});
      }
    }
    return out;
  }

  private void kerbVans() {
    Duration dwell = s.block.rules().parkingOverflow().dwell();
    List<Zone> kerbs = s.watched(ZoneKind.NO_PARKING);
    for (int i = 0; i < count("kerbVans") && !kerbs.isEmpty(); i++) {
      Duration length = s.between(Duration.ofSeconds(40), dwell.minus(ScriptedDay.UNDER_MARGIN));
      s.placeCounted(
          kerbs,
          local(s.windowStart.plus(LEAD_IN)),
          local(s.windowEnd.minus(Duration.ofMinutes(10))),
          length,
          (zone, from, to) -> new VehiclesInNoParking(zone.id(), 1, from, to));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lingering, false detections, occlusions, outages

  private void lingering(List<Zone> frontages, List<Zone> lanes) {
    List<Zone> pavements = new ArrayList<>(frontages);
    pavements.addAll(lanes);
    pavements.addAll(s.watched(ZoneKind.MARKET));
    for (int i = 0; i < count("people") && !pavements.isEmpty(); i++) {
      Zone zone = s.pick(pavements);
      Instant from = randomInWindow(Duration.ofMinutes(13));
      s.lingerIfNotCounted(
          zone,
          "person",
          from,
          from.plus(s.between(Duration.ofSeconds(30), Duration.ofMinutes(12))));
    }
    for (int i = 0; i < count("vans") && !pavements.isEmpty(); i++) {
      Zone zone = random.nextDouble() < 0.7 && !lanes.isEmpty() ? s.pick(lanes) : s.pick(pavements);
      Instant from = randomInWindow(Duration.ofMinutes(10));
      s.lingerIfNotCounted(
          zone,
          "vehicle",
          from,
          from.plus(s.between(Duration.ofMinutes(1), Duration.ofMinutes(9))));
    }
  }

  private void falseDetections(List<Zone> frontages, List<Zone> lanes) {
    List<Zone> zones = new ArrayList<>(frontages);
    zones.addAll(lanes);
    zones.addAll(s.watched(ZoneKind.NO_PARKING));
    for (int i = 0; i < p.falseDetections() && !zones.isEmpty(); i++) {
      Zone zone = s.pick(zones);
      String cls =
          switch (zone.kind()) {
            case NO_PARKING, PARKING -> "vehicle";
            case FRONTAGE -> s.pick(ScriptedDay.allowed(zone, ScriptedDay.GOODS_CLASSES));
            default -> s.pick(ScriptedDay.allowed(zone, ScriptedDay.STALL_CLASSES));
          };
      Instant from = randomInWindow(Duration.ofSeconds(10));
      Instant to = from.plus(s.between(Duration.ofSeconds(2), Duration.ofSeconds(8)));
      s.addRaw(() -> new FalseDetection(zone.id(), cls, s.offset(from), s.offset(to)), from, to);
    }
  }

  /** The counted violations scripted so far that stand still: stalls, goods, kerb vehicles. */
  private List<ScriptedEvent> standingViolations() {
    List<ScriptedEvent> out = new ArrayList<>();
    for (ScriptedEvent e : s.events) {
      if (e instanceof IllegalStall
          || e instanceof OutOfDoorwayGoods
          || e instanceof ParkedVehicle) {
        out.add(e);
      }
    }
    return out;
  }

  private void occlusions() {
    List<ScriptedEvent> targets = standingViolations();
    for (int i = 0; i < p.occlusions() && !targets.isEmpty(); i++) {
      ScriptedEvent e = s.pick(targets);
      Duration length = s.between(Duration.ofSeconds(10), Duration.ofSeconds(30));
      Duration room = e.to().minus(e.from()).minus(length);
      if (room.isNegative()) {
        continue;
      }
      Duration from = e.from().plus(s.between(Duration.ZERO, room));
      s.events.add(new Occlusion(e.zoneId(), from, from.plus(length)));
    }
  }

  /**
   * Outages of 4-8 min of a camera that sees a real violation, in its middle: either once it should
   * have opened (dwell + 3-10 min after it started) or before it reached its dwell.
   */
  private void outages() {
    BlockMap block = s.block;
    List<ScriptedEvent> targets = standingViolations();
    for (int i = 0; i < p.outages() && !targets.isEmpty(); i++) {
      ScriptedEvent e = s.pick(targets);
      List<Camera> cameras = block.camerasViewing(e.zoneId());
      if (cameras.isEmpty()) {
        continue;
      }
      Camera camera = s.pick(cameras);
      Zone zone = block.zone(e.zoneId()).orElseThrow();
      Duration dwell =
          switch (zone.kind()) {
            case FRONTAGE -> zone.rules().outOfDoorway().dwell();
            case NO_PARKING -> block.rules().parkingOverflow().dwell();
            default -> zone.rules().illegalStall().dwell();
          };
      Duration length = s.between(Duration.ofMinutes(4), Duration.ofMinutes(8));
      Duration from =
          random.nextBoolean()
              ? e.from().plus(dwell).plus(s.between(Duration.ofMinutes(3), Duration.ofMinutes(10)))
              : e.from().plus(s.between(Duration.ZERO, dwell));
      Duration to = from.plus(length);
      if (to.compareTo(p.span()) > 0
          || outages.stream()
              .anyMatch(
                  o ->
                      o.cameraId().equals(camera.id())
                          && o.from().compareTo(to.plus(ZONE_GAP)) < 0
                          && from.compareTo(o.to().plus(ZONE_GAP)) < 0)) {
        continue;
      }
      outages.add(new CameraOutage(camera.id(), from, to));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Helpers

  private int count(String kind) {
    double hours = p.span().toMinutes() / 60.0;
    double mean = p.perHour().get(kind) * hours;
    int n = (int) Math.floor(mean);
    return n + (random.nextDouble() < mean - n ? 1 : 0);
  }

  private Instant randomInWindow(Duration tail) {
    Instant a = s.windowStart.plus(Duration.ofMinutes(2));
    long span = Math.max(1, Duration.between(a, s.windowEnd.minus(tail)).getSeconds());
    return a.plusSeconds((long) (random.nextDouble() * span));
  }

  private LocalDateTime local(Instant t) {
    return LocalDateTime.ofInstant(t, s.block.timezone());
  }
}
