package io.streetsense.detectors.health;

import java.util.Objects;

/**
 * A device went offline or came (back) online, at an event time. Feeds the {@code device_health}
 * measurement (docs/interfaces.md: tags block, device, kind; fields online, battery_v, silence_s).
 *
 * <ul>
 *   <li>{@code online == false}: the device had been silent for its limit (camera 60 s, sensor 3
 *       heartbeat periods); {@code eventTime = lastSeenAt + limit}.
 *   <li>{@code online == true}: the first message after an offline period, or the first message of
 *       the device since the job started (a device has no health until it is heard from); {@code
 *       eventTime == lastSeenAt}.
 * </ul>
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so Flink serializes it without Kryo.
 */
public final class DeviceHealthChange {
  public String blockId;
  public String deviceId;
  public DeviceKind kind;
  public boolean online;

  /** Event time of the change. */
  public long eventTime;

  /** Event time of the device's latest message at the change. */
  public long lastSeenAt;

  /** The latest battery voltage the device reported, or null (cameras, sensors that omit it). */
  public Double batteryV;

  public DeviceHealthChange() {}

  public DeviceHealthChange(
      String blockId,
      String deviceId,
      DeviceKind kind,
      boolean online,
      long eventTime,
      long lastSeenAt,
      Double batteryV) {
    this.blockId = blockId;
    this.deviceId = deviceId;
    this.kind = kind;
    this.online = online;
    this.eventTime = eventTime;
    this.lastSeenAt = lastSeenAt;
    this.batteryV = batteryV;
  }

  /** Seconds since the device's latest message, at the change: the {@code silence_s} field. */
  public double silenceSeconds() {
    return (eventTime - lastSeenAt) / 1000.0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceHealthChange c
        && online == c.online
        && eventTime == c.eventTime
        && lastSeenAt == c.lastSeenAt
        && Objects.equals(blockId, c.blockId)
        && Objects.equals(deviceId, c.deviceId)
        && kind == c.kind
        && Objects.equals(batteryV, c.batteryV);
  }

  @Override
  public int hashCode() {
    return Objects.hash(blockId, deviceId, kind, online, eventTime, lastSeenAt, batteryV);
  }

  @Override
  public String toString() {
    return blockId
        + "/"
        + deviceId
        + " "
        + (kind == null ? "?" : kind.tag())
        + (online ? " online" : " offline")
        + " @"
        + eventTime
        + " lastSeen="
        + lastSeenAt
        + (batteryV == null ? "" : " battery=" + batteryV);
  }
}
