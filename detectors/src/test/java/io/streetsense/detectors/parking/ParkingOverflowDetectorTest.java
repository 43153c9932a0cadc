package io.streetsense.detectors.parking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.detectors.presence.Sighting;
import io.streetsense.detectors.presence.ZoneObservation;
import io.streetsense.schemas.AlternativeParking;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.ParkingEvidence;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.ViolationType;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Parking overflow on jiashan-lane's JS-Z-P1 (8 berths, sensors JS-P-01..08; rule: occupancy 1.0, 2
 * vehicles, dwell 10 min; verify clear_for 5 min), its kerb JS-Z-NP1 seen by camera JS-C-03, and
 * its alternative JS-Z-P2 (4 berths, JS-P-09..12).
 *
 * <p>Vehicles count once they have stood 30 s, and keep counting 15 s after last seen (flicker; 45
 * s when all of them vanish together, a bus passing in front): a pair arriving at 0 s makes the
 * condition hold from 30 s, so the violation opens at 630 s.
 */
class ParkingOverflowDetectorTest {
  private static final String BLOCK = "jiashan-lane";
  private static final long T0 =
      Instant.parse("2026-11-23T02:00:00Z").toEpochMilli(); // 10:00 local
  private static final long SECOND = 1000;

  private KeyedTwoInputStreamOperatorTestHarness<
          String, ParkingSensorEvent, ZoneObservation, ViolationEvent>
      harness;
  private final Map<String, Long> seqs = new HashMap<>();
  private long maxSeen = Long.MIN_VALUE;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(
                new ParkingOverflowDetector(
                    BlockMaps.of(BlockMapLoader.load(RepositoryBlockMaps.file(BLOCK))),
                    DetectorConfig.defaults())),
            ParkingSensorEvent::getBlockId,
            o -> o.blockId,
            Types.STRING);
    harness.open();
    seqs.clear();
    maxSeen = Long.MIN_VALUE;
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  // ---- input builders ----------------------------------------------------------------------

  private ParkingSensorEvent sensor(
      String id, int second, boolean occupied, SensorMessageKind kind) {
    long seq = seqs.merge(id, 1L, Long::sum);
    return ParkingSensorEvent.newBuilder()
        .setBlockId(BLOCK)
        .setSensorId(id)
        .setZoneId(Integer.parseInt(id.substring(5)) <= 8 ? "JS-Z-P1" : "JS-Z-P2")
        .setEventTime(Instant.ofEpochMilli(T0 + second * SECOND))
        .setSeq(seq)
        .setOccupied(occupied)
        .setKind(kind)
        .setBatteryV(3.6)
        .setReceivedAt(Instant.ofEpochMilli(T0 + second * SECOND))
        .build();
  }

  private static String berth(int n) {
    return String.format("JS-P-%02d", n);
  }

  /** At {@code second}: the first {@code occupiedP1} berths of P1 and {@code occupiedP2} of P2. */
  private List<ParkingSensorEvent> berths(int second, int occupiedP1, int occupiedP2) {
    List<ParkingSensorEvent> events = new ArrayList<>();
    for (int n = 1; n <= 8; n++) {
      events.add(sensor(berth(n), second, n <= occupiedP1, SensorMessageKind.CHANGE));
    }
    for (int n = 9; n <= 12; n++) {
      events.add(sensor(berth(n), second, n - 8 <= occupiedP2, SensorMessageKind.CHANGE));
    }
    return events;
  }

  /** Heartbeats of every berth every 10 min in (from, to), restating the given occupancy. */
  private List<ParkingSensorEvent> heartbeats(int from, int to, int occupiedP1, int occupiedP2) {
    List<ParkingSensorEvent> events = new ArrayList<>();
    for (int s = from + 600; s < to; s += 600) {
      for (int n = 1; n <= 8; n++) {
        events.add(sensor(berth(n), s, n <= occupiedP1, SensorMessageKind.HEARTBEAT));
      }
      for (int n = 9; n <= 12; n++) {
        events.add(sensor(berth(n), s, n - 8 <= occupiedP2, SensorMessageKind.HEARTBEAT));
      }
    }
    return events;
  }

  /** A vehicle whose ground point is (x, y): a 0.12 x 0.10 box standing on that point. */
  private static Sighting vehicle(String track, double x, double y) {
    return new Sighting(track, "vehicle", 0.9, x - 0.06, y - 0.10, 0.12, 0.10);
  }

  private static List<Sighting> twoCars(int second) {
    return List.of(vehicle("31", 0.70, 0.80), vehicle("32", 0.88, 0.82));
  }

  /** One JS-C-03 view of the kerb a second for [from, to). */
  private static List<ZoneObservation> kerb(int from, int to, IntFunction<List<Sighting>> objects) {
    List<ZoneObservation> views = new ArrayList<>();
    for (int s = from; s < to; s++) {
      views.add(
          new ZoneObservation(
              BLOCK, "JS-Z-NP1", "JS-C-03", T0 + s * SECOND, 10_000 + s, objects.apply(s)));
    }
    return views;
  }

  // ---- driving the harness -----------------------------------------------------------------

  private static long time(Object input) {
    return input instanceof ParkingSensorEvent e
        ? e.getEventTime().toEpochMilli()
        : ((ZoneObservation) input).eventTime;
  }

  /** Input in event-time order (sensors first at equal times, as a recorded log would hold). */
  private static List<Object> merged(
      List<ParkingSensorEvent> sensors, List<ZoneObservation> views) {
    List<Object> all = new ArrayList<>(sensors);
    all.addAll(views);
    all.sort(Comparator.comparingLong(ParkingOverflowDetectorTest::time));
    return all;
  }

  /** Feeds the input in the given order, the watermark 5 s behind the newest event. */
  private List<ViolationEvent> run(List<Object> input, long watermarkAtEnd) throws Exception {
    for (Object event : input) {
      if (event instanceof ParkingSensorEvent sensor) {
        harness.processElement1(new StreamRecord<>(sensor, time(sensor)));
      } else {
        harness.processElement2(new StreamRecord<>((ZoneObservation) event, time(event)));
      }
      maxSeen = Math.max(maxSeen, time(event));
      harness.processBothWatermarks(new Watermark(maxSeen - 5 * SECOND - 1));
    }
    harness.processBothWatermarks(new Watermark(watermarkAtEnd));
    return harness.extractOutputValues();
  }

  /** Every berth of P1 occupied, the kerb seen a second for 15 minutes: what the detector emits. */
  private List<ViolationEvent> fullZoneAndKerb(IntFunction<List<Sighting>> objects)
      throws Exception {
    return run(merged(berths(0, 8, 0), kerb(0, 900, objects)), T0 + 900 * SECOND);
  }

  private static List<ViolationEventKind> kinds(List<ViolationEvent> events) {
    return events.stream().map(ViolationEvent::getKind).collect(Collectors.toList());
  }

  private static long second(Instant instant) {
    return (instant.toEpochMilli() - T0) / SECOND;
  }

  private static String describe(ViolationEvent e) {
    ParkingEvidence p = e.getEvidence().getParking();
    return e.getKind()
        + "@"
        + second(e.getEventTime())
        + " "
        + p.getOccupied()
        + "/"
        + p.getCapacity()
        + " vehicles="
        + p.getVehiclesInNoParking()
        + " alt="
        + p.getAlternatives().stream()
            .map(a -> a.getZoneId() + ":" + a.getFree() + "/" + a.getCapacity())
            .collect(Collectors.joining(","));
  }

  // ---- tests -------------------------------------------------------------------------------

  @Test
  void fullZoneAndTwoStandingVehiclesForTheDwell_opensOneOverflow_withTheAlternativesFreeBerths()
      throws Exception {
    List<ViolationEvent> events =
        run(merged(berths(0, 8, 1), kerb(0, 800, ParkingOverflowDetectorTest::twoCars)), T0);

    assertEquals(1, events.size(), events.toString());
    ViolationEvent opened = events.get(0);
    assertEquals(ViolationEventKind.OPENED, opened.getKind());
    assertEquals(ViolationType.PARKING_OVERFLOW, opened.getType());
    assertEquals("JS-Z-P1", opened.getZoneId());
    assertNull(opened.getShopId());
    assertEquals(30, second(opened.getDetectedAt()), "from when both vehicles stood");
    assertEquals(630, second(opened.getEventTime()), "after the 10 min dwell");
    assertEquals(600 * SECOND, opened.getDwellMillis());
    assertEquals(
        "jiashan-lane/JS-Z-P1/PARKING_OVERFLOW/" + (T0 + 30 * SECOND), opened.getViolationId());
    ParkingEvidence parking = opened.getEvidence().getParking();
    assertEquals(8, parking.getOccupied());
    assertEquals(8, parking.getCapacity());
    assertEquals(2, parking.getVehiclesInNoParking());
    assertEquals(List.of(new AlternativeParking("JS-Z-P2", 3, 4)), parking.getAlternatives());
    assertEquals("JS-C-03", opened.getEvidence().getCameras().get(0).getCameraId());
    assertEquals(List.of("31", "32"), opened.getEvidence().getCameras().get(0).getTracks());
  }

  @Test
  void overflowEndingJustBeforeTheDwell_opensNothing_andJustAfter_opens() throws Exception {
    // Both cars leave at once (as if hidden): they count 45 s past their last sighting, so last
    // seen at 584 s keeps the condition to 629 s, one second short of the dwell.
    List<Object> under =
        merged(berths(0, 8, 0), kerb(0, 900, s -> s <= 584 ? twoCars(s) : List.of()));
    assertEquals(List.of(), run(under, T0 + 900 * SECOND));

    tearDown();
    setUp();
    List<Object> over =
        merged(berths(0, 8, 0), kerb(0, 900, s -> s <= 585 ? twoCars(s) : List.of()));
    List<ViolationEvent> events = run(over, T0 + 900 * SECOND);
    assertEquals(ViolationEventKind.OPENED, events.get(0).getKind());
    assertEquals(630, second(events.get(0).getEventTime()));
  }

  @Test
  void aCarLeavingWhileTheOtherStays_stopsCountingAfter15s() throws Exception {
    // Car 31 is last seen at 599 s, car 32 stays in view: 31 left (it did not vanish with the
    // others), so it counts to 614 s only and the condition breaks before the dwell at 630 s.
    List<ViolationEvent> events =
        fullZoneAndKerb(s -> s <= 599 ? twoCars(s) : twoCars(s).subList(1, 2));
    assertEquals(List.of(), events);
  }

  @Test
  void aParkedCarCrossedByAPassingOne_countsOnce() throws Exception {
    // One car parked at x 0.70 (the rule needs 2). At 100 s a passing vehicle crosses it (two
    // sightings near its spot in one frame), which starts a second anchor at 0.705; after that the
    // car's ground point jitters between 0.700 and 0.706, nearer one anchor, then the other: both
    // keep half the car's sightings and both would stand. Still one car: nothing opens.
    List<ViolationEvent> events =
        fullZoneAndKerb(
            s ->
                s == 100
                    ? List.of(vehicle("31", 0.70, 0.80), vehicle("77", 0.705, 0.80))
                    : List.of(vehicle("31", s > 100 && s % 2 == 1 ? 0.706 : 0.70, 0.80)));
    assertEquals(List.of(), events);
  }

  /**
   * Car 31 was first seen at x 0.700 as it pulled in and settles at 0.712; at 200 s a passing
   * vehicle seen once at 0.712 starts a candidate there, nearer to the car's boxes than its own:
   * from then on every sighting of the car goes to the newer candidate. Car 32 stands throughout.
   */
  private static List<Sighting> parkedCarStolenByAPasserBy(int second, int car31LeavesAt) {
    List<Sighting> cars = new ArrayList<>();
    if (second < car31LeavesAt) {
      cars.add(vehicle("31", second < 200 ? 0.700 : second % 2 == 0 ? 0.711 : 0.713, 0.80));
    }
    if (second == 200) {
      cars.add(vehicle("77", 0.712, 0.80));
    }
    cars.add(vehicle("32", 0.88, 0.82));
    return cars;
  }

  @Test
  void aPasserBysCandidateTakingAParkedCarsSightings_doesNotRestartTheDwell() throws Exception {
    // The car's own candidate is unseen from 201 s; the newer one stands only at 230 s. The car
    // is seen all along, so the count must not dip in between: the overflow opens at 630 s.
    List<ViolationEvent> events = fullZoneAndKerb(s -> parkedCarStolenByAPasserBy(s, 900));
    assertEquals(ViolationEventKind.OPENED, events.get(0).getKind(), events.toString());
    assertEquals(630, second(events.get(0).getEventTime()), describe(events.get(0)));
    assertEquals(2, events.get(0).getEvidence().getParking().getVehiclesInNoParking());
  }

  @Test
  void aCarWhoseSightingsATwinTookOver_leavingStillStopsCountingAfter15s() throws Exception {
    // The same car leaves at 590 s (last seen 589 s): both its candidates stop counting 15 s
    // later, before the dwell ends at 630 s, so nothing opens.
    List<ViolationEvent> events = fullZoneAndKerb(s -> parkedCarStolenByAPasserBy(s, 590));
    assertEquals(List.of(), events);
  }

  @Test
  void aCarWhoseSightingsSplitBetweenTwoAnchors_stillCounts() throws Exception {
    // Car 31 is first seen at 0.700 pulling in; in its second frame a passer-by at 0.702 takes
    // that anchor and the car, at 0.725, starts a second. From then on the car's boxes fall at
    // 0.709 and 0.717 in turn (missed one frame in five): nearer one anchor, then the other.
    // Matched by distance alone each anchor held some 40 % of the frames, neither stood, and the
    // kerb counted one car of two for good. The older anchor takes them once it has been there
    // the standing time, stands, and the overflow opens.
    List<ViolationEvent> events =
        fullZoneAndKerb(
            s -> {
              List<Sighting> cars = new ArrayList<>();
              if (s == 0) {
                cars.add(vehicle("31", 0.700, 0.80));
              } else if (s == 1) {
                cars.add(vehicle("77", 0.702, 0.80));
                cars.add(vehicle("31", 0.725, 0.80));
              } else if (s % 5 != 0) {
                cars.add(vehicle("31", s % 2 == 0 ? 0.709 : 0.717, 0.80));
              }
              cars.add(vehicle("32", 0.88, 0.82));
              return cars;
            });
    assertEquals(ViolationEventKind.OPENED, events.get(0).getKind(), events.toString());
    assertEquals(2, events.get(0).getEvidence().getParking().getVehiclesInNoParking());
    assertTrue(second(events.get(0).getEventTime()) <= 700, describe(events.get(0)));
  }

  @Test
  void twoCarsCloseTogetherInTheImage_countTwice() throws Exception {
    // One behind the other, far from the camera: ground points 0.02 apart, seen in the same
    // frames (each missed in one frame of five). They are two vehicles: the overflow opens.
    List<ViolationEvent> events =
        fullZoneAndKerb(
            s -> {
              List<Sighting> cars = new ArrayList<>();
              if (s % 5 != 1) {
                cars.add(vehicle("31", 0.70, 0.80));
              }
              if (s % 5 != 3) {
                cars.add(vehicle("32", 0.72, 0.80));
              }
              return cars;
            });
    assertEquals(ViolationEventKind.OPENED, events.get(0).getKind(), events.toString());
    assertEquals(2, events.get(0).getEvidence().getParking().getVehiclesInNoParking());
  }

  @Test
  void aBusHidingTheKerbForHalfAMinute_doesNotRestartTheDwell() throws Exception {
    // Both cars unseen from 300 s to 330 s (a bus in front of the camera): they keep counting.
    List<ViolationEvent> events =
        fullZoneAndKerb(s -> s >= 300 && s < 330 ? List.of() : twoCars(s));
    assertEquals(ViolationEventKind.OPENED, events.get(0).getKind(), events.toString());
    assertEquals(630, second(events.get(0).getEventTime()));
  }

  @Test
  void occupancyJustUnderTheThreshold_opensNothing() throws Exception {
    List<Object> input =
        merged(berths(0, 7, 0), kerb(0, 1500, ParkingOverflowDetectorTest::twoCars));
    assertEquals(List.of(), run(input, T0 + 1500 * SECOND));
  }

  @Test
  void oneVehicle_isNotOverflow_butThree_are() throws Exception {
    List<Object> one =
        merged(berths(0, 8, 0), kerb(0, 1500, s -> List.of(vehicle("31", 0.70, 0.80))));
    assertEquals(List.of(), run(one, T0 + 1500 * SECOND));

    tearDown();
    setUp();
    List<Object> three =
        merged(
            berths(0, 8, 0),
            kerb(
                0,
                800,
                s ->
                    List.of(
                        vehicle("31", 0.66, 0.80),
                        vehicle("32", 0.80, 0.81),
                        vehicle("33", 0.94, 0.79))));
    List<ViolationEvent> events = run(three, T0 + 800 * SECOND);
    assertEquals(3, events.get(0).getEvidence().getParking().getVehiclesInNoParking());
  }

  @Test
  void vehiclesDrivingAlongTheKerb_doNotStand() throws Exception {
    // A queue of cars creeping 0.005 a second: no ground point stays within 0.04 for 30 s.
    List<Object> input =
        merged(
            berths(0, 8, 0),
            kerb(
                0,
                1500,
                s ->
                    List.of(
                        vehicle("a" + s / 80, 0.60 + 0.005 * (s % 80), 0.80),
                        vehicle("b" + s / 80, 0.62 + 0.005 * (s % 80), 0.90))));
    assertEquals(List.of(), run(input, T0 + 1500 * SECOND));
  }

  @Test
  void flickeringVehicles_stillCount() throws Exception {
    // 20 % of frames miss each car, and the tracker renumbers them every 100 s.
    Random noise = new Random(5);
    List<Object> input =
        merged(
            berths(0, 8, 0),
            kerb(
                0,
                800,
                s -> {
                  List<Sighting> seen = new ArrayList<>();
                  if (noise.nextDouble() > 0.2) {
                    seen.add(vehicle("x" + s / 100, 0.70 + 0.01 * noise.nextDouble(), 0.80));
                  }
                  if (noise.nextDouble() > 0.2) {
                    seen.add(vehicle("y" + s / 100, 0.88, 0.82 - 0.01 * noise.nextDouble()));
                  }
                  return seen;
                }));
    List<ViolationEvent> events = run(input, T0 + 800 * SECOND);
    assertEquals(ViolationEventKind.OPENED, events.get(0).getKind());
  }

  @Test
  void alternativesFreeBerths_followInUpdates_atMostOncePerMinute() throws Exception {
    List<ParkingSensorEvent> sensors = new ArrayList<>(berths(0, 8, 1));
    sensors.add(sensor("JS-P-10", 640, true, SensorMessageKind.CHANGE)); // P2: 2 free
    sensors.add(sensor("JS-P-11", 650, true, SensorMessageKind.CHANGE)); // P2: 1 free
    List<ViolationEvent> events =
        run(merged(sensors, kerb(0, 800, ParkingOverflowDetectorTest::twoCars)), T0);

    assertEquals(
        List.of(
            "OPENED@630 8/8 vehicles=2 alt=JS-Z-P2:3/4",
            "UPDATED@690 8/8 vehicles=2 alt=JS-Z-P2:1/4"),
        events.stream().map(ParkingOverflowDetectorTest::describe).collect(Collectors.toList()));
  }

  @Test
  void duplicateAndOutOfOrderSensorMessages_giveTheSameEvents() throws Exception {
    List<ParkingSensorEvent> sensors = new ArrayList<>(berths(0, 8, 1));
    sensors.add(sensor("JS-P-03", 700, false, SensorMessageKind.CHANGE)); // a car leaves
    sensors.add(sensor("JS-P-03", 760, true, SensorMessageKind.CHANGE)); // another takes it
    sensors.addAll(heartbeats(0, 1300, 8, 1));
    List<ZoneObservation> views = kerb(0, 1300, s -> s < 1000 ? twoCars(s) : List.of());
    List<Object> inOrder = merged(sensors, views);
    List<String> expected =
        run(inOrder, T0 + 1300 * SECOND).stream()
            .map(ParkingOverflowDetectorTest::describe)
            .collect(Collectors.toList());
    assertEquals(
        List.of(
            "OPENED@630 8/8 vehicles=2 alt=JS-Z-P2:3/4",
            "UPDATED@700 7/8 vehicles=2 alt=JS-Z-P2:3/4",
            "UPDATED@760 8/8 vehicles=2 alt=JS-Z-P2:3/4",
            "UPDATED@1045 8/8 vehicles=0 alt=JS-Z-P2:3/4"),
        expected,
        "one car swapping a berth neither clears nor reopens");

    tearDown();
    setUp();
    List<Object> noisy = new ArrayList<>(inOrder);
    for (ParkingSensorEvent event : sensors) {
      if (event.getSeq() % 2 == 0) {
        noisy.add(event); // redelivered after a reconnect
      }
    }
    noisy.sort(Comparator.comparingLong(ParkingOverflowDetectorTest::time));
    List<Object> shuffled = shuffleWithinSeconds(noisy, 4, new Random(11));
    List<ViolationEvent> events = run(shuffled, T0 + 1300 * SECOND);
    assertEquals(
        expected,
        events.stream().map(ParkingOverflowDetectorTest::describe).collect(Collectors.toList()));
    assertEquals(
        0,
        harness.getSideOutput(LateEvents.TAG) == null
            ? 0
            : harness.getSideOutput(LateEvents.TAG).size());
  }

  @Test
  void kerbSeenClear_clearsAfterTheVerifyTime_andStateGoesBackToNothing() throws Exception {
    List<ParkingSensorEvent> sensors = new ArrayList<>(berths(0, 8, 1));
    sensors.addAll(heartbeats(0, 1400, 8, 1));
    List<ViolationEvent> events =
        run(
            merged(sensors, kerb(0, 1400, s -> s < 900 ? twoCars(s) : List.of())),
            T0 + 1400 * SECOND);

    ViolationEvent cleared = events.get(events.size() - 1);
    assertEquals(ViolationEventKind.CLEARED, cleared.getKind(), events.toString());
    // Last seen at 899 s, counted to 944 s; false from 945 s; clear 5 min later.
    assertEquals(945 + 300, second(cleared.getEventTime()));
    assertEquals(cleared.getViolationId(), events.get(0).getViolationId());
    assertEquals(1, kinds(events).stream().filter(k -> k == ViolationEventKind.OPENED).count());
    assertEquals(0, cleared.getEvidence().getParking().getVehiclesInNoParking());

    // Online sensors keep their berths (the block's one state entry) and a housekeeping timer.
    assertEquals(1, harness.numKeyedStateEntries());
    // Sensors silent for 3 heartbeats: offline, berths forgotten, nothing left.
    harness.processBothWatermarks(new Watermark(T0 + 4 * 3600 * SECOND));
    assertEquals(0, harness.numKeyedStateEntries(), "a quiet block keeps no state");
    assertEquals(0, harness.numEventTimeTimers(), "and no timers");
  }

  @Test
  void cameraOfflineMidViolation_neverClears_untilTheKerbIsWatchedAgain() throws Exception {
    List<ParkingSensorEvent> sensors = new ArrayList<>(berths(0, 8, 1));
    sensors.addAll(heartbeats(0, 2700, 8, 1));
    List<ZoneObservation> views =
        new ArrayList<>(kerb(0, 700, ParkingOverflowDetectorTest::twoCars));
    // JS-C-03 silent from 700 s to 2000 s (over 20 min): the cars may or may not still stand.
    views.addAll(kerb(2000, 2700, s -> List.of()));
    List<ViolationEvent> events = run(merged(sensors, views), T0 + 2700 * SECOND);

    assertEquals(ViolationEventKind.OPENED, events.get(0).getKind());
    List<ViolationEvent> clears =
        events.stream().filter(e -> e.getKind() == ViolationEventKind.CLEARED).toList();
    assertEquals(1, clears.size(), events.toString());
    assertEquals(
        2000 + 300,
        second(clears.get(0).getEventTime()),
        "watched clear for the verify time only after the camera came back");
  }

  @Test
  void offlineCameraAndSilentSensors_neverClear() throws Exception {
    // The camera stops at 700 s and the sensors never speak again: nothing is seen clear.
    List<ViolationEvent> events =
        run(
            merged(berths(0, 8, 1), kerb(0, 700, ParkingOverflowDetectorTest::twoCars)),
            T0 + 3 * 3600 * SECOND);
    assertFalse(kinds(events).contains(ViolationEventKind.CLEARED), events.toString());
    assertEquals(
        List.of(
            "OPENED@630 8/8 vehicles=2 alt=JS-Z-P2:3/4",
            // With no device speaking, housekeeping evaluates the block once a minute.
            "UPDATED@780 8/8 vehicles=0 alt=JS-Z-P2:3/4",
            "UPDATED@1860 0/8 vehicles=0 alt=JS-Z-P2:0/4"),
        events.stream().map(ParkingOverflowDetectorTest::describe).collect(Collectors.toList()),
        "the evidence says what is known: no counted cars, then no berths known");
  }

  @Test
  void freeBerthsSeenByOnlineSensors_clearItWithoutTheCamera() throws Exception {
    List<ParkingSensorEvent> sensors = new ArrayList<>(berths(0, 8, 1));
    sensors.add(sensor("JS-P-01", 800, false, SensorMessageKind.CHANGE));
    List<ViolationEvent> events =
        run(
            merged(sensors, kerb(0, 700, ParkingOverflowDetectorTest::twoCars)),
            T0 + 1200 * SECOND);
    ViolationEvent cleared = events.get(events.size() - 1);
    assertEquals(ViolationEventKind.CLEARED, cleared.getKind(), events.toString());
    // Housekeeping evaluates once a minute while the camera is silent: 800 s is seen at 820 s.
    assertTrue(second(cleared.getEventTime()) >= 800 + 300);
    assertTrue(second(cleared.getEventTime()) <= 800 + 300 + 60);
  }

  @Test
  void lateKerbView_goesToTheSideOutput() throws Exception {
    run(
        merged(berths(0, 8, 0), kerb(0, 100, ParkingOverflowDetectorTest::twoCars)),
        T0 + 100 * SECOND);
    harness.processElement2(
        new StreamRecord<>(kerb(10, 11, s -> List.of()).get(0), T0 + 10 * SECOND));
    assertEquals(1, harness.getSideOutput(LateEvents.TAG).size());
    assertEquals(
        DeadLetterReason.LATE_EVENT.name(),
        harness.getSideOutput(LateEvents.TAG).peek().getValue().getReason());
  }

  /** Shuffles inside consecutive chunks of `seconds` seconds: out of order, within the bound. */
  static List<Object> shuffleWithinSeconds(List<Object> input, int seconds, Random random) {
    List<Object> out = new ArrayList<>();
    List<Object> chunk = new ArrayList<>();
    long chunkStart = time(input.get(0));
    for (Object event : input) {
      if (time(event) - chunkStart >= seconds * SECOND) {
        Collections.shuffle(chunk, random);
        out.addAll(chunk);
        chunk.clear();
        chunkStart = time(event);
      }
      chunk.add(event);
    }
    Collections.shuffle(chunk, random);
    out.addAll(chunk);
    return out;
  }
}
