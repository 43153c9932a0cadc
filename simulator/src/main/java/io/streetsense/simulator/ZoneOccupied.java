package io.streetsense.simulator;

import java.time.Duration;

/**
 * Exactly {@code berths} of a {@code parking} zone's sensed berths occupied from {@code from} to
 * {@code to}, the others free: cars take the chosen berths one by one in the few minutes before
 * {@code from} and the others leave in those minutes; nobody comes or goes until {@code to} (the
 * chosen sensors only send heartbeats meanwhile). Which berths are chosen follows from the seed.
 * With {@code berths} at least the rule's {@code ceil(occupancy x capacity)} this is a full zone
 * for a parking overflow; one fewer, and it is not.
 *
 * @param zoneId the parking zone
 * @param berths how many of its sensed berths are occupied, 0 .. number of its sensors
 */
public record ZoneOccupied(String zoneId, int berths, Duration from, Duration to)
    implements ScriptedEvent {
  public ZoneOccupied {
    ScriptedEvent.checkSpan(zoneId, from, to);
    if (berths < 0) {
      throw new IllegalArgumentException("berths must not be negative, got " + berths);
    }
  }
}
