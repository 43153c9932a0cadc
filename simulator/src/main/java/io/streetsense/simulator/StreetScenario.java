package io.streetsense.simulator;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.CameraView;
import io.streetsense.blockmap.Sensor;
import io.streetsense.blockmap.TimeWindow;
import io.streetsense.blockmap.ViolationType;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.simulator.GroundTruth.Violation;
import io.streetsense.simulator.internal.CameraStream;
import io.streetsense.simulator.internal.Interval;
import io.streetsense.simulator.internal.MergedStream;
import io.streetsense.simulator.internal.ParkingSensorStream;
import io.streetsense.simulator.internal.Placement;
import io.streetsense.simulator.internal.Seeds;
import io.streetsense.simulator.internal.StandingObject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A simulated street block: every parking sensor and camera of a {@link BlockMap}, from a simulated
 * start for a duration, with background street life and a {@link Script} of violations. Pure and
 * deterministic: the same block map, settings and seed give the same bytes, and nothing here does
 * I/O or reads the clock. {@link StreetSimulator} publishes the messages.
 *
 * <pre>{@code
 * StreetScenario scenario = StreetScenario.builder(block)
 *     .start(Instant.parse("2026-11-23T02:00:00Z"))
 *     .duration(Duration.ofMinutes(30))
 *     .seed(42)
 *     .script(Script.of(IllegalStall.seenByAll("JS-Z-NV1", ofMinutes(3), ofMinutes(13), "stall")))
 *     .build();
 * scenario.messages().forEach(m -> ...);       // time-ordered, generated lazily
 * scenario.groundTruth().writeJson(Path.of("truth.json"));
 * }</pre>
 *
 * <p>Each device draws from its own random source derived from the seed, the block and the device
 * id: adding a device or a scripted event leaves the other devices' messages as they were.
 */
public final class StreetScenario {
  /** The default simulated start: a Monday morning, 10:00 in Shanghai. */
  public static final Instant DEFAULT_START = Instant.parse("2026-11-23T02:00:00Z");

  private final BlockMap block;
  private final Instant start;
  private final Duration duration;
  private final long seed;
  private final Duration heartbeat;
  private final double defaultOccupancy;
  private final Map<String, Double> occupancy;
  private final Duration meanParkingDwell;
  private final CameraNoise noise;
  private final Background background;
  private final Script script;
  private final boolean sequencesNearWrap;
  private final List<CameraOutage> outages;
  private final Duration underMargin;
  private final Duration overMargin;

  /** Scripted objects per camera id, placed once at build time. */
  private final Map<String, List<StandingObject>> standingByCamera;

  /** The zone of each of {@link #standingByCamera}'s objects, same order. */
  private final Map<String, List<String>> zoneByCamera = new LinkedHashMap<>();

  private StreetScenario(Builder b) {
    this.block = b.block;
    this.start = b.start;
    this.duration = b.duration;
    this.seed = b.seed;
    this.heartbeat = b.heartbeat;
    this.defaultOccupancy = b.defaultOccupancy;
    this.occupancy = Map.copyOf(b.occupancy);
    this.meanParkingDwell = b.meanParkingDwell;
    this.noise = b.noise;
    this.background = b.background;
    this.script = b.script;
    this.sequencesNearWrap = b.sequencesNearWrap;
    this.outages = List.copyOf(b.outages);
    this.underMargin = b.underMargin;
    this.overMargin = b.overMargin;
    validate();
    this.standingByCamera = placeStandingObjects();
  }

  public static Builder builder(BlockMap block) {
    return new Builder(block);
  }

  /** A builder holding this scenario's settings, to derive a variant. */
  public Builder toBuilder() {
    Builder b = new Builder(block);
    b.start = start;
    b.duration = duration;
    b.seed = seed;
    b.heartbeat = heartbeat;
    b.defaultOccupancy = defaultOccupancy;
    b.occupancy.putAll(occupancy);
    b.meanParkingDwell = meanParkingDwell;
    b.noise = noise;
    b.background = background;
    b.script = script;
    b.sequencesNearWrap = sequencesNearWrap;
    b.outages.addAll(outages);
    b.underMargin = underMargin;
    b.overMargin = overMargin;
    return b;
  }

