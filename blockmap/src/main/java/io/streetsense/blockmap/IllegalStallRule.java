package io.streetsense.blockmap;

import java.io.Serializable;
import java.time.Duration;
import java.util.Set;

/**
 * When a stall in a {@link ZoneKind#NO_VENDING no-vending} zone, or in a market outside its
 * schedule, becomes an illegal stall.
 *
 * @param classes detector classes that count; never empty
 * @param minConf detections below this confidence are ignored, 0..1
 * @param dwell how long it must stand before it is a violation
 * @param presence share of the camera's frames within the dwell that must see it, (0, 1]
 * @param maxDrift a ground point that moves less than this (normalised image units) is standing
 *     still; at least 0
 */
public record IllegalStallRule(
    Set<String> classes, double minConf, Duration dwell, double presence, double maxDrift)
    implements Serializable {
  public IllegalStallRule {
    classes = Checks.nonEmptyOrderedSet(classes, "classes");
    Checks.fraction(minConf, "min_conf");
    Checks.positive(dwell, "dwell");
    Checks.positiveFraction(presence, "presence");
    if (!(maxDrift >= 0 && Double.isFinite(maxDrift))) {
      throw new IllegalArgumentException("max_drift must be 0 or more, got " + maxDrift);
    }
  }
}
