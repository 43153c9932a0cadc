package io.streetsense.simulator;

import java.time.Duration;

/**
 * Vehicles standing in a {@code no_parking} zone (机动车乱停放), seen by every camera with a view of it.
 * Together with a {@link ZoneFull} of a parking zone that lists this zone under {@code no_parking},
 * this is a parking overflow.
 *
 * @param zoneId the no-parking zone
 * @param count how many vehicles stand there, at least 1
 */
public record VehiclesInNoParking(String zoneId, int count, Duration from, Duration to)
    implements ScriptedEvent {
  public VehiclesInNoParking {
    ScriptedEvent.checkSpan(zoneId, from, to);
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
  }
}
