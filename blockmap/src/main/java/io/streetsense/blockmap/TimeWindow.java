package io.streetsense.blockmap;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A weekly recurring window of local wall-clock time: an outdoor permit or a market schedule.
 *
 * <p>The window starts at {@code from} (inclusive) on each of its {@code days} and ends at {@code
 * to} (exclusive). When {@code to} is before {@code from} the window runs past midnight into the
 * next day, so {@code FRI 22:00–06:00} covers Friday 22:00 up to Saturday 05:59:59.999… — {@code
 * days} are the days on which a window starts. {@code from == to} is not allowed: it would be
 * ambiguous between empty and a whole day.
 *
 * <p>Times are local to the block's time zone. Across a daylight-saving change, containment follows
 * the wall clock: local times in a spring-forward gap never occur, and local times in an autumn
 * overlap occur twice. {@link #nextBoundaryAfter(List, Instant, ZoneId)} accounts for both.
 *
 * <pre>{@code
 * boolean permitted = TimeWindow.anyContains(shop.outdoor(), frameTime, map.timezone());
 * Optional<Instant> recheckAt = TimeWindow.nextBoundaryAfter(shop.outdoor(), frameTime, map.timezone());
 * }</pre>
 */
public record TimeWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to)
    implements Serializable {

  /** Days searched ahead for a boundary: a week, plus slack for a window started yesterday. */
  private static final int HORIZON_DAYS = 8;

  public TimeWindow {
    Objects.requireNonNull(days, "days");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (days.isEmpty()) {
      throw new IllegalArgumentException("a time window needs at least one day");
    }
    days = Collections.unmodifiableSet(EnumSet.copyOf(days));
    if (from.equals(to)) {
      throw new IllegalArgumentException(
          "from and to must differ (from " + from + ", to " + to + ")");
    }
  }

  /** Whether this window ends on the day after it starts. */
  public boolean crossesMidnight() {
    return to.isBefore(from);
  }

  /** Whether the local date-time lies in this window. */
  public boolean contains(LocalDateTime localTime) {
    LocalTime time = localTime.toLocalTime();
    DayOfWeek day = localTime.getDayOfWeek();
    if (!crossesMidnight()) {
      return days.contains(day) && !time.isBefore(from) && time.isBefore(to);
    }
    return (days.contains(day) && !time.isBefore(from))
        || (days.contains(day.minus(1)) && time.isBefore(to));
  }

  /** Whether the instant, read on the wall clock of {@code zone}, lies in this window. */
  public boolean contains(Instant t, ZoneId zone) {
    return contains(LocalDateTime.ofInstant(t, zone));
  }

  /** Whether the instant, read on the wall clock of {@code zone}, lies in any of the windows. */
  public static boolean anyContains(List<TimeWindow> windows, Instant t, ZoneId zone) {
    if (windows.isEmpty()) {
      return false;
    }
    LocalDateTime local = LocalDateTime.ofInstant(t, zone);
    for (TimeWindow window : windows) {
      if (window.contains(local)) {
        return true;
      }
    }
    return false;
  }

  /** {@link #nextBoundaryAfter(List, Instant, ZoneId)} of this window alone. */
  public Optional<Instant> nextBoundaryAfter(Instant t, ZoneId zone) {
    return nextBoundaryAfter(List.of(this), t, zone);
  }

  /**
   * The first instant strictly after {@code t} at which containment in {@code windows} can change:
   * a {@code from} or {@code to} of any window on any day, or a daylight-saving change that moves
   * the wall clock across one. Detectors set their timers to it. The answer may be an instant at
   * which containment turns out not to change (two windows touching), never one too late.
   *
   * <p>A boundary whose local time falls in a spring-forward gap is reached at the gap's transition
   * instant, the first instant whose wall clock is past it.
   *
   * @return empty only when {@code windows} is empty
   */
  public static Optional<Instant> nextBoundaryAfter(
      List<TimeWindow> windows, Instant t, ZoneId zone) {
    if (windows.isEmpty()) {
      return Optional.empty();
    }
    ZoneRules rules = zone.getRules();
    LocalDate today = LocalDate.ofInstant(t, zone);
    Instant best = null;
    // From yesterday: a window that started yesterday may end today.
    for (int offset = -1; offset <= HORIZON_DAYS; offset++) {
      LocalDate date = today.plusDays(offset);
      for (TimeWindow window : windows) {
        if (window.days.contains(date.getDayOfWeek())) {
          best = earliestAfter(best, date.atTime(window.from), rules, t);
          LocalDate end = window.crossesMidnight() ? date.plusDays(1) : date;
          best = earliestAfter(best, end.atTime(window.to), rules, t);
        }
      }
    }
    // An autumn clock change sets the wall clock back and may carry it out of (or into) a window
    // without passing a from or to.
    ZoneOffsetTransition transition = rules.nextTransition(t);
    while (transition != null && (best == null || transition.getInstant().isBefore(best))) {
      Instant at = transition.getInstant();
      if (anyContains(windows, at.minusNanos(1), zone) != anyContains(windows, at, zone)) {
        best = at;
        break;
      }
      transition = rules.nextTransition(at);
    }
    return Optional.ofNullable(best);
  }

  private static Instant earliestAfter(
      Instant best, LocalDateTime boundary, ZoneRules rules, Instant t) {
    List<ZoneOffset> offsets = rules.getValidOffsets(boundary);
    if (offsets.isEmpty()) {
      // In a gap the wall clock jumps over the boundary at the transition itself.
      return earlier(best, rules.getTransition(boundary).getInstant(), t);
    }
    for (ZoneOffset offset : offsets) {
      // In an overlap the same wall-clock time happens twice; both are boundaries.
      best = earlier(best, boundary.toInstant(offset), t);
    }
    return best;
  }

  private static Instant earlier(Instant best, Instant candidate, Instant t) {
    if (candidate.isAfter(t) && (best == null || candidate.isBefore(best))) {
      return candidate;
    }
    return best;
  }
}
