package io.streetsense.benchmarks.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class RunSoakWindowTest {
  private static final BlockMap LINGYAN =
      BlockMapLoader.load(RepositoryBlockMaps.file("lingyan-south"));
  private static final Duration EIGHT_HOURS = Duration.ofHours(8);

  private static ZonedDateTime start(String nowUtc, String endsAt) {
    return RunSoak.windowStart(LINGYAN, Instant.parse(nowUtc), EIGHT_HOURS, endsAt);
  }

  @Test
  void auto_endsAtTheLatestLocal22_whenTheWindowStartsLessThan22HoursAgo() {
    // 09:50 local on Sunday: Saturday 14:00-22:00 local.
    assertEquals(
        ZonedDateTime.parse("2026-12-05T14:00+08:00[Asia/Shanghai]"),
        start("2026-12-06T01:50:00Z", "auto"));
    // 23:10 local: the same day's 14:00-22:00.
    assertEquals(
        ZonedDateTime.parse("2026-12-05T14:00+08:00[Asia/Shanghai]"),
        start("2026-12-05T15:10:00Z", "auto"));
  }

  @Test
  void auto_fallsBackToAMinuteAgo_whenThe22WindowWouldStartTooLongAgo() {
    // 21:30 local: yesterday's 22:00 ended 23.5 h ago, so the window ends at 21:29 local.
    assertEquals(
        ZonedDateTime.parse("2026-12-05T13:29+08:00[Asia/Shanghai]"),
        start("2026-12-05T13:30:30Z", "auto"));
  }

  @Test
  void now_andAGivenTime() {
    assertEquals(
        ZonedDateTime.parse("2026-12-06T01:49+08:00[Asia/Shanghai]"),
        start("2026-12-06T01:50:00Z", "now"));
    assertEquals(
        ZonedDateTime.parse("2026-12-06T00:00+08:00[Asia/Shanghai]"),
        start("2026-12-06T01:50:00Z", "08:00"));
    // 19:30 local yesterday ended 14 h 20 min ago: the window would start 22 h 20 min ago.
    assertThrows(IllegalArgumentException.class, () -> start("2026-12-06T01:50:00Z", "19:30"));
  }
}
