package io.streetsense.ingest;

import io.streetsense.schemas.DeadLetterReason;
import java.util.Objects;

/**
 * A rejected device message.
 *
 * @param reason the machine-readable code
 * @param detail human-readable, naming the field and the offending value
 * @param blockId the topic's block level when the topic could be parsed, else null
 * @param deviceId the topic's device level when the topic could be parsed, else null
 */
public record Rejection(DeadLetterReason reason, String detail, String blockId, String deviceId)
    implements ValidationResult {
  public Rejection {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }
}
