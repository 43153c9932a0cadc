package io.streetsense.simulator.internal;

/**
 * A scripted object that stands still in one camera's view: a stall, goods, a parked vehicle. Its
 * true box is fixed; the camera adds jitter per frame.
 *
 * @param cls detector class
 * @param groundX x of the ground point (bottom-centre of the box)
 * @param groundY y of the ground point
 * @param width box width
 * @param height box height
 * @param conf the detector's mean confidence for it
 * @param when when it stands there
 */
public record StandingObject(
    String cls,
    double groundX,
    double groundY,
    double width,
    double height,
    double conf,
    Interval when) {}
