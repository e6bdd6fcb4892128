package dev.backplane.conformance;

import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The deviation measures of {@link Tolerances}. */
final class Deviation {
  /** Scale floor, so arrays and scalars of (near) zero compare absolutely. */
  static final double FLOOR = 1e-6;

  private Deviation() {}

  /** {@code max |a - r| / max(max |r|, 1e-6)}; infinite if {@code a} is not finite where r is. */
  static double relative(float[] actual, float[] reference) {
    double[] a = new double[actual.length];
    double[] r = new double[reference.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = actual[i];
    }
    for (int i = 0; i < r.length; i++) {
      r[i] = reference[i];
    }
    return relative(a, r);
  }

  /** As {@link #relative(float[], float[])}. */
  static double relative(double[] actual, double[] reference) {
    if (actual.length != reference.length) {
      throw new CheckFailed("Expected " + reference.length + " values but the backend produced "
          + actual.length);
    }
    double scale = FLOOR;
    for (double r : reference) {
      if (!Double.isFinite(r)) {
        return Double.POSITIVE_INFINITY;
      }
      scale = Math.max(scale, Math.abs(r));
    }
    double worst = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs(actual[i] - reference[i]);
      if (!Double.isFinite(d)) {
        return Double.POSITIVE_INFINITY;
      }
      worst = Math.max(worst, d);
    }
    return worst / scale;
  }

  /** {@code |a - r| / max(|r|, 1e-6)}. */
  static double scalar(double actual, double reference) {
    double d = Math.abs(actual - reference);
    if (!Double.isFinite(d)) {
      return Double.POSITIVE_INFINITY;
    }
    return d / Math.max(FLOOR, Math.abs(reference));
  }

  /** The largest scalar deviation of two curves of equal length. */
  static double curves(List<Double> actual, List<Double> reference) {
    if (actual.size() != reference.size()) {
      throw new CheckFailed("Expected " + reference.size() + " epochs but got " + actual.size());
    }
    double worst = 0;
    for (int i = 0; i < actual.size(); i++) {
      worst = worse(worst, scalar(actual.get(i), reference.get(i)));
    }
    return worst;
  }

  /**
   * The deviation of two states: all parameters together, and each kind of optimizer slot
   * ({@code m}, {@code v}, {@code momentum}, ...) together, each norm-wise against the largest
   * reference magnitude of its kind; the largest of these. Measuring a kind as a whole keeps a
   * tiny array (a bias near zero) from turning round-off into a large relative error.
   *
   * @throws CheckFailed if names, shapes or iteration counts differ
   */
  static double states(ModelState actual, ModelState reference) {
    if (actual.iterations() != reference.iterations()) {
      throw new CheckFailed("The backend's state counts " + actual.iterations()
          + " optimizer iterations but the reference counts " + reference.iterations());
    }
    sameLayout(actual.parameters(), reference.parameters());
    sameLayout(actual.slots(), reference.slots());
    double worst = relative(concat(actual.parameters(), null),
        concat(reference.parameters(), null));
    Set<String> kinds = new LinkedHashSet<>();
    reference.slots().forEach(a -> kinds.add(kind(a)));
    for (String k : kinds) {
      worst = worse(worst, relative(concat(actual.slots(), k), concat(reference.slots(), k)));
    }
    return worst;
  }

  private static void sameLayout(List<NamedArray> actual, List<NamedArray> reference) {
    if (actual.size() != reference.size()) {
      throw new CheckFailed("The backend's state has arrays "
          + actual.stream().map(NamedArray::toString).toList() + " but the reference has "
          + reference.stream().map(NamedArray::toString).toList());
    }
    for (int i = 0; i < actual.size(); i++) {
      NamedArray a = actual.get(i);
      NamedArray r = reference.get(i);
      if (!a.name().equals(r.name()) || !Arrays.equals(a.shape(), r.shape())) {
        throw new CheckFailed("State array " + i + " is " + a + " but the reference has " + r);
      }
    }
  }

  private static String kind(NamedArray slot) {
    return slot.name().substring(slot.name().lastIndexOf('/') + 1);
  }

  /** The values of the arrays of one slot kind (all arrays when {@code kind} is null). */
  private static float[] concat(List<NamedArray> arrays, String kind) {
    int n = 0;
    for (NamedArray a : arrays) {
      if (kind == null || kind(a).equals(kind)) {
        n += a.values().length;
      }
    }
    float[] all = new float[n];
    int at = 0;
    for (NamedArray a : arrays) {
      if (kind == null || kind(a).equals(kind)) {
        System.arraycopy(a.values(), 0, all, at, a.values().length);
        at += a.values().length;
      }
    }
    return all;
  }

  /** The largest absolute difference of two states; 0 exactly when they are bitwise equal. */
  static double exact(ModelState a, ModelState b) {
    if (a.iterations() != b.iterations()) {
      throw new CheckFailed("Iteration counts differ: " + a.iterations() + " and "
          + b.iterations());
    }
    return worse(exactArrays(a.parameters(), b.parameters()),
        exactArrays(a.slots(), b.slots()));
  }

  private static double exactArrays(List<NamedArray> a, List<NamedArray> b) {
    if (a.size() != b.size()) {
      throw new CheckFailed("States have different arrays: " + a + " and " + b);
    }
    double worst = 0;
    for (int i = 0; i < a.size(); i++) {
      worst = worse(worst, exact(a.get(i).values(), b.get(i).values()));
    }
    return worst;
  }

  /** The largest absolute difference; NaN against NaN counts as equal. */
  static double exact(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.POSITIVE_INFINITY;
    }
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(b[i])) {
        double d = Math.abs((double) a[i] - b[i]);
        worst = worse(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY
            : d == 0 ? Double.MIN_VALUE : d);
      }
    }
    return worst;
  }

  /** The largest absolute difference of two curves. */
  static double exact(List<Double> a, List<Double> b) {
    if (a.size() != b.size()) {
      return Double.POSITIVE_INFINITY;
    }
    double worst = 0;
    for (int i = 0; i < a.size(); i++) {
      if (Double.doubleToLongBits(a.get(i)) != Double.doubleToLongBits(b.get(i))) {
        double d = Math.abs(a.get(i) - b.get(i));
        worst = worse(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY
            : d == 0 ? Double.MIN_VALUE : d);
      }
    }
    return worst;
  }

  /** The worse of two deviations; NaN counts as infinitely bad. */
  static double worse(double a, double b) {
    return isWorse(a, b) ? a : b;
  }

  static boolean isWorse(double a, double b) {
    double x = Double.isNaN(a) ? Double.POSITIVE_INFINITY : a;
    double y = Double.isNaN(b) ? Double.POSITIVE_INFINITY : b;
    return x > y;
  }
}
