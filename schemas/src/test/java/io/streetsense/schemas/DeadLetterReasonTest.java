package io.streetsense.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The dead-letter reasons are a contract: their names are what reaches Kafka and alerting. */
class DeadLetterReasonTest {
  @Test
  void namesAreTheStringsWrittenToKafka() {
    assertEquals(
        List.of(
            "BAD_TOPIC",
            "EMPTY_PAYLOAD",
            "OVERSIZED",
            "NOT_UTF8",
            "INVALID_JSON",
            "DUPLICATE_KEY",
            "NOT_AN_OBJECT",
            "MISSING_FIELD",
            "WRONG_TYPE",
            "INVALID_VALUE",
            "TOO_MANY_OBJECTS",
            "BAD_TIMESTAMP",
            "TIMESTAMP_IN_FUTURE",
            "TIMESTAMP_TOO_OLD",
            "DEVICE_MISMATCH",
            "UNKNOWN_BLOCK",
            "UNKNOWN_DEVICE",
            "WRONG_DEVICE_KIND",
            "LATE_EVENT",
            "ACTION_REFUSED"),
        Stream.of(DeadLetterReason.values()).map(Enum::name).toList());
  }

  @Test
  void theBridgeWritesItsOwnCodesOnly() {
    assertEquals(18, DeadLetterReason.BRIDGE.size());
    assertFalse(DeadLetterReason.BRIDGE.contains(DeadLetterReason.LATE_EVENT));
    assertFalse(DeadLetterReason.BRIDGE.contains(DeadLetterReason.ACTION_REFUSED));
  }
}
