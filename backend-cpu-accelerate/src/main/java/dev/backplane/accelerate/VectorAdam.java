package dev.backplane.accelerate;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam's fused update on the Vector API: the same IEEE float operations in the same order as
 * {@link GraphCompiler.AdamStep}'s scalar loop (no fused multiply-add; float sqrt is correctly
 * rounded, as {@code (float) Math.sqrt(x)} is), so the same bits; the tail runs the scalar loop.
 * Load only where {@link VectorSupport#present()}.
 */
final class VectorAdam {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int LANES = SPECIES.length();

  private VectorAdam() {}

  /**
   * Elements {@code [0, n)}; returns the first element not done (the caller's scalar loop does
   * the rest). With {@code flush}, {@code m'} and {@code v'} are stored as {@link Flush#one}
   * would: below {@link Flush#TINY} in magnitude, +0; else unchanged.
   */
  static int update(float[] gr, float[] mr, float[] vr, float[] wr, float[] mt, float[] vt,
      float[] nt, float k1, float k2, float a, float e, int n, boolean flush) {
    int bound = SPECIES.loopBound(n);
    FloatVector zero = FloatVector.zero(SPECIES);
    int j = 0;
    for (; j < bound; j += LANES) {
      FloatVector g = FloatVector.fromArray(SPECIES, gr, j);
      FloatVector m = FloatVector.fromArray(SPECIES, mr, j);
      FloatVector v = FloatVector.fromArray(SPECIES, vr, j);
      FloatVector w = FloatVector.fromArray(SPECIES, wr, j);
      FloatVector mj = m.add(g.sub(m).mul(k1));
      FloatVector vj = v.add(g.mul(g).sub(v).mul(k2));
      FloatVector nj = w.sub(mj.mul(a).div(vj.lanewise(VectorOperators.SQRT).add(e)));
      if (flush) {
        VectorMask<Float> mTiny = mj.abs().lt(Flush.TINY);
        VectorMask<Float> vTiny = vj.abs().lt(Flush.TINY);
        mj.blend(zero, mTiny).intoArray(mt, j);
        vj.blend(zero, vTiny).intoArray(vt, j);
      } else {
        mj.intoArray(mt, j);
        vj.intoArray(vt, j);
      }
      nj.intoArray(nt, j);
    }
    return j;
  }
}
