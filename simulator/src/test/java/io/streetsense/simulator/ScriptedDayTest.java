package io.streetsense.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.TimeWindow;
import io.streetsense.blockmap.Zone;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scripted day on the shared 250-shop lingyan-south map: the script and its ground truth. */
class ScriptedDayTest {
  private static BlockMap block;
  private static StreetScenario day;

  @BeforeAll
  static void scriptTheDay() {
    block = BlockMapLoader.load(TestMaps.repositoryBlockMaps().resolve("lingyan-south.yaml"));
    day = Scenarios.scriptedDay(block, 1);
  }

  @Test
  void theDayIsASaturdayFromMidnightToMidnightWithTheIssueFourNoise() {
    assertEquals(DayOfWeek.SATURDAY, ScriptedDay.DEFAULT_DAY.getDayOfWeek());
    assertEquals(ScriptedDay.DEFAULT_DAY.atStartOfDay(block.timezone()).toInstant(), day.start());
    assertEquals(Duration.ofDays(1), day.duration());
    assertEquals(0.2, day.noise().missRate());
    assertTrue(day.noise().idSwitchRate() > 0);
    assertTrue(day.noise().confJitter() > 0);
  }

  @Test
  void theScriptHasEveryKindOfEventAndDozensOfViolations() {
    Map<Class<?>, Integer> kinds = new HashMap<>();
    day.script().events().forEach(e -> kinds.merge(e.getClass(), 1, Integer::sum));
    for (Class<?> kind :
        List.of(
            IllegalStall.class,
            OutOfDoorwayGoods.class,
            MovingVendor.class,
            Lingering.class,
            VehiclesInNoParking.class,
            ZoneFull.class)) {
      assertTrue(kinds.getOrDefault(kind, 0) > 0, kind.getSimpleName() + " in " + kinds);
    }
    Map<String, Integer> detectable = new HashMap<>();
    Map<String, Integer> nearMisses = new HashMap<>();
    for (GroundTruth.Violation v : day.groundTruth().violations()) {
      (v.detectable() ? detectable : nearMisses).merge(v.type(), 1, Integer::sum);
    }
    assertTrue(detectable.getOrDefault("ILLEGAL_STALL", 0) >= 30, detectable.toString());
    assertTrue(detectable.getOrDefault("OUT_OF_DOORWAY_TRADING", 0) >= 30, detectable.toString());
    assertTrue(detectable.getOrDefault("PARKING_OVERFLOW", 0) >= 1, detectable.toString());
    assertTrue(nearMisses.getOrDefault("ILLEGAL_STALL", 0) >= 60, nearMisses.toString());
    assertTrue(nearMisses.getOrDefault("OUT_OF_DOORWAY_TRADING", 0) >= 30, nearMisses.toString());
  }

  @Test
  void violationsAreClearlyOverOrUnderTheDwell() {
    for (GroundTruth.Violation v : day.groundTruth().violations()) {
      Duration length = Duration.between(v.from(), v.to());
      Duration dwell = dwell(v);
      if (v.detectable()) {
        assertTrue(length.compareTo(dwell.plus(ScriptedDay.OVER_MARGIN)) >= 0, v.toString());
      } else {
        assertTrue(length.compareTo(dwell.minus(ScriptedDay.UNDER_MARGIN)) <= 0, v.toString());
      }
    }
  }

  @Test
  void detectableViolationsOfOneZoneNeverOverlap() {
    List<GroundTruth.Violation> d = day.groundTruth().detectable();
    for (int i = 0; i < d.size(); i++) {
      for (int j = i + 1; j < d.size(); j++) {
        GroundTruth.Violation a = d.get(i);
        GroundTruth.Violation b = d.get(j);
        if (a.zone().equals(b.zone()) && a.type().equals(b.type())) {
          boolean apart =
              !b.from().isBefore(a.to().plus(Duration.ofMinutes(5)))
                  || !a.from().isBefore(b.to().plus(Duration.ofMinutes(5)));
          assertTrue(apart, a + " and " + b);
        }
      }
    }
  }

