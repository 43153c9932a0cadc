package io.streetsense.simulator;

/**
 * How imperfect the cameras' edge analytics are. Applied to every object in every frame, scripted
 * or background, each draw from the camera's own seeded random source.
 *
 * @param missRate share of frames in which a present object is not reported, 0..1 (the issue-4
 *     target is measured at 0.2)
 * @param idSwitchRate probability per object and frame that the tracker loses it and reports it
 *     under a new track id from then on, 0..1
 * @param confJitter standard deviation of the noise added to an object's confidence, at least 0
 * @param boxJitter largest shift of a box from its true position per frame and axis, in normalised
 *     image units, at least 0. Standing objects keep their ground point within a square of side
 *     {@code 2 * boxJitter}, so their drift is at most {@code 2 * sqrt(2) * boxJitter}: keep that
 *     well under the rule's {@code max_drift}.
 */
public record CameraNoise(
    double missRate, double idSwitchRate, double confJitter, double boxJitter) {

  /** Perfect analytics: every object in every frame, stable ids, exact boxes. */
  public static final CameraNoise NONE = new CameraNoise(0, 0, 0, 0);

  /** Mild noise, the demo's default: 5 % missed, rare id switches, a few thousandths of jitter. */
  public static final CameraNoise MILD = new CameraNoise(0.05, 0.001, 0.02, 0.002);

  public CameraNoise {
    share(missRate, "missRate");
    share(idSwitchRate, "idSwitchRate");
    nonNegative(confJitter, "confJitter");
    nonNegative(boxJitter, "boxJitter");
    if (boxJitter > 0.05) {
      throw new IllegalArgumentException("boxJitter must be at most 0.05, got " + boxJitter);
    }
  }

  public CameraNoise withMissRate(double rate) {
    return new CameraNoise(rate, idSwitchRate, confJitter, boxJitter);
  }

  public CameraNoise withIdSwitchRate(double rate) {
    return new CameraNoise(missRate, rate, confJitter, boxJitter);
  }

  private static void share(double value, String name) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be within 0..1, got " + value);
    }
  }

  private static void nonNegative(double value, String name) {
    if (!(value >= 0 && Double.isFinite(value))) {
      throw new IllegalArgumentException(name + " must be 0 or more, got " + value);
    }
  }
}
