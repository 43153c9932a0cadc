package io.streetsense.simulator.internal;

import java.time.Instant;
import java.util.List;

/**
 * Where a scripted object's ground point is over time: a polyline of waypoints, followed at
 * constant speed between consecutive ones (a waypoint repeated at a later time means standing
 * still). Before the first waypoint the object is at the first, after the last at the last.
 *
 * @param points at least one, in time order
 */
public record Route(List<Waypoint> points) {

  /** The ground point at {@code t}. */
  public record Waypoint(Instant t, double x, double y) {}

  public Route {
    points = List.copyOf(points);
    if (points.isEmpty()) {
      throw new IllegalArgumentException("a route needs at least one waypoint");
    }
    for (int i = 1; i < points.size(); i++) {
      if (points.get(i).t().isBefore(points.get(i - 1).t())) {
        throw new IllegalArgumentException("waypoints out of time order: " + points);
      }
    }
  }

  /** The ground point {x, y} at {@code t}. */
  public double[] at(Instant t) {
    Waypoint first = points.get(0);
    if (!t.isAfter(first.t())) {
      return new double[] {first.x(), first.y()};
    }
    for (int i = 1; i < points.size(); i++) {
      Waypoint b = points.get(i);
      if (!t.isAfter(b.t())) {
        Waypoint a = points.get(i - 1);
        long span = b.t().toEpochMilli() - a.t().toEpochMilli();
        double u = span == 0 ? 1 : (t.toEpochMilli() - a.t().toEpochMilli()) / (double) span;
        return new double[] {a.x() + u * (b.x() - a.x()), a.y() + u * (b.y() - a.y())};
      }
    }
    Waypoint last = points.get(points.size() - 1);
    return new double[] {last.x(), last.y()};
  }
}
