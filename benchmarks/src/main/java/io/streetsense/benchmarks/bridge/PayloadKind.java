package io.streetsense.benchmarks.bridge;

import io.streetsense.simulator.DeviceMessage;
import java.util.Locale;

/** Which device messages a case publishes: parking-sensor events or camera frames. */
enum PayloadKind {
  PARKING(DeviceMessage.Kind.PARKING, "seq"),
  CAMERA(DeviceMessage.Kind.CAMERA, "frame");

  final DeviceMessage.Kind deviceKind;

  /** The per-device counter field, rewritten so that every message of a run is distinct. */
  final String counterField;

  PayloadKind(DeviceMessage.Kind deviceKind, String counterField) {
    this.deviceKind = deviceKind;
    this.counterField = counterField;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
