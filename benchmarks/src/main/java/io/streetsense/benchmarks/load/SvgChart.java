package io.streetsense.benchmarks.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line charts as inline SVG, so the HTML report needs nothing from the network to be read: a time
 * axis in seconds, a linear or logarithmic value axis, shaded bands for the steps.
 */
final class SvgChart {
  static final String[] PALETTE = {
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#17becf", "#bcbd22"
  };

  /** One line; NaN values leave gaps. */
  record Series(String name, String color, double[] x, double[] y, boolean dashed) {}

  /** A shaded span of the time axis (a step), green when it was sustained, red when not. */
  record Band(double x0, double x1, String label, String color) {}

  private static final int W = 960;
  private static final int H = 280;
  private static final int LEFT = 70;
  private static final int RIGHT = 170;
  private static final int TOP = 28;
  private static final int BOTTOM = 36;

  private SvgChart() {}

  static String render(
      String title, String unit, boolean logY, List<Series> series, List<Band> bands) {
    double xMin = Double.POSITIVE_INFINITY;
    double xMax = Double.NEGATIVE_INFINITY;
    double yMax = 0;
    double yMinPositive = Double.POSITIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x.length; i++) {
        if (Double.isNaN(s.y[i]) || Double.isInfinite(s.y[i])) {
          continue;
        }
        xMin = Math.min(xMin, s.x[i]);
        xMax = Math.max(xMax, s.x[i]);
        yMax = Math.max(yMax, s.y[i]);
        if (s.y[i] > 0) {
          yMinPositive = Math.min(yMinPositive, s.y[i]);
        }
      }
    }
    for (Band b : bands) {
      xMin = Math.min(xMin, b.x0);
      xMax = Math.max(xMax, b.x1);
    }
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d'"
                + " font-family='sans-serif' font-size='11'>",
            W,
            H,
            W,
            H));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x='%d' y='16' font-size='13' font-weight='bold'>%s</text>",
            LEFT,
            esc(title)));
    if (!(xMax > xMin)) {
      svg.append("<text x='400' y='140'>no data</text></svg>");
      return svg.toString();
    }
    double lo;
    double hi;
    if (logY) {
      lo = Math.pow(10, Math.floor(Math.log10(Math.max(1e-3, yMinPositive))));
      hi = Math.pow(10, Math.ceil(Math.log10(Math.max(lo * 10, yMax))));
    } else {
      lo = 0;
      hi = niceCeil(Math.max(1e-9, yMax) * 1.05);
    }
    final double fxMin = xMin;
    final double fxMax = xMax;
    Scale sx = v -> LEFT + (v - fxMin) / (fxMax - fxMin) * (W - LEFT - RIGHT);
    Scale sy =
        logY
            ? v ->
                TOP
                    + (1 - (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)))
                        * (H - TOP - BOTTOM)
            : v -> TOP + (1 - (v - lo) / (hi - lo)) * (H - TOP - BOTTOM);
    for (Band b : bands) {
      double x0 = sx.at(b.x0);
      double x1 = sx.at(b.x1);
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x='%.1f' y='%d' width='%.1f' height='%d' fill='%s' fill-opacity='0.10'/>"
                  + "<text x='%.1f' y='%d' font-size='9' fill='#555'>%s</text>",
              x0,
              TOP,
              Math.max(0.5, x1 - x0),
              H - TOP - BOTTOM,
              b.color,
              x0 + 2,
              TOP + 10,
              esc(b.label)));
    }
    // Axes and grid.
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>"
                + "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>",
            LEFT,
            H - BOTTOM,
            W - RIGHT,
            H - BOTTOM,
            LEFT,
            TOP,
            LEFT,
            H - BOTTOM));
    for (double v : yTicks(lo, hi, logY)) {
      double y = sy.at(v);
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#ddd'/>"
                  + "<text x='%d' y='%.1f' text-anchor='end'>%s</text>",
              LEFT,
              y,
              W - RIGHT,
              y,
              LEFT - 4,
              y + 4,
              label(v)));
    }
    for (double v : linearTicks(xMin, xMax, 10)) {
      double x = sx.at(v);
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#333'/>"
                  + "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>",
              x,
              H - BOTTOM,
              x,
              H - BOTTOM + 4,
              x,
              H - BOTTOM + 16,
              label(v)));
    }
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x='%d' y='%d' text-anchor='middle'>seconds</text>"
                + "<text x='14' y='%d' transform='rotate(-90 14 %d)' text-anchor='middle'>%s</text>",
            (LEFT + W - RIGHT) / 2,
            H - 4,
            (TOP + H - BOTTOM) / 2,
            (TOP + H - BOTTOM) / 2,
            esc(unit)));
    int legend = 0;
    for (Series s : series) {
      StringBuilder path = new StringBuilder();
      boolean pen = false;
      for (int i = 0; i < s.x.length; i++) {
        double v = s.y[i];
        if (Double.isNaN(v) || Double.isInfinite(v) || (logY && v <= 0)) {
          pen = false;
          continue;
        }
        v = Math.min(hi, Math.max(lo, v));
        path.append(pen ? 'L' : 'M')
            .append(String.format(Locale.ROOT, "%.1f %.1f ", sx.at(s.x[i]), sy.at(v)));
        pen = true;
      }
      svg.append(
          String.format(
              Locale.ROOT,
              "<path d='%s' fill='none' stroke='%s' stroke-width='1.5'%s/>",
              path,
              s.color,
              s.dashed ? " stroke-dasharray='5 3'" : ""));
      int ly = TOP + 6 + 16 * legend++;
      svg.append(
          String.format(
              Locale.ROOT,
              "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='%s' stroke-width='2'%s/>"
                  + "<text x='%d' y='%d'>%s</text>",
              W - RIGHT + 10,
              ly,
              W - RIGHT + 30,
              ly,
              s.color,
              s.dashed ? " stroke-dasharray='5 3'" : "",
              W - RIGHT + 34,
              ly + 4,
              esc(s.name)));
    }
    svg.append("</svg>");
    return svg.toString();
  }

  private interface Scale {
    double at(double v);
  }

  static double niceCeil(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  static List<Double> linearTicks(double lo, double hi, int target) {
    List<Double> out = new ArrayList<>();
    double span = hi - lo;
    if (!(span > 0)) {
      return out;
    }
    double raw = span / target;
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double step = p;
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= raw) {
        step = m * p;
        break;
      }
    }
    for (double v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) {
      out.add(v);
    }
    return out;
  }

  private static List<Double> yTicks(double lo, double hi, boolean log) {
    if (!log) {
      return linearTicks(lo, hi, 5);
    }
    List<Double> out = new ArrayList<>();
    for (double v = lo; v <= hi * 1.0001; v *= 10) {
      out.add(v);
    }
    return out;
  }

  static String label(double v) {
    double a = Math.abs(v);
    if (a >= 1e6) {
      return trim(v / 1e6) + "M";
    }
    if (a >= 1e3) {
      return trim(v / 1e3) + "k";
    }
    return trim(v);
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
  }
}
