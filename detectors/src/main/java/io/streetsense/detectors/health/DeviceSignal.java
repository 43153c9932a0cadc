package io.streetsense.detectors.health;

import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;

/**
 * Proof that a device was alive at an event time: every camera frame and every sensor message
 * (change or heartbeat) is one. A Flink POJO.
 */
public final class DeviceSignal {
  public String blockId;
  public String deviceId;
  public DeviceKind kind;
  public long eventTime;

  /** Null when the message carries no battery voltage. */
  public Double batteryV;

  public DeviceSignal() {}

  public DeviceSignal(
      String blockId, String deviceId, DeviceKind kind, long eventTime, Double batteryV) {
    this.blockId = blockId;
    this.deviceId = deviceId;
    this.kind = kind;
    this.eventTime = eventTime;
    this.batteryV = batteryV;
  }

  public static DeviceSignal of(CameraFrame frame) {
    return new DeviceSignal(
        frame.getBlockId(),
        frame.getCameraId(),
        DeviceKind.CAMERA,
        frame.getEventTime().toEpochMilli(),
        null);
  }

  public static DeviceSignal of(ParkingSensorEvent event) {
    return new DeviceSignal(
        event.getBlockId(),
        event.getSensorId(),
        DeviceKind.PARKING,
        event.getEventTime().toEpochMilli(),
        event.getBatteryV());
  }

  /** {@code blockId/kind/deviceId}: one health detector per device. */
  public String deviceKey() {
    return blockId + "/" + kind.tag() + "/" + deviceId;
  }

  @Override
  public String toString() {
    return deviceKey() + " @" + eventTime;
  }
}