  /** The same scenario at another simulated start; the script moves with it. */
  public StreetScenario startingAt(Instant newStart) {
    return toBuilder().start(newStart).build();
  }

  public BlockMap block() {
    return block;
  }

  public Instant start() {
    return start;
  }

  public Instant end() {
    return start.plus(duration);
  }

  public Duration duration() {
    return duration;
  }

  public long seed() {
    return seed;
  }

  public Duration heartbeat() {
    return heartbeat;
  }

  public CameraNoise noise() {
    return noise;
  }

  public Background background() {
    return background;
  }

  public Script script() {
    return script;
  }

  /** The camera outages, in the order given. */
  public List<CameraOutage> outages() {
    return outages;
  }

  /** The target occupied share of a parking zone's berths outside scripted full windows. */
  public double occupancy(String zoneId) {
    return occupancy.getOrDefault(zoneId, defaultOccupancy);
  }

  /**
   * All messages of all devices of the block, ordered by event time (ties: sensors in map order,
   * then cameras in map order). Generated lazily; each call starts again from the beginning.
   */
  public Iterator<DeviceMessage> iterator() {
    List<Iterator<DeviceMessage>> streams = new ArrayList<>();
    Instant end = end();
    Map<String, List<Interval>[]> held = heldBerths();
    for (Sensor sensor : block.sensors()) {
      List<Interval>[] windows = held.get(sensor.id());
      streams.add(
          new ParkingSensorStream(
              block.id(),
              sensor.id(),
              block.timezone(),
              Seeds.random(seed, block.id(), "sensor", sensor.id()),
              occupancy(sensor.zone()),
              meanParkingDwell,
              windows == null ? fullWindows(sensor.zone()) : windows[0],
              windows == null ? List.of() : windows[1],
              heartbeat,
              start,
              end,
              sequencesNearWrap));
    }
    for (Camera camera : block.cameras()) {
      List<StandingObject> standing = standingByCamera.getOrDefault(camera.id(), List.of());
      List<String> zones = zoneByCamera.getOrDefault(camera.id(), List.of());
      List<List<Interval>> hidden = new ArrayList<>();
      for (String zoneId : zones) {
        hidden.add(
            script.eventsOf(Occlusion.class).stream()
                .filter(o -> o.zoneId().equals(zoneId))
                .map(this::span)
                .toList());
      }
      streams.add(
          new CameraStream(
              block.id(),
              camera,
              block.timezone(),
              Seeds.random(seed, block.id(), "camera", camera.id()),
              noise,
              background,
              standing,
              hidden,
              outagesOf(camera.id()),
              start,
              end));
    }
    return new MergedStream(streams);
  }

