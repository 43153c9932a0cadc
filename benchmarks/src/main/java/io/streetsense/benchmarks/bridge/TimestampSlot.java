package io.streetsense.benchmarks.bridge;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Where a payload's {@code ts} value sits, so the publisher can stamp the publish time into the
 * bytes right before handing them to MQTT, without re-serialising the JSON. The value has a fixed
 * width: 13 digits of epoch milliseconds ({@code 1764000000000}) or an ISO-8601 local time with
 * milliseconds and a fixed offset ({@code 2026-11-24T18:51:33.123+08:00}, the simulator's form).
 *
 * @param offset index of the first character of the value (after the opening quote for ISO)
 * @param iso whether the value is ISO-8601 text (otherwise epoch-ms digits)
 * @param zoneOffset the offset an ISO value is written in
 */
record TimestampSlot(int offset, boolean iso, ZoneOffset zoneOffset) {
  /** Placeholder epoch ms written by the generator: 13 digits, like every current epoch ms. */
  static final long EPOCH_PLACEHOLDER = 1_000_000_000_000L;

  static final int EPOCH_WIDTH = 13;

  /** {@code uuuu-MM-dd'T'HH:mm:ss.SSS} plus {@code +hh:mm}. */
  static final int ISO_WIDTH = 29;

  TimestampSlot {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0: " + offset);
    }
    if (iso && zoneOffset == null) {
      throw new IllegalArgumentException("zoneOffset is required for an ISO slot");
    }
  }

  /** The ISO placeholder for {@code zoneOffset}, as the generator writes it. */
  static String isoPlaceholder(ZoneOffset zoneOffset) {
    return "2000-01-01T00:00:00.000" + offsetText(zoneOffset);
  }

  /** Writes {@code epochMillis} into {@code payload} at this slot. */
  void stamp(byte[] payload, long epochMillis) {
    if (iso) {
      writeIso(payload, offset, epochMillis, zoneOffset);
    } else {
      writeDigits(payload, offset, EPOCH_WIDTH, epochMillis);
    }
  }

  private static void writeIso(byte[] b, int at, long epochMillis, ZoneOffset zoneOffset) {
    LocalDateTime t =
        LocalDateTime.ofEpochSecond(
            Math.floorDiv(epochMillis, 1000L),
            (int) Math.floorMod(epochMillis, 1000L) * 1_000_000,
            zoneOffset);
    int year = t.getYear();
    if (year < 1000 || year > 9999) {
      throw new IllegalArgumentException("year outside 1000..9999: " + year);
    }
    writeDigits(b, at, 4, year);
    b[at + 4] = '-';
    writeDigits(b, at + 5, 2, t.getMonthValue());
    b[at + 7] = '-';
    writeDigits(b, at + 8, 2, t.getDayOfMonth());
    b[at + 10] = 'T';
    writeDigits(b, at + 11, 2, t.getHour());
    b[at + 13] = ':';
    writeDigits(b, at + 14, 2, t.getMinute());
    b[at + 16] = ':';
    writeDigits(b, at + 17, 2, t.getSecond());
    b[at + 19] = '.';
    writeDigits(b, at + 20, 3, t.getNano() / 1_000_000);
    byte[] off = offsetText(zoneOffset).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(off, 0, b, at + 23, off.length);
  }

  /** {@code +hh:mm}; {@code Z} is avoided so the width stays fixed. */
  private static String offsetText(ZoneOffset zoneOffset) {
    int seconds = zoneOffset.getTotalSeconds();
    if (seconds % 60 != 0) {
      throw new IllegalArgumentException("offsets with seconds are not supported: " + zoneOffset);
    }
    int minutes = Math.abs(seconds) / 60;
    return String.format("%c%02d:%02d", seconds < 0 ? '-' : '+', minutes / 60, minutes % 60);
  }

  /** Writes {@code value} as exactly {@code width} decimal digits (zero-padded). */
  static void writeDigits(byte[] b, int at, int width, long value) {
    if (value < 0) {
      throw new IllegalArgumentException("negative value: " + value);
    }
    long v = value;
    for (int i = at + width - 1; i >= at; i--) {
      b[i] = (byte) ('0' + (v % 10));
      v /= 10;
    }
    if (v != 0) {
      throw new IllegalArgumentException(value + " does not fit in " + width + " digits");
    }
  }
}
