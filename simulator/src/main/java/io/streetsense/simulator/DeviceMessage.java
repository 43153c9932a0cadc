package io.streetsense.simulator;

import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One MQTT message a simulated device sends, as docs/interfaces.md describes it.
 *
 * <p>The payload is the exact bytes that go over the wire (UTF-8 JSON). It is not copied: treat it
 * as read-only. Equality compares the payload's contents.
 *
 * @param topic {@code blocks/{blockId}/parking/{sensorId}} or {@code
 *     blocks/{blockId}/camera/{cameraId}}
 * @param payload UTF-8 JSON
 * @param eventTime the event time written in the payload's {@code ts}
 * @param blockId the block the device belongs to
 * @param deviceId the sensor or camera id: the topic's last level and the payload's id field
 * @param kind what sent it
 */
public record DeviceMessage(
    String topic, byte[] payload, Instant eventTime, String blockId, String deviceId, Kind kind) {

  /** The kind of device that sent a message. */
  public enum Kind {
    /** A geomagnetic berth sensor: topic level {@code parking}. */
    PARKING,
    /** A street camera with edge analytics: topic level {@code camera}. */
    CAMERA;

    /** The topic level of this kind of device. */
    public String topicLevel() {
      return this == PARKING ? "parking" : "camera";
    }
  }

  public DeviceMessage {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(eventTime, "eventTime");
    Objects.requireNonNull(blockId, "blockId");
    Objects.requireNonNull(deviceId, "deviceId");
    Objects.requireNonNull(kind, "kind");
  }

  /** The topic a device of {@code kind} publishes on, per docs/interfaces.md. */
  public static String topicOf(String blockId, Kind kind, String deviceId) {
    return "blocks/" + blockId + "/" + kind.topicLevel() + "/" + deviceId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceMessage m
        && topic.equals(m.topic)
        && Arrays.equals(payload, m.payload)
        && eventTime.equals(m.eventTime)
        && blockId.equals(m.blockId)
        && deviceId.equals(m.deviceId)
        && kind == m.kind;
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, Arrays.hashCode(payload), eventTime);
  }

  @Override
  public String toString() {
    return "DeviceMessage[" + topic + " @" + eventTime + ", " + payload.length + " bytes]";
  }
}
