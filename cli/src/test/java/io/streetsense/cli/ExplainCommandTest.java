package io.streetsense.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** How {@code streetsense explain} reads its times and periods. */
class ExplainCommandTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  @Test
  void times_withAnOffset_orLocalInTheBlocksTimezone() {
    Instant expected = Instant.parse("2026-12-06T06:00:00Z");
    assertEquals(
        expected, ExplainCommand.parseTime("2026-12-06T14:00:00+08:00", SHANGHAI, "--from"));
    assertEquals(expected, ExplainCommand.parseTime("2026-12-06T06:00:00Z", SHANGHAI, "--from"));
    assertEquals(expected, ExplainCommand.parseTime("2026-12-06T14:00", SHANGHAI, "--from"));
    assertEquals(expected, ExplainCommand.parseTime("2026-12-06 14:00", SHANGHAI, "--from"));
    assertEquals(
        LocalDate.now(SHANGHAI).atTime(14, 0).atZone(SHANGHAI).toInstant(),
        ExplainCommand.parseTime("14:00", SHANGHAI, "--from"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ExplainCommand.parseTime("yesterday", SHANGHAI, "--to"));
    assertEquals(true, e.getMessage().startsWith("--to: cannot read 'yesterday'"));
  }

  @Test
  void periods_short_orIso() {
    assertEquals(Duration.ofSeconds(30), ExplainCommand.parseDuration("30s"));
    assertEquals(Duration.ofMinutes(5), ExplainCommand.parseDuration("5m"));
    assertEquals(Duration.ofHours(1), ExplainCommand.parseDuration("1h"));
    assertEquals(Duration.ofMinutes(1), ExplainCommand.parseDuration("PT1M"));
    assertThrows(IllegalArgumentException.class, () -> ExplainCommand.parseDuration("soon"));
  }
}
