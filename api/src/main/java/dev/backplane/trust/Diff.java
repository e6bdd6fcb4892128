package dev.backplane.trust;

import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import java.util.List;
import java.util.Locale;

/**
 * How canaries and audits compare a device's results with the reference CPU kernels: relative
 * differences, each measured against the reference's magnitude. For arrays, the largest absolute
 * difference divided by the largest reference magnitude (a max-norm relative error, so one tiny
 * weight near zero cannot dominate); for scalars, the absolute difference divided by the
 * reference's magnitude. A non-finite value on either side is an infinite difference.
 */
public final class Diff {
  private static final double FLOOR = 1e-12;

  private Diff() {}

  /** {@code |a - b| / max(|b|, 1e-12)}; infinite if either is not finite. */
  public static double relative(double a, double b) {
    if (!Double.isFinite(a) || !Double.isFinite(b)) {
      return Double.POSITIVE_INFINITY;
    }
    return Math.abs(a - b) / Math.max(Math.abs(b), FLOOR);
  }

  /**
   * {@code max |a[i] - b[i]| / max(max |b[i]|, 1e-12)} over the first {@code n} values.
   *
   * @throws IllegalArgumentException if {@code n} exceeds either length
   */
  public static double relative(float[] a, float[] b, int n) {
    if (n > a.length || n > b.length) {
      throw new IllegalArgumentException("Cannot compare " + n + " values of arrays of lengths "
          + a.length + " and " + b.length);
    }
    double diff = 0;
    double scale = 0;
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(a[i]) || !Float.isFinite(b[i])) {
        return Double.POSITIVE_INFINITY;
      }
      diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
      scale = Math.max(scale, Math.abs(b[i]));
    }
    return diff / Math.max(scale, FLOOR);
  }

  /** The largest {@link #relative(float[], float[], int)} over the parameters of two states. */
  public static double parameters(ModelState device, ModelState reference) {
    List<NamedArray> a = device.parameters();
    List<NamedArray> b = reference.parameters();
    if (a.size() != b.size()) {
      throw new IllegalArgumentException("States have " + a.size() + " and " + b.size()
          + " parameters");
    }
    double worst = 0;
    for (int i = 0; i < a.size(); i++) {
      float[] av = a.get(i).values();
      worst = Math.max(worst, relative(av, b.get(i).values(), av.length));
    }
    return worst;
  }

  /** Whether the first {@code n} values are all finite. */
  public static boolean finite(float[] values, int n) {
    for (int i = 0; i < n; i++) {
      if (!Float.isFinite(values[i])) {
        return false;
      }
    }
    return true;
  }

  /** A difference for messages, e.g. {@code 5.0e-02}, or {@code infinite}. */
  public static String format(double d) {
    return Double.isFinite(d) ? String.format(Locale.ROOT, "%.1e", d) : "infinite";
  }
}
