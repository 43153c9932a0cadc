package io.streetsense.detectors.health;

/** The kinds of street device, with the tag the {@code device_health} metric uses. */
public enum DeviceKind {
  CAMERA("camera"),
  PARKING("parking");

  private final String tag;

  DeviceKind(String tag) {
    this.tag = tag;
  }

  /**
   * The {@code kind} tag of the {@code device_health} measurement: {@code camera}, {@code parking}.
   */
  public String tag() {
    return tag;
  }
}
