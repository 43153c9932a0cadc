package io.streetsense.simulator.internal;

import io.streetsense.blockmap.ImagePoint;
import io.streetsense.blockmap.Polygon;
import java.util.Random;

/**
 * Places a standing object inside a zone's polygon of a camera view: picks a ground point well
 * inside the polygon and a box of a plausible size for the class whose bottom-centre is that point
 * and which stays inside the image.
 */
public final class Placement {
  /** Ground points keep at least this distance (per axis) from the polygon's edges. */
  static final double MARGIN = 0.02;

  private static final int ATTEMPTS = 500;

  private Placement() {}

  /**
   * A standing object of {@code cls} inside {@code polygon}.
   *
   * @throws IllegalArgumentException when the polygon is too small to hold a ground point
   */
  public static StandingObject place(
      Polygon polygon, String cls, double conf, Interval when, Random random, String where) {
    double minX = 1;
    double minY = 1;
    double maxX = 0;
    double maxY = 0;
    for (ImagePoint p : polygon.points()) {
      minX = Math.min(minX, p.x());
      minY = Math.min(minY, p.y());
      maxX = Math.max(maxX, p.x());
      maxY = Math.max(maxY, p.y());
    }
    double[] size = size(cls);
    for (int margin = 0; margin < 2; margin++) {
      double m = margin == 0 ? MARGIN : 0;
      for (int i = 0; i < ATTEMPTS; i++) {
        double gx = minX + random.nextDouble() * (maxX - minX);
        double gy = minY + random.nextDouble() * (maxY - minY);
        if (insideWithMargin(polygon, gx, gy, m)) {
          StandingObject placed = box(cls, gx, gy, size, conf, when);
          if (placed != null) {
            return placed;
          }
        }
      }
    }
    throw new IllegalArgumentException(
        "cannot place a " + cls + " inside the polygon of " + where + ": " + polygon.points());
  }

  private static boolean insideWithMargin(Polygon polygon, double x, double y, double m) {
    return polygon.contains(x, y)
        && polygon.contains(x - m, y - m)
        && polygon.contains(x + m, y - m)
        && polygon.contains(x - m, y + m)
        && polygon.contains(x + m, y + m);
  }

  /** The box standing on (gx, gy), shrunk to fit the image; null if it cannot fit. */
  private static StandingObject box(
      String cls, double gx, double gy, double[] size, double conf, Interval when) {
    // Perspective: things near the bottom of the image (close to the camera) look bigger.
    double scale = 0.6 + 0.6 * gy;
    double w = Math.min(size[0] * scale, 2 * Math.min(gx, 1 - gx));
    double h = Math.min(size[1] * scale, gy);
    if (w < 0.01 || h < 0.01 || gx - w / 2 < 0 || gx + w / 2 > 1 || gy > 1) {
      return null;
    }
    return new StandingObject(cls, gx, gy, w, h, conf, when);
  }

  /** Nominal [width, height] of a class at mid-image. */
  static double[] size(String cls) {
    return switch (cls) {
      case "stall" -> new double[] {0.08, 0.11};
      case "cart" -> new double[] {0.06, 0.09};
      case "tricycle" -> new double[] {0.09, 0.10};
      case "goods" -> new double[] {0.05, 0.05};
      case "rack" -> new double[] {0.04, 0.10};
      case "table" -> new double[] {0.06, 0.06};
      case "chair" -> new double[] {0.03, 0.06};
      case "umbrella" -> new double[] {0.08, 0.14};
      case "sign" -> new double[] {0.03, 0.07};
      case "vehicle" -> new double[] {0.18, 0.13};
      case "person" -> new double[] {0.035, 0.16};
      case "bicycle" -> new double[] {0.05, 0.12};
      default -> new double[] {0.06, 0.08};
    };
  }
}
