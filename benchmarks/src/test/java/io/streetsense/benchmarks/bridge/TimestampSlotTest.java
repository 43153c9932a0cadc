package io.streetsense.benchmarks.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class TimestampSlotTest {
  private static final DateTimeFormatter SIMULATOR_FORMAT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

  @Test
  void epochSlot_writesThirteenDigitsInPlace() {
    byte[] payload = "{\"ts\":1000000000000,\"seq\":1}".getBytes(StandardCharsets.UTF_8);
    new TimestampSlot(6, false, null).stamp(payload, 1_764_000_123_456L);
    assertEquals("{\"ts\":1764000123456,\"seq\":1}", new String(payload, StandardCharsets.UTF_8));
  }

  @Test
  void isoSlot_matchesTheSimulatorsFormat() {
    ZoneOffset shanghai = ZoneOffset.ofHours(8);
    String placeholder = TimestampSlot.isoPlaceholder(shanghai);
    assertEquals(TimestampSlot.ISO_WIDTH, placeholder.length());
    for (long ms : new long[] {1_764_000_123_456L, 1_764_000_000_000L, 946_684_799_999L}) {
      byte[] payload = ("{\"ts\":\"" + placeholder + "\"}").getBytes(StandardCharsets.UTF_8);
      new TimestampSlot(7, true, shanghai).stamp(payload, ms);
      String expected =
          "{\"ts\":\""
              + SIMULATOR_FORMAT.format(Instant.ofEpochMilli(ms).atOffset(shanghai))
              + "\"}";
      assertEquals(expected, new String(payload, StandardCharsets.UTF_8));
    }
  }

  @Test
  void isoSlot_writesNegativeOffsetsWithFixedWidth() {
    ZoneOffset offset = ZoneOffset.ofHoursMinutes(-3, -30);
    byte[] payload = TimestampSlot.isoPlaceholder(offset).getBytes(StandardCharsets.US_ASCII);
    new TimestampSlot(0, true, offset).stamp(payload, 0L);
    assertArrayEquals("1969-12-31T20:30:00.000-03:30".getBytes(StandardCharsets.US_ASCII), payload);
  }

  @Test
  void writeDigits_rejectsValuesWiderThanTheSlot() {
    byte[] b = new byte[2];
    assertThrows(IllegalArgumentException.class, () -> TimestampSlot.writeDigits(b, 0, 2, 100));
  }
}
