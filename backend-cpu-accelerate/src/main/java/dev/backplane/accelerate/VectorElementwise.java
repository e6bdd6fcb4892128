package dev.backplane.accelerate;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise ops whose plain loops C2 either does not vectorize or vectorizes only with a NaN
 * recheck ({@link FlatKernels#relu}, {@link FlatKernels#greater}): on the Vector API, as a
 * compare and a blend, which is the scalar ternary lane by lane, so the same bits (NaN included)
 * with no second pass. Load only where {@link VectorSupport#present()}.
 */
final class VectorElementwise {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  private VectorElementwise() {}

  /** {@code d[j] = a[j] > 0 ? a[j] : 0} for {@code j < n}. */
  static void relu(float[] d, float[] a, int n) {
    int bound = SPECIES.loopBound(n);
    FloatVector zero = FloatVector.zero(SPECIES);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector v = FloatVector.fromArray(SPECIES, a, j);
      zero.blend(v, v.compare(VectorOperators.GT, zero)).intoArray(d, j);
    }
    for (; j < n; j++) {
      float v = a[j];
      d[j] = v > 0 ? v : 0f;
    }
  }

  /** {@code d[j] = a[j] > b[j] ? 1 : 0} for {@code j < n}. */
  static void greater(float[] d, float[] a, float[] b, int n) {
    int bound = SPECIES.loopBound(n);
    FloatVector zero = FloatVector.zero(SPECIES);
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector x = FloatVector.fromArray(SPECIES, a, j);
      FloatVector y = FloatVector.fromArray(SPECIES, b, j);
      zero.blend(one, x.compare(VectorOperators.GT, y)).intoArray(d, j);
    }
    for (; j < n; j++) {
      d[j] = a[j] > b[j] ? 1f : 0f;
    }
  }
}
