package io.streetsense.simulator.internal;

import io.streetsense.blockmap.ImagePoint;
import io.streetsense.blockmap.Polygon;
import java.util.List;
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

  /**
   * The ground point at shares {@code (u, v)} of the polygon's bounding box inside the edge margin
   * (u across, v down), or {@code null} when that point is not inside the polygon with its margin.
   */
  public static double[] groundPoint(Polygon polygon, double u, double v) {
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
    double gx = minX + MARGIN + u * Math.max(0, maxX - minX - 2 * MARGIN);
    double gy = minY + MARGIN + v * Math.max(0, maxY - minY - 2 * MARGIN);
    return insideWithMargin(polygon, gx, gy, MARGIN) ? new double[] {gx, gy} : null;
  }

  /**
   * A standing {@code cls} object at shares {@code (u, v)} of the polygon ({@link #groundPoint}).
   *
   * @throws IllegalArgumentException when that point is outside the polygon or no box fits there
   */
  public static StandingObject placeAt(
      Polygon polygon, String cls, double conf, Interval when, double u, double v, String where) {
    double[] g = groundPoint(polygon, u, v);
    StandingObject placed = g == null ? null : box(cls, g[0], g[1], size(cls), conf, when);
    if (placed == null) {
      throw new IllegalArgumentException(
          "cannot place a " + cls + " at (" + u + ", " + v + ") of the polygon of " + where);
    }
    return placed;
  }

  /**
   * A {@code cls} object that crosses {@code polygon} along a horizontal line: it enters at one end
   * of the line at {@code when.from()}, walks to a point in the middle part of it by {@code
   * stop.from()}, stands there until {@code stop.to()} and walks on to the other end by {@code
   * when.to()}. A vendor on the move who stops for a while.
   *
   * @throws IllegalArgumentException when the polygon has no horizontal stretch to walk along
   */
  public static StandingObject route(
      Polygon polygon,
      String cls,
      double conf,
      Interval when,
      Interval stop,
      Random random,
      String where) {
    double minY = 1;
    double maxY = 0;
    for (ImagePoint p : polygon.points()) {
      minY = Math.min(minY, p.y());
      maxY = Math.max(maxY, p.y());
    }
    double[] size = size(cls);
    for (int i = 0; i < ATTEMPTS; i++) {
      double gy = minY + random.nextDouble() * (maxY - minY);
      double scale = 0.6 + 0.6 * gy;
      double w = size[0] * scale;
      double h = Math.min(size[1] * scale, gy);
      // The longest run of x along this line inside the polygon, keeping the box in the image.
      double bestFrom = Double.NaN;
      double bestTo = Double.NaN;
      double runFrom = Double.NaN;
      double step = 0.005;
      for (double x = w / 2; x <= 1 - w / 2 + 1e-9; x += step) {
        boolean inside = insideWithMargin(polygon, x, gy, MARGIN);
        if (inside && Double.isNaN(runFrom)) {
          runFrom = x;
        }
        boolean runEnds = !inside || x + step > 1 - w / 2 + 1e-9;
        if (runEnds && !Double.isNaN(runFrom)) {
          double runTo = inside ? x : x - step;
          if (Double.isNaN(bestFrom) || runTo - runFrom > bestTo - bestFrom) {
            bestFrom = runFrom;
            bestTo = runTo;
          }
          runFrom = Double.NaN;
        }
      }
      if (Double.isNaN(bestFrom) || bestTo - bestFrom < 0.2 || h < 0.01) {
        continue; // too short a stretch to be "on the move"
      }
      double length = bestTo - bestFrom;
      double stopX = bestFrom + length * (0.2 + 0.6 * random.nextDouble());
      boolean leftToRight = random.nextBoolean();
      double enterX = leftToRight ? bestFrom : bestTo;
      double exitX = leftToRight ? bestTo : bestFrom;
      Route route =
          new Route(
              List.of(
                  new Route.Waypoint(when.from(), enterX, gy),
                  new Route.Waypoint(stop.from(), stopX, gy),
                  new Route.Waypoint(stop.to(), stopX, gy),
                  new Route.Waypoint(when.to(), exitX, gy)));
      return new StandingObject(cls, stopX, gy, w, h, conf, when, route);
    }
    throw new IllegalArgumentException(
        "cannot route a " + cls + " across the polygon of " + where + ": " + polygon.points());
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
