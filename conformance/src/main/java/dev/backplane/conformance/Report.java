package dev.backplane.conformance;

import java.util.Locale;

/** Number formatting shared by reports and messages. */
final class Report {
  private Report() {}

  /**
   * {@code 0}; a whole number below 10000 as it is; from 0.1 to 10000 with one decimal; else
   * two significant digits in scientific notation: {@code 3.1e-07}.
   */
  static String number(Double v) {
    if (v == null) {
      return "-";
    }
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 10000) {
      return Long.toString((long) v.doubleValue());
    }
    if (Math.abs(v) >= 0.1 && Math.abs(v) < 10000) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.1e", v).replace(".0e", "e");
  }
}
