package io.streetsense.detectors.presence;

/**
 * One relevant object in one frame, reduced to what the presence detectors use: where it stands
 * (the bottom-centre of its box), its tracker id and its box for the evidence.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so Flink serializes it without Kryo.
 */
public final class Sighting {
  public String track;
  public String cls;
  public double conf;

  /** Ground point: where the object stands in normalised image coordinates. */
  public double groundX;

  public double groundY;
  public double boxX;
  public double boxY;
  public double boxW;
  public double boxH;

  public Sighting() {}

  public Sighting(
      String track, String cls, double conf, double boxX, double boxY, double boxW, double boxH) {
    this.track = track;
    this.cls = cls;
    this.conf = conf;
    this.boxX = boxX;
    this.boxY = boxY;
    this.boxW = boxW;
    this.boxH = boxH;
    this.groundX = boxX + boxW / 2;
    this.groundY = boxY + boxH;
  }

  double distanceTo(double x, double y) {
    return Math.hypot(groundX - x, groundY - y);
  }
}
