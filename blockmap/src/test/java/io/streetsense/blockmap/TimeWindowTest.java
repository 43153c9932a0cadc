package io.streetsense.blockmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TimeWindowTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  // 2026-11-20 is a Friday.
  private static final LocalDateTime FRIDAY = LocalDateTime.of(2026, 11, 20, 0, 0);

  private static TimeWindow window(Set<DayOfWeek> days, String from, String to) {
    return new TimeWindow(days, LocalTime.parse(from), LocalTime.parse(to));
  }

  private static LocalDateTime friday(String time) {
    return FRIDAY.with(LocalTime.parse(time));
  }

  private static LocalDateTime saturday(String time) {
    return friday(time).plusDays(1);
  }

  @Test
  void sameDayWindow_fromIsInclusive_toIsExclusive() {
    TimeWindow window = window(EnumSet.of(DayOfWeek.FRIDAY), "18:00", "22:00");
    assertFalse(window.contains(friday("17:59:59")));
    assertTrue(window.contains(friday("18:00")));
    assertTrue(window.contains(friday("21:59:59.999")));
    assertFalse(window.contains(friday("22:00")));
    assertFalse(window.contains(saturday("19:00")), "only on its days");
  }

  @Test
  void windowAcrossMidnight_runsIntoTheNextDay() {
    TimeWindow window = window(EnumSet.of(DayOfWeek.FRIDAY), "22:00", "06:00");
    assertTrue(window.crossesMidnight());
    assertFalse(window.contains(friday("21:59")));
    assertTrue(window.contains(friday("22:00")));
    assertTrue(window.contains(friday("23:59:59")));
    assertTrue(window.contains(saturday("00:00")));
    assertTrue(window.contains(saturday("05:59")));
    assertFalse(window.contains(saturday("06:00")));
    assertFalse(window.contains(saturday("22:30")), "Saturday is not a start day");
    assertFalse(window.contains(friday("03:00")), "Thursday night is not in it");
  }

  @Test
  void anyContains_readsTheInstantOnTheBlocksWallClock() {
    List<TimeWindow> windows =
        List.of(
            window(EnumSet.of(DayOfWeek.SATURDAY), "09:00", "11:00"),
            window(EnumSet.of(DayOfWeek.SATURDAY), "16:00", "18:00"));
    Instant saturday1000 = saturday("10:00").atZone(SHANGHAI).toInstant();
    assertTrue(TimeWindow.anyContains(windows, saturday1000, SHANGHAI));
    assertFalse(TimeWindow.anyContains(windows, saturday1000, ZoneId.of("UTC")));
    assertFalse(
        TimeWindow.anyContains(windows, saturday("12:00").atZone(SHANGHAI).toInstant(), SHANGHAI));
    assertFalse(TimeWindow.anyContains(List.of(), saturday1000, SHANGHAI));
  }

  @Test
  void nextBoundaryAfter_findsTheNextFromOrTo() {
    List<TimeWindow> windows = List.of(window(EnumSet.of(DayOfWeek.FRIDAY), "18:00", "22:00"));
    assertEquals(
        Optional.of(at(friday("18:00"), SHANGHAI)),
        TimeWindow.nextBoundaryAfter(windows, at(friday("12:00"), SHANGHAI), SHANGHAI));
    assertEquals(
        Optional.of(at(friday("22:00"), SHANGHAI)),
        TimeWindow.nextBoundaryAfter(windows, at(friday("18:00"), SHANGHAI), SHANGHAI),
        "strictly after: at a boundary, the next one");
    assertEquals(
        Optional.of(at(friday("18:00").plusWeeks(1), SHANGHAI)),
        TimeWindow.nextBoundaryAfter(windows, at(friday("22:00"), SHANGHAI), SHANGHAI),
        "next week");
  }

  @Test
  void nextBoundaryAfter_windowAcrossMidnight() {
    TimeWindow window = window(EnumSet.of(DayOfWeek.FRIDAY), "22:00", "06:00");
    assertEquals(
        Optional.of(at(saturday("06:00"), SHANGHAI)),
        window.nextBoundaryAfter(at(saturday("01:00"), SHANGHAI), SHANGHAI));
  }

  @Test
  void nextBoundaryAfter_ofSeveralWindows_isTheEarliest() {
    List<TimeWindow> windows =
        List.of(
            window(EnumSet.of(DayOfWeek.SATURDAY), "16:00", "21:00"),
            window(EnumSet.of(DayOfWeek.FRIDAY), "22:00", "06:00"));
    assertEquals(
        Optional.of(at(saturday("06:00"), SHANGHAI)),
        TimeWindow.nextBoundaryAfter(windows, at(friday("23:00"), SHANGHAI), SHANGHAI));
    assertEquals(
        Optional.of(at(saturday("16:00"), SHANGHAI)),
        TimeWindow.nextBoundaryAfter(windows, at(saturday("06:00"), SHANGHAI), SHANGHAI));
  }

  @Test
  void nextBoundaryAfter_noWindows_isEmpty() {
    assertEquals(
        Optional.empty(), TimeWindow.nextBoundaryAfter(List.of(), Instant.EPOCH, SHANGHAI));
  }

  @Test
  void nextBoundaryAfter_boundaryInTheSpringGap_isTheTransition() {
    // Berlin, Sunday 2026-03-29: clocks jump from 02:00 to 03:00 (01:00 UTC).
    TimeWindow window = window(EnumSet.of(DayOfWeek.SUNDAY), "02:30", "05:00");
    Instant sundayOneAm = ZonedDateTime.of(2026, 3, 29, 1, 0, 0, 0, BERLIN).toInstant();
    Instant jump = Instant.parse("2026-03-29T01:00:00Z");
    assertEquals(Optional.of(jump), window.nextBoundaryAfter(sundayOneAm, BERLIN));
    assertFalse(window.contains(jump.minusNanos(1), BERLIN));
    assertTrue(window.contains(jump, BERLIN), "03:00 local is past from = 02:30");
  }

  @Test
  void nextBoundaryAfter_boundaryInTheAutumnOverlap_happensTwice() {
    // Berlin, Sunday 2026-10-25: clocks go back from 03:00 CEST to 02:00 CET (01:00 UTC),
    // so 02:30 local happens at 00:30 UTC and again at 01:30 UTC.
    TimeWindow window = window(EnumSet.of(DayOfWeek.SUNDAY), "02:30", "02:45");
    Instant first = Instant.parse("2026-10-25T00:30:00Z");
    Instant second = Instant.parse("2026-10-25T01:30:00Z");
    Instant beforeBoth = Instant.parse("2026-10-25T00:00:00Z");
    assertEquals(Optional.of(first), window.nextBoundaryAfter(beforeBoth, BERLIN));
    assertEquals(Optional.of(first.plusSeconds(15 * 60)), window.nextBoundaryAfter(first, BERLIN));
    assertEquals(Optional.of(second), window.nextBoundaryAfter(first.plusSeconds(15 * 60), BERLIN));
    assertTrue(window.contains(second, BERLIN));
  }

  @Test
  void nextBoundaryAfter_autumnClockChangeLeavingAWindow_isABoundary() {
    // From 02:15: at the change (01:00 UTC) the wall clock goes from 02:59:59 back to 02:00,
    // out of the window, without passing from or to.
    TimeWindow window = window(EnumSet.of(DayOfWeek.SUNDAY), "02:15", "05:00");
    Instant change = Instant.parse("2026-10-25T01:00:00Z");
    Instant inside = Instant.parse("2026-10-25T00:50:00Z"); // 02:50 CEST
    assertTrue(window.contains(inside, BERLIN));
    assertFalse(window.contains(change, BERLIN));
    assertEquals(Optional.of(change), window.nextBoundaryAfter(inside, BERLIN));
  }

  @Test
  void nextBoundaryAfter_isWhereContainmentChanges() {
    // Walk a week minute by minute: containment changes only at the boundaries returned.
    List<TimeWindow> windows =
        List.of(
            window(EnumSet.of(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY), "22:00", "01:30"),
            window(EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), "09:00", "21:00"));
    Instant t = at(friday("00:00"), SHANGHAI);
    Instant boundary = TimeWindow.nextBoundaryAfter(windows, t, SHANGHAI).orElseThrow();
    boolean inside = TimeWindow.anyContains(windows, t, SHANGHAI);
    for (int minute = 1; minute < 7 * 24 * 60; minute++) {
      Instant now = t.plusSeconds(60L * minute);
      boolean insideNow = TimeWindow.anyContains(windows, now, SHANGHAI);
      if (insideNow != inside) {
        assertEquals(boundary, now, "containment changed at " + now);
      }
      if (!now.isBefore(boundary)) {
        boundary = TimeWindow.nextBoundaryAfter(windows, now, SHANGHAI).orElseThrow();
      }
      inside = insideNow;
    }
  }

  @Test
  void constructor_refusesEqualFromAndTo() {
    assertThrows(
        IllegalArgumentException.class,
        () -> window(EnumSet.of(DayOfWeek.FRIDAY), "22:00", "22:00"));
  }

  @Test
  void constructor_refusesNoDays() {
    assertThrows(
        IllegalArgumentException.class,
        () -> window(EnumSet.noneOf(DayOfWeek.class), "10:00", "12:00"));
  }

  @Test
  void days_areUnmodifiable() {
    TimeWindow window = window(EnumSet.of(DayOfWeek.FRIDAY), "10:00", "12:00");
    assertThrows(UnsupportedOperationException.class, () -> window.days().add(DayOfWeek.MONDAY));
  }

  private static Instant at(LocalDateTime local, ZoneId zone) {
    return local.atZone(zone).toInstant();
  }
}
