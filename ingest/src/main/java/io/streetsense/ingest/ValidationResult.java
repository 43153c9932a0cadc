package io.streetsense.ingest;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecordBase;

/**
 * What {@link MessageValidator} made of one MQTT message: {@link Accepted} with a typed Avro
 * record, or a {@link Rejection} with a machine-readable reason. Bad input is data, not an
 * exception.
 */
public sealed interface ValidationResult permits ValidationResult.Accepted, Rejection {

  /**
   * A valid device message.
   *
   * @param topic the parsed topic
   * @param record a {@code ParkingSensorEvent} or a {@code CameraFrame}
   */
  record Accepted(DeviceTopic topic, SpecificRecordBase record) implements ValidationResult {
    public Accepted {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(record, "record");
    }
  }
}
