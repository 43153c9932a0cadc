package io.streetsense.blockmap;

import java.io.Serializable;

/**
 * A point of a camera image in normalised coordinates: 0..1 on both axes, origin top-left, y
 * growing downwards — the coordinate system of the cameras' {@code box}.
 */
public record ImagePoint(double x, double y) implements Serializable {
  public ImagePoint {
    // Written as !(in range) so that NaN fails too.
    if (!(x >= 0 && x <= 1) || !(y >= 0 && y <= 1)) {
      throw new IllegalArgumentException(
          "image coordinates must be within 0..1, got [" + x + ", " + y + "]");
    }
  }
}
