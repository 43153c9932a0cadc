package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.List;

/**
 * A simple polygon in normalised image coordinates, closed implicitly (the last point joins the
 * first).
 *
 * <p>Boundary rule: a point on an edge or a vertex — within {@link #EDGE_TOLERANCE} of it — is
 * inside. Adjacent zones share edges, so a ground point exactly on the line between two frontages
 * lies in both rather than in neither; it is better to see an object twice than to lose it.
 *
 * @param points at least 3 points, each within 0..1, enclosing a non-zero area
 */
public record Polygon(List<ImagePoint> points) implements Serializable {

  /** How close to an edge, in normalised image units, a point counts as on it. */
  public static final double EDGE_TOLERANCE = 1e-9;

  public Polygon {
    points = List.copyOf(points);
    if (points.size() < 3) {
      throw new IllegalArgumentException("a polygon needs at least 3 points, got " + points.size());
    }
    if (Math.abs(signedArea(points)) < EDGE_TOLERANCE) {
      throw new IllegalArgumentException("a polygon needs a non-zero area, its points are in line");
    }
  }

  /** Whether the point lies inside or on the boundary of this polygon. */
  public boolean contains(ImagePoint point) {
    return contains(point.x(), point.y());
  }

  /** Whether ({@code x}, {@code y}) lies inside or on the boundary of this polygon. */
  public boolean contains(double x, double y) {
    int n = points.size();
    boolean inside = false;
    for (int i = 0, j = n - 1; i < n; j = i++) {
      ImagePoint a = points.get(i);
      ImagePoint b = points.get(j);
      if (onSegment(x, y, a, b)) {
        return true;
      }
      // Even-odd ray casting to the right of the point. The half-open test (ay > y) != (by > y)
      // counts a vertex on the ray once, and skips horizontal edges.
      if ((a.y() > y) != (b.y() > y)) {
        double crossingX = a.x() + (y - a.y()) * (b.x() - a.x()) / (b.y() - a.y());
        if (x < crossingX) {
          inside = !inside;
        }
      }
    }
    return inside;
  }

  private static boolean onSegment(double x, double y, ImagePoint a, ImagePoint b) {
    double dx = b.x() - a.x();
    double dy = b.y() - a.y();
    double cross = dx * (y - a.y()) - dy * (x - a.x());
    double length = Math.hypot(dx, dy);
    if (Math.abs(cross) > EDGE_TOLERANCE * Math.max(length, 1e-12)) {
      return false;
    }
    return x >= Math.min(a.x(), b.x()) - EDGE_TOLERANCE
        && x <= Math.max(a.x(), b.x()) + EDGE_TOLERANCE
        && y >= Math.min(a.y(), b.y()) - EDGE_TOLERANCE
        && y <= Math.max(a.y(), b.y()) + EDGE_TOLERANCE;
  }

  private static double signedArea(List<ImagePoint> points) {
    double twiceArea = 0;
    for (int i = 0, j = points.size() - 1; i < points.size(); j = i++) {
      twiceArea += points.get(j).x() * points.get(i).y() - points.get(i).x() * points.get(j).y();
    }
    return twiceArea / 2;
  }
}