  @Test
  void noViolationFallsInsideAPermitOrMarketHours() {
    int pastPermit = 0;
    for (GroundTruth.Violation v : day.groundTruth().violations()) {
      Zone zone = block.zone(v.zone()).orElseThrow();
      List<TimeWindow> allowed =
          switch (zone.kind()) {
            case FRONTAGE -> block.shop(v.shop()).orElseThrow().outdoor();
            case MARKET -> zone.schedule();
            default -> List.of();
          };
      for (Instant t = v.from(); t.isBefore(v.to()); t = t.plusSeconds(30)) {
        assertFalse(TimeWindow.anyContains(allowed, t, block.timezone()), v + " at " + t);
      }
      if (!allowed.isEmpty()
          && v.detectable()
          && TimeWindow.anyContains(allowed, v.from().minusMillis(1), block.timezone())) {
        pastPermit++; // starts the moment the permit or the market ends
      }
    }
    assertTrue(pastPermit >= 3, "tables left out past the permit, stalls after the market");
  }

  @Test
  void legalSeatingAndMarketStallsAreScriptedDuringTheirWindows() {
    long legalSeating =
        day.script().eventsOf(OutOfDoorwayGoods.class).stream()
            .filter(g -> g.classes().contains("table"))
            .count();
    assertTrue(legalSeating >= 10, "restaurants with tables out: " + legalSeating);
    long marketStalls =
        day.script().eventsOf(IllegalStall.class).stream()
            .filter(s -> s.zoneId().equals("LY-Z-M1"))
            .count();
    assertTrue(marketStalls >= 8, "stalls at the night market: " + marketStalls);
  }

  @Test
  void theSameSeedWritesTheSameDayAndAnotherSeedAnotherOne() {
    assertEquals(day.script(), Scenarios.scriptedDay(block, 1).script());
    assertEquals(day.groundTruth(), Scenarios.scriptedDay(block, 1).groundTruth());
    assertNotEquals(day.script(), Scenarios.scriptedDay(block, 2).script());
  }

  @Test
  void aShorterWindowKeepsOnlyTheEventsThatFitIt() {
    StreetScenario evening =
        Scenarios.scriptedDay(
            block, 1, ScriptedDay.DEFAULT_DAY, LocalTime.of(18, 0), Duration.ofHours(6));
    assertFalse(evening.script().events().isEmpty());
    for (ScriptedEvent e : evening.script().events()) {
      assertTrue(e.to().compareTo(Duration.ofHours(6)) <= 0, e.toString());
    }
    Instant from = evening.start();
    long inDay =
        day.groundTruth().violations().stream()
            .filter(v -> !v.from().isBefore(from) && !v.to().isAfter(evening.end()))
            .count();
    assertTrue(evening.groundTruth().violations().size() <= inDay);
  }

  @Test
  void onAWeekdayTheMarketPitchOnlyHasAnIllegalStall() {
    StreetScenario monday =
        Scenarios.scriptedDay(
            block, 1, LocalDate.of(2026, 11, 23), LocalTime.MIDNIGHT, Duration.ofDays(1));
    List<GroundTruth.Violation> market =
        monday.groundTruth().violations().stream().filter(v -> v.zone().equals("LY-Z-M1")).toList();
    assertEquals(1, market.size());
    assertTrue(market.get(0).detectable());
  }

  @Test
  void theFirstMinutesOfTheDayAreGeneratedFromTheScript() {
    StreetScenario night =
        Scenarios.scriptedDay(
            block, 1, ScriptedDay.DEFAULT_DAY, LocalTime.MIDNIGHT, Duration.ofMinutes(2));
    long frames = night.messages().filter(m -> m.kind() == DeviceMessage.Kind.CAMERA).count();
    // One frame a second per camera.
    assertEquals(block.cameras().size() * 120L, frames, block.cameras().size());
  }

  private Duration dwell(GroundTruth.Violation v) {
    Zone zone = block.zone(v.zone()).orElseThrow();
    return switch (v.type()) {
      case "ILLEGAL_STALL" -> zone.rules().illegalStall().dwell();
      case "OUT_OF_DOORWAY_TRADING" -> zone.rules().outOfDoorway().dwell();
      default -> zone.rules().parkingOverflow().dwell();
    };
  }
}
