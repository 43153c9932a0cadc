package io.streetsense.simulator;

import java.time.Duration;

/**
 * One vehicle standing in a {@code no_parking} zone at a chosen place, seen by every camera with a
 * view of it: lets a script line vehicles up along a kerb with a known spacing and let them arrive
 * and leave one by one. Counts like one vehicle of {@link VehiclesInNoParking} towards a parking
 * overflow.
 *
 * @param zoneId the no-parking zone
 * @param u where along the zone (0 = the left of each camera's view polygon, 1 = the right), as a
 *     share of the polygon's width inside its margins
 * @param v how deep (0 = top of the polygon, 1 = bottom), as a share of its height inside its
 *     margins
 */
public record ParkedVehicle(String zoneId, double u, double v, Duration from, Duration to)
    implements ScriptedEvent {
  public ParkedVehicle {
    ScriptedEvent.checkSpan(zoneId, from, to);
    if (!(u >= 0 && u <= 1 && v >= 0 && v <= 1)) {
      throw new IllegalArgumentException("u and v must be within 0..1, got " + u + ", " + v);
    }
  }
}
