package io.streetsense.simulator.internal;

import java.time.Instant;

/**
 * A scripted object in one camera's view: a stall, goods, a parked vehicle standing still, or a
 * vendor on the move along a {@link Route}. Its true box is fixed in size; the camera adds jitter
 * per frame.
 *
 * @param cls detector class
 * @param groundX x of the ground point (bottom-centre of the box) while standing
 * @param groundY y of the ground point while standing
 * @param width box width
 * @param height box height
 * @param conf the detector's mean confidence for it
 * @param when when it is in view
 * @param route where it goes while in view, or {@code null}: it stands at (groundX, groundY)
 */
public record StandingObject(
    String cls,
    double groundX,
    double groundY,
    double width,
    double height,
    double conf,
    Interval when,
    Route route) {

  /** An object standing still at its ground point. */
  public StandingObject(
      String cls,
      double groundX,
      double groundY,
      double width,
      double height,
      double conf,
      Interval when) {
    this(cls, groundX, groundY, width, height, conf, when, null);
  }

  /** The ground point {x, y} at {@code t}. */
  public double[] groundAt(Instant t) {
    return route == null ? new double[] {groundX, groundY} : route.at(t);
  }
}
