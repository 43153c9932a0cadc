package io.streetsense.benchmarks.load;

/**
 * Least-squares slope of a series: how fast consumer lag grows. A rate is sustainable when the lag
 * after warm-up grows by no more than a small share of the load (ShuffleBench / Theodolite: 1 %).
 */
final class Trend {
  private Trend() {}

  /** Slope of y over x (units of y per unit of x); 0 for fewer than two points. */
  static double slope(double[] x, double[] y) {
    if (x.length != y.length) {
      throw new IllegalArgumentException("x and y differ in length");
    }
    int n = x.length;
    if (n < 2) {
      return 0;
    }
    double mx = 0;
    double my = 0;
    for (int i = 0; i < n; i++) {
      mx += x[i];
      my += y[i];
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    for (int i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
    }
    return sxx == 0 ? 0 : sxy / sxx;
  }
}
