package io.streetsense.ingest;

/** The two kinds of device (docs/interfaces.md), with their topic level and id field. */
public enum DeviceKind {
  PARKING_SENSOR("parking", "sensor"),
  CAMERA("camera", "camera");

  private final String topicLevel;
  private final String idField;

  DeviceKind(String topicLevel, String idField) {
    this.topicLevel = topicLevel;
    this.idField = idField;
  }

  /** The third level of the MQTT topic: {@code parking} or {@code camera}. */
  public String topicLevel() {
    return topicLevel;
  }

  /** The payload field that carries the device id: {@code sensor} or {@code camera}. */
  public String idField() {
    return idField;
  }

  public DeviceKind other() {
    return this == PARKING_SENSOR ? CAMERA : PARKING_SENSOR;
  }

  static DeviceKind ofTopicLevel(String level) {
    for (DeviceKind kind : values()) {
      if (kind.topicLevel.equals(level)) {
        return kind;
      }
    }
    return null;
  }
}
