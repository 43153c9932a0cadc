package io.streetsense.blockmap;

import java.io.Serializable;
import java.time.Duration;
import java.util.Set;

/**
 * When goods or furniture in a {@link ZoneKind#FRONTAGE frontage} zone become out-of-doorway
 * trading.
 *
 * @param classes detector classes that count (unknown classes are kept: the detectors ignore them);
 *     never empty
 * @param minConf detections below this confidence are ignored, 0..1
 * @param dwell how long something must be present before it is a violation
 * @param presence share of the camera's frames within the dwell that must see it, (0, 1]
 */
public record OutOfDoorwayRule(Set<String> classes, double minConf, Duration dwell, double presence)
    implements Serializable {
  public OutOfDoorwayRule {
    classes = Checks.nonEmptyOrderedSet(classes, "classes");
    Checks.fraction(minConf, "min_conf");
    Checks.positive(dwell, "dwell");
    Checks.positiveFraction(presence, "presence");
  }
}
