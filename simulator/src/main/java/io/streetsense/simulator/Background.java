package io.streetsense.simulator;

/**
 * Street life that is never a violation: people walking through, vehicles driving past, cyclists.
 * Rates are per camera, as mean arrivals per minute (a Poisson process); each passer-by crosses the
 * camera's view in seconds.
 *
 * @param pedestriansPerMinute {@code person} objects walking through
 * @param vehiclesPerMinute {@code vehicle} objects driving through (moving, never standing)
 * @param cyclistsPerMinute {@code bicycle} objects riding through
 */
public record Background(
    double pedestriansPerMinute, double vehiclesPerMinute, double cyclistsPerMinute) {

  /** An empty street: cameras send empty frames unless something is scripted. */
  public static final Background NONE = new Background(0, 0, 0);

  /** A quiet lane on a weekday: the demo's default. */
  public static final Background QUIET_LANE = new Background(6, 1, 0.5);

  public Background {
    rate(pedestriansPerMinute, "pedestriansPerMinute");
    rate(vehiclesPerMinute, "vehiclesPerMinute");
    rate(cyclistsPerMinute, "cyclistsPerMinute");
  }

  private static void rate(double value, String name) {
    if (!(value >= 0 && value <= 600)) {
      throw new IllegalArgumentException(name + " must be within 0..600, got " + value);
    }
  }
}
