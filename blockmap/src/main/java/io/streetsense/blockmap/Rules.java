package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.Objects;

/**
 * Detector and verification parameters. A block map holds the block's defaults; each {@link Zone}
 * holds its effective rules: the defaults with the zone's own overrides merged in key by key.
 */
public record Rules(
    OutOfDoorwayRule outOfDoorway,
    IllegalStallRule illegalStall,
    ParkingOverflowRule parkingOverflow,
    VerifyRule verify)
    implements Serializable {
  public Rules {
    Objects.requireNonNull(outOfDoorway, "outOfDoorway");
    Objects.requireNonNull(illegalStall, "illegalStall");
    Objects.requireNonNull(parkingOverflow, "parkingOverflow");
    Objects.requireNonNull(verify, "verify");
  }
}