  /** {@link #iterator()} as a sequential, ordered stream. */
  public Stream<DeviceMessage> messages() {
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(
            iterator(), Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE),
        false);
  }

  /** Merges the messages of several scenarios (e.g. the blocks of a city) by event time. */
  public static Iterator<DeviceMessage> merge(List<StreetScenario> scenarios) {
    return new MergedStream(scenarios.stream().map(StreetScenario::iterator).toList());
  }

  /** The outages of one camera, as absolute spans, sorted. */
  private List<Interval> outagesOf(String cameraId) {
    return outages.stream()
        .filter(o -> o.cameraId().equals(cameraId))
        .map(o -> new Interval(start.plus(o.from()), start.plus(o.to())))
        .sorted(Comparator.comparing(Interval::from))
        .toList();
  }

  /**
   * Sensors of zones with a {@link ZoneOccupied}: per sensor id {occupied windows, vacant windows},
   * the zone's {@link ZoneFull} windows among the occupied ones. Which berths are taken in a window
   * follows from the seed and the event's place in the script.
   */
  @SuppressWarnings("unchecked")
  private Map<String, List<Interval>[]> heldBerths() {
    Map<String, List<Interval>[]> out = new HashMap<>();
    List<ScriptedEvent> events = script.events();
    for (int i = 0; i < events.size(); i++) {
      if (!(events.get(i) instanceof ZoneOccupied held)) {
        continue;
      }
      List<String> sensors =
          new ArrayList<>(block.sensorsInZone(held.zoneId()).stream().map(Sensor::id).toList());
      for (String id : sensors) {
        out.computeIfAbsent(
            id,
            k -> {
              List<Interval>[] w =
                  new List[] {new ArrayList<>(fullWindows(held.zoneId())), new ArrayList<>()};
              return w;
            });
      }
      Collections.shuffle(sensors, Seeds.random(seed, block.id(), "occupied", i));
      Interval span = span(held);
      for (int k = 0; k < sensors.size(); k++) {
        out.get(sensors.get(k))[k < held.berths() ? 0 : 1].add(span);
      }
    }
    for (List<Interval>[] w : out.values()) {
      w[0].sort(Comparator.comparing(Interval::from));
      w[1].sort(Comparator.comparing(Interval::from));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Ground truth

  /** The scripted violations, with absolute times. */
  public GroundTruth groundTruth() {
    List<Violation> out = new ArrayList<>();
    for (ScriptedEvent event : script.events()) {
      Zone zone = zone(event.zoneId());
      Interval span = span(event);
      if (event instanceof IllegalStall stall) {
        out.addAll(stallViolations(zone, span, stall.cameraId(), stall.cls()));
      } else if (event instanceof MovingVendor vendor) {
        // Only the stop can be a stall standing; walking through is not.
        Interval stop = new Interval(start.plus(vendor.stopFrom()), start.plus(vendor.stopTo()));
        out.addAll(stallViolations(zone, stop, null, vendor.cls()));
      } else if (event instanceof OutOfDoorwayGoods goods) {
        String shopId = zone.shop().orElse(null);
        List<TimeWindow> permits =
            shopId == null ? List.of() : block.shop(shopId).map(s -> s.outdoor()).orElse(List.of());
        Duration dwell = zone.rules().outOfDoorway().dwell();
        for (Interval part : outside(permits, span)) {
          out.add(
              new Violation(
                  block.id(),
                  zone.id(),
                  shopId,
                  ViolationType.OUT_OF_DOORWAY_TRADING.name(),
                  part.from(),
                  part.to(),
                  camerasOf(zone.id(), null),
                  goods.classes(),
                  lasts(part, dwell)));
        }
      }
    }
    out.addAll(parkingOverflows());
    if (underMargin != null || !outages.isEmpty()) {
      out.replaceAll(this::scoring);
    }
    return new GroundTruth(start, end(), out);
  }

  /**
   * Leaves a violation out of scoring when its truth is too close to call. A camera-based rule can
   * only open once one camera has watched the violation for the dwell without an outage (a camera
   * that was out starts its dwell again when it is back; for an overflow a kerb vehicle must also
   * have stood {@link #VEHICLE_SETTLE} in view again before it counts). So the time that counts is
   * the longest stretch of the violation during which one of its cameras sent frames without a gap
   * ("coverage"); a violation without outages has coverage = its length. With the scoring margins
   * set ({@link Builder#scoringMargins}): coverage at least dwell + over margin → scored as
   * expected; otherwise, if the violation itself lasts at least the dwell → excluded (the cameras
   * saw too little of it, or too close to the dwell to call); coverage within (dwell - under
   * margin, dwell + over margin) → excluded too.
   */
  private Violation scoring(Violation v) {
    Duration dwell = dwellOf(v);
    Duration settle =
        ViolationType.PARKING_OVERFLOW.name().equals(v.type()) ? VEHICLE_SETTLE : Duration.ZERO;
    Duration length = Duration.between(v.from(), v.to());
    Duration coverage = Duration.ZERO;
    for (String camera : v.cameras()) {
      Instant t = v.from();
      for (Interval o : outagesOf(camera)) {
        if (!o.to().isAfter(t) || !o.from().isBefore(v.to())) {
          continue;
        }
        Instant cut = o.from().isAfter(t) ? o.from() : t;
        coverage = max(coverage, Duration.between(t, cut));
        t = o.to().plus(settle);
      }
      if (t.isBefore(v.to())) {
        coverage = max(coverage, Duration.between(t, v.to()));
      }
    }
    Duration under = underMargin != null ? underMargin : Duration.ZERO;
    Duration over = overMargin != null ? overMargin : Duration.ZERO;
    boolean cut = coverage.compareTo(length) < 0;
    if (coverage.compareTo(dwell.plus(over)) >= 0) {
      return v;
    }
    if (cut && v.detectable()) {
      return v.excludedFor(
          "its cameras were out: seen without a gap for "
              + coverage.toSeconds()
              + " s, under the dwell + margin of "
              + dwell.plus(over).toSeconds()
              + " s");
    }
    if (coverage.compareTo(dwell.minus(under)) > 0) {
      return v.excludedFor(
          "lasts "
              + length.toSeconds()
              + " s (cut by the window), within the margins of the dwell ("
              + dwell.minus(under).toSeconds()
              + "-"
              + dwell.plus(over).toSeconds()
              + " s): too close to call");
    }
    return v;
  }

  /**
   * How long a kerb vehicle must have stood in view before a detector counts it (the overflow
   * detector's standing time, 30 s): after an outage the kerb's count starts again from zero.
   */
  static final Duration VEHICLE_SETTLE = Duration.ofSeconds(30);

  private Duration dwellOf(Violation v) {
    Zone zone = zone(v.zone());
    return switch (ViolationType.valueOf(v.type())) {
      case ILLEGAL_STALL -> zone.rules().illegalStall().dwell();
      case OUT_OF_DOORWAY_TRADING -> zone.rules().outOfDoorway().dwell();
      case PARKING_OVERFLOW -> zone.rules().parkingOverflow().dwell();
    };
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** A stall standing in a no-vending zone, or in a market outside its schedule. */
  private List<Violation> stallViolations(Zone zone, Interval span, String onlyCamera, String cls) {
    Duration dwell = zone.rules().illegalStall().dwell();
    List<Interval> parts =
        zone.kind() == ZoneKind.MARKET ? outside(zone.schedule(), span) : List.of(span);
    List<Violation> out = new ArrayList<>();
    for (Interval part : parts) {
      out.add(
          new Violation(
              block.id(),
              zone.id(),
              null,
              ViolationType.ILLEGAL_STALL.name(),
              part.from(),
              part.to(),
              camerasOf(zone.id(), onlyCamera),
              List.of(cls),
              lasts(part, dwell)));
    }
    return out;
  }

  /**
   * Overflow of a parking zone: it is scripted full while at least the rule's number of vehicles
   * stand in its no-parking zones. Sensor randomness can fill a zone without a script; such
   * unscripted overflows are not listed, so script vehicles only together with a full window.
   */
  private List<Violation> parkingOverflows() {
    List<Violation> out = new ArrayList<>();
    for (Zone parking : block.zonesOfKind(ZoneKind.PARKING)) {
      List<Interval> full = new ArrayList<>(fullWindows(parking.id()));
      int required =
          Math.max(
              1,
              (int)
                  Math.ceil(
                      parking.rules().parkingOverflow().occupancy() * parking.capacity().orElse(0)
                          - 1e-9));
      script.eventsOf(ZoneOccupied.class).stream()
          .filter(z -> z.zoneId().equals(parking.id()) && z.berths() >= required)
          .forEach(z -> full.add(span(z)));
      if (full.isEmpty() || parking.noParking().isEmpty()) {
        continue;
      }
      // Kerb vehicles as (span, count): groups and single vehicles placed one by one.
      List<Map.Entry<Interval, Integer>> vehicles = new ArrayList<>();
      for (ScriptedEvent e : script.events()) {
        if (!parking.noParking().contains(e.zoneId())) {
          continue;
        }
        if (e instanceof VehiclesInNoParking v) {
          vehicles.add(Map.entry(span(v), v.count()));
        } else if (e instanceof ParkedVehicle v) {
          vehicles.add(Map.entry(span(v), 1));
        }
      }
      TreeSet<Instant> cuts = new TreeSet<>();
      full.forEach(w -> cuts.addAll(List.of(w.from(), w.to())));
      vehicles.forEach(v -> cuts.addAll(List.of(v.getKey().from(), v.getKey().to())));
      int needed = parking.rules().parkingOverflow().vehicles();
      List<Interval> overflow = new ArrayList<>();
      Instant prev = null;
      for (Instant cut : cuts) {
        if (prev != null) {
          Instant probe = prev;
          boolean isFull = full.stream().anyMatch(w -> w.contains(probe));
          int standing =
              vehicles.stream()
                  .filter(v -> v.getKey().contains(probe))
                  .mapToInt(Map.Entry::getValue)
                  .sum();
          if (isFull && standing >= needed) {
            addMerged(overflow, new Interval(prev, cut));
          }
        }
        prev = cut;
      }
      List<String> cameras = new ArrayList<>();
      for (String np : parking.noParking()) {
        block.camerasViewing(np).forEach(c -> addDistinct(cameras, c.id()));
      }
      Duration dwell = parking.rules().parkingOverflow().dwell();
      for (Interval part : overflow) {
        out.add(
            new Violation(
                block.id(),
                parking.id(),
                null,
                ViolationType.PARKING_OVERFLOW.name(),
                part.from(),
                part.to(),
                cameras,
                List.of("vehicle"),
                lasts(part, dwell)));
      }
    }
    return out;
  }

  /** The parts of {@code span} outside every one of {@code windows}, in order. */
  private List<Interval> outside(List<TimeWindow> windows, Interval span) {
    List<Interval> parts = new ArrayList<>();
    Instant t = span.from();
    while (t.isBefore(span.to())) {
      Instant next =
          TimeWindow.nextBoundaryAfter(windows, t, block.timezone())
              .filter(b -> b.isBefore(span.to()))
              .orElse(span.to());
      if (!TimeWindow.anyContains(windows, t, block.timezone())) {
        addMerged(parts, new Interval(t, next));
      }
      t = next;
    }
    return parts;
  }

  private static void addMerged(List<Interval> list, Interval next) {
    if (!list.isEmpty() && list.get(list.size() - 1).to().equals(next.from())) {
      Interval last = list.remove(list.size() - 1);
      list.add(new Interval(last.from(), next.to()));
    } else {
      list.add(next);
    }
  }

  private static boolean lasts(Interval part, Duration dwell) {
    return Duration.between(part.from(), part.to()).compareTo(dwell) >= 0;
  }

  private List<String> camerasOf(String zoneId, String onlyCamera) {
    if (onlyCamera != null) {
      return List.of(onlyCamera);
    }
    return block.camerasViewing(zoneId).stream().map(Camera::id).toList();
  }

  private static void addDistinct(List<String> list, String value) {
    if (!list.contains(value)) {
      list.add(value);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Building

  private Interval span(ScriptedEvent event) {
    return new Interval(start.plus(event.from()), start.plus(event.to()));
  }

  private Zone zone(String zoneId) {
    return block.zone(zoneId).orElseThrow();
  }

  /** The scripted full windows of a parking zone, merged and sorted. */
  private List<Interval> fullWindows(String zoneId) {
    List<Interval> spans =
        script.eventsOf(ZoneFull.class).stream()
            .filter(f -> f.zoneId().equals(zoneId))
            .map(this::span)
            .sorted(Comparator.comparing(Interval::from))
            .toList();
    List<Interval> merged = new ArrayList<>();
    for (Interval s : spans) {
      if (!merged.isEmpty() && !merged.get(merged.size() - 1).to().isBefore(s.from())) {
        Interval last = merged.remove(merged.size() - 1);
        merged.add(new Interval(last.from(), last.to().isAfter(s.to()) ? last.to() : s.to()));
      } else {
        merged.add(s);
      }
    }
    return merged;
  }

  private void validate() {
    for (CameraOutage outage : outages) {
      if (block.cameras().stream().noneMatch(c -> c.id().equals(outage.cameraId()))) {
        throw new IllegalArgumentException(
            "outage " + outage + " on block " + block.id() + ": no camera " + outage.cameraId());
      }
    }
    for (int i = 0; i < script.events().size(); i++) {
      ScriptedEvent event = script.events().get(i);
      String what = "script event " + i + " (" + event + ") on block " + block.id();
      Zone zone =
          block
              .zone(event.zoneId())
              .orElseThrow(
                  () -> new IllegalArgumentException(what + ": no zone " + event.zoneId()));
      if (event.to().compareTo(duration) > 0) {
        throw new IllegalArgumentException(
            what + ": ends after the scenario's duration " + duration);
      }
      if (event instanceof IllegalStall stall) {
        requireKind(what, zone, ZoneKind.NO_VENDING, ZoneKind.MARKET);
        requireCamera(what, zone);
        if (stall.cameraId() != null
            && block.camerasViewing(zone.id()).stream()
                .noneMatch(c -> c.id().equals(stall.cameraId()))) {
          throw new IllegalArgumentException(
              what + ": camera " + stall.cameraId() + " has no view of zone " + zone.id());
        }
        if (!zone.rules().illegalStall().classes().contains(stall.cls())) {
          throw new IllegalArgumentException(
              what
                  + ": cls "
                  + stall.cls()
                  + " is not one of the zone's illegal_stall classes "
                  + zone.rules().illegalStall().classes());
        }
      } else if (event instanceof OutOfDoorwayGoods goods) {
        requireKind(what, zone, ZoneKind.FRONTAGE);
        requireCamera(what, zone);
        for (String cls : goods.classes()) {
          if (!zone.rules().outOfDoorway().classes().contains(cls)) {
            throw new IllegalArgumentException(
                what
                    + ": class "
                    + cls
                    + " is not one of the zone's out_of_doorway classes "
                    + zone.rules().outOfDoorway().classes());
          }
        }
      } else if (event instanceof MovingVendor vendor) {
        requireKind(what, zone, ZoneKind.NO_VENDING, ZoneKind.MARKET);
        requireCamera(what, zone);
        if (!zone.rules().illegalStall().classes().contains(vendor.cls())) {
          throw new IllegalArgumentException(
              what
                  + ": cls "
                  + vendor.cls()
                  + " is not one of the zone's illegal_stall classes "
                  + zone.rules().illegalStall().classes());
        }
      } else if (event instanceof Lingering lingering) {
        requireCamera(what, zone);
        if (countedBy(zone, lingering.cls())) {
          throw new IllegalArgumentException(
              what
                  + ": the rules of "
                  + zone.kind().yamlName()
                  + " zone "
                  + zone.id()
                  + " count a "
                  + lingering.cls()
                  + "; script it as the violation it would be, not as lingering");
        }
      } else if (event instanceof VehiclesInNoParking) {
        requireKind(what, zone, ZoneKind.NO_PARKING);
        requireCamera(what, zone);
      } else if (event instanceof ParkedVehicle) {
        requireKind(what, zone, ZoneKind.NO_PARKING);
        requireCamera(what, zone);
      } else if (event instanceof ZoneOccupied held) {
        requireKind(what, zone, ZoneKind.PARKING);
        if (held.berths() > block.sensorsInZone(zone.id()).size()) {
          throw new IllegalArgumentException(
              what + ": zone " + zone.id() + " has fewer sensors than " + held.berths());
        }
      } else if (event instanceof Occlusion || event instanceof FalseDetection) {
        requireCamera(what, zone);
      } else if (event instanceof ZoneFull) {
        requireKind(what, zone, ZoneKind.PARKING);
        if (block.sensorsInZone(zone.id()).isEmpty()) {
          throw new IllegalArgumentException(what + ": zone " + zone.id() + " has no sensors");
        }
      }
    }
  }

  /** Whether a detector counts objects of {@code cls} standing in {@code zone}. */
  private static boolean countedBy(Zone zone, String cls) {
    return switch (zone.kind()) {
      case FRONTAGE -> zone.rules().outOfDoorway().classes().contains(cls);
      case NO_VENDING, MARKET -> zone.rules().illegalStall().classes().contains(cls);
      case NO_PARKING, PARKING -> "vehicle".equals(cls);
    };
  }

  private static void requireKind(String what, Zone zone, ZoneKind... kinds) {
    for (ZoneKind kind : kinds) {
      if (zone.kind() == kind) {
        return;
      }
    }
    throw new IllegalArgumentException(
        what
            + ": zone "
            + zone.id()
            + " is "
            + zone.kind().yamlName()
            + ", expected "
            + Arrays.stream(kinds).map(ZoneKind::yamlName).toList());
  }

  private void requireCamera(String what, Zone zone) {
    if (block.camerasViewing(zone.id()).isEmpty()) {
      throw new IllegalArgumentException(what + ": no camera has a view of zone " + zone.id());
    }
  }

  /**
   * Puts every scripted object into the views of the cameras that see it: one placement per (event,
   * camera, object), each from its own seeded random source.
   */
  private Map<String, List<StandingObject>> placeStandingObjects() {
    Map<String, List<StandingObject>> byCamera = new LinkedHashMap<>();
    for (int i = 0; i < script.events().size(); i++) {
      ScriptedEvent event = script.events().get(i);
      List<String> classes;
      String onlyCamera = null;
      double conf;
      if (event instanceof IllegalStall stall) {
        classes = List.of(stall.cls());
        onlyCamera = stall.cameraId();
        conf = 0.9;
      } else if (event instanceof OutOfDoorwayGoods goods) {
        classes = goods.classes();
        conf = 0.85;
      } else if (event instanceof VehiclesInNoParking vehicles) {
        classes = Collections.nCopies(vehicles.count(), "vehicle");
        conf = 0.93;
      } else if (event instanceof Lingering lingering) {
        classes = List.of(lingering.cls());
        conf = 0.8;
      } else if (event instanceof FalseDetection falseDetection) {
        classes = List.of(falseDetection.cls());
        conf = 0.7;
      } else if (event instanceof ParkedVehicle parked) {
        placeParked(byCamera, parked);
        continue;
      } else if (event instanceof MovingVendor vendor) {
        placeVendor(byCamera, i, vendor);
        continue;
      } else {
        continue; // a full parking zone shows in its sensors only
      }
      for (Camera camera : block.camerasViewing(event.zoneId())) {
        if (onlyCamera != null && !onlyCamera.equals(camera.id())) {
          continue;
        }
        Random random = Seeds.random(seed, block.id(), "script", i, camera.id());
        for (CameraView view : camera.views()) {
          if (!view.zone().equals(event.zoneId())) {
            continue;
          }
          for (String cls : classes) {
            zoneByCamera.computeIfAbsent(camera.id(), c -> new ArrayList<>()).add(event.zoneId());
            byCamera
                .computeIfAbsent(camera.id(), c -> new ArrayList<>())
                .add(
                    Placement.place(
                        view.polygon(),
                        cls,
                        conf,
                        span(event),
                        random,
                        "zone " + event.zoneId() + " in camera " + camera.id()));
          }
          break; // one view of the zone per camera is enough
        }
      }
    }
    return byCamera;
  }

  /** Puts a parked vehicle at its place in the view of every camera that sees its kerb. */
  private void placeParked(Map<String, List<StandingObject>> byCamera, ParkedVehicle parked) {
    for (Camera camera : block.camerasViewing(parked.zoneId())) {
      for (CameraView view : camera.views()) {
        if (view.zone().equals(parked.zoneId())) {
          zoneByCamera.computeIfAbsent(camera.id(), c -> new ArrayList<>()).add(parked.zoneId());
          byCamera
              .computeIfAbsent(camera.id(), c -> new ArrayList<>())
              .add(
                  Placement.placeAt(
                      view.polygon(),
                      "vehicle",
                      0.93,
                      span(parked),
                      parked.u(),
                      parked.v(),
                      "zone " + parked.zoneId() + " in camera " + camera.id()));
          break; // one view of the zone per camera is enough
        }
      }
    }
  }

  /** Puts a vendor on the move into the view of every camera that sees its zone. */
  private void placeVendor(Map<String, List<StandingObject>> byCamera, int i, MovingVendor vendor) {
    Interval stop = new Interval(start.plus(vendor.stopFrom()), start.plus(vendor.stopTo()));
    for (Camera camera : block.camerasViewing(vendor.zoneId())) {
      Random random = Seeds.random(seed, block.id(), "script", i, camera.id());
      for (CameraView view : camera.views()) {
        if (view.zone().equals(vendor.zoneId())) {
          zoneByCamera.computeIfAbsent(camera.id(), c -> new ArrayList<>()).add(vendor.zoneId());
          byCamera
              .computeIfAbsent(camera.id(), c -> new ArrayList<>())
              .add(
                  Placement.route(
                      view.polygon(),
                      vendor.cls(),
                      0.88,
                      span(vendor),
                      stop,
                      random,
                      "zone " + vendor.zoneId() + " in camera " + camera.id()));
          break; // one view of the zone per camera is enough
        }
      }
    }
  }

  /**
   * Settings of a {@link StreetScenario}. Defaults: start {@link #DEFAULT_START}, 30 minutes, seed
   * 1, heartbeat 10 minutes, 60 % occupancy, cars parked 25 minutes on average, {@link
   * CameraNoise#MILD}, {@link Background#QUIET_LANE}, nothing scripted.
   */
  public static final class Builder {
    private final BlockMap block;
    private Instant start = DEFAULT_START;
    private Duration duration = Duration.ofMinutes(30);
    private long seed = 1;
    private Duration heartbeat = Duration.ofMinutes(10);
    private double defaultOccupancy = 0.6;
    private final Map<String, Double> occupancy = new HashMap<>();
    private Duration meanParkingDwell = Duration.ofMinutes(25);
    private CameraNoise noise = CameraNoise.MILD;
    private Background background = Background.QUIET_LANE;
    private Script script = Script.EMPTY;
    private boolean sequencesNearWrap;
    private final List<CameraOutage> outages = new ArrayList<>();
    private Duration underMargin;
    private Duration overMargin;

    private Builder(BlockMap block) {
      this.block = Objects.requireNonNull(block, "block");
    }

    /**
     * The simulated instant of the first possible message, truncated to milliseconds: the precision
     * of the payloads' {@code ts}, so a message's event time is exactly what its payload says.
     */
    public Builder start(Instant start) {
      this.start = Objects.requireNonNull(start, "start").truncatedTo(ChronoUnit.MILLIS);
      return this;
    }

    /** How much simulated time the scenario covers; positive. */
    public Builder duration(Duration duration) {
      this.duration = positive(duration, "duration");
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The sensors' heartbeat period; positive. */
    public Builder heartbeat(Duration heartbeat) {
      this.heartbeat = positive(heartbeat, "heartbeat");
      return this;
    }

    /** Target occupied share of every parking zone without its own, 0..1. */
    public Builder defaultOccupancy(double share) {
      this.defaultOccupancy = share(share, "defaultOccupancy");
      return this;
    }

    /** Target occupied share of one parking zone's berths, 0..1. */
    public Builder occupancy(String zoneId, double share) {
      Objects.requireNonNull(zoneId, "zoneId");
      Zone zone =
          block
              .zone(zoneId)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "occupancy: no zone " + zoneId + " in " + block.id()));
      if (zone.kind() != ZoneKind.PARKING) {
        throw new IllegalArgumentException("occupancy: zone " + zoneId + " is not parking");
      }
      occupancy.put(zoneId, share(share, "occupancy of " + zoneId));
      return this;
    }

    /** Mean time a car stays in a berth; positive. */
    public Builder meanParkingDwell(Duration dwell) {
      this.meanParkingDwell = positive(dwell, "meanParkingDwell");
      return this;
    }

    public Builder noise(CameraNoise noise) {
      this.noise = Objects.requireNonNull(noise, "noise");
      return this;
    }

    public Builder background(Background background) {
      this.background = Objects.requireNonNull(background, "background");
      return this;
    }

    public Builder script(Script script) {
      this.script = Objects.requireNonNull(script, "script");
      return this;
    }

    /** Adds one event to the script. */
    public Builder event(ScriptedEvent event) {
      this.script = script.with(Objects.requireNonNull(event, "event"));
      return this;
    }

    /** Adds a camera outage: the camera sends no frame in that span. */
    public Builder outage(CameraOutage outage) {
      this.outages.add(Objects.requireNonNull(outage, "outage"));
      return this;
    }

    /**
     * Leaves out of scoring every violation whose (camera-covered) length falls between dwell -
     * {@code under} and dwell + {@code over}: too close to the dwell to call. Off by default.
     */
    public Builder scoringMargins(Duration under, Duration over) {
      this.underMargin = Objects.requireNonNull(under, "under");
      this.overMargin = Objects.requireNonNull(over, "over");
      return this;
    }

    /**
     * Starts every sensor's {@code seq} a few messages below 2^31 so the wrap to 0 happens within
     * minutes: exercises the consumers' handling of it.
     */
    public Builder sequencesNearWrap(boolean nearWrap) {
      this.sequencesNearWrap = nearWrap;
      return this;
    }

    /**
     * The scenario.
     *
     * @throws IllegalArgumentException naming the event and the reason when the script does not fit
     *     the block map (unknown zone, wrong zone kind, no camera sees the zone, an event past the
     *     end, a class the zone's rule does not count)
     */
    public StreetScenario build() {
      return new StreetScenario(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + d);
      }
      return d;
    }

    private static double share(double value, String name) {
      if (!(value >= 0 && value <= 1)) {
        throw new IllegalArgumentException(name + " must be within 0..1, got " + value);
      }
      return value;
    }
  }
}
