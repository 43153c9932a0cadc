package io.streetsense.blockmap;

import java.io.Serializable;
import java.time.Duration;

/**
 * How a resolved work order is verified by the sensors.
 *
 * @param clearFor a resolved order closes once its zone has been seen clear this long
 */
public record VerifyRule(Duration clearFor) implements Serializable {
  public VerifyRule {
    Checks.positive(clearFor, "clear_for");
  }
}
