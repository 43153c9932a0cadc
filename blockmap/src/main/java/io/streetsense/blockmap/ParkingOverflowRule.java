package io.streetsense.blockmap;

import java.io.Serializable;
import java.time.Duration;

/**
 * When a {@link ZoneKind#PARKING parking} zone overflows: its berths are at least {@code occupancy}
 * occupied while at least {@code vehicles} vehicles stand in its no-parking zones, for {@code
 * dwell}.
 *
 * @param occupancy share of the zone's berths occupied, (0, 1]
 * @param vehicles vehicles standing in the zone's no-parking zones, at least 1
 * @param dwell how long both must hold
 */
public record ParkingOverflowRule(double occupancy, int vehicles, Duration dwell)
    implements Serializable {
  public ParkingOverflowRule {
    Checks.positiveFraction(occupancy, "occupancy");
    if (vehicles < 1) {
      throw new IllegalArgumentException("vehicles must be at least 1, got " + vehicles);
    }
    Checks.positive(dwell, "dwell");
  }
}
