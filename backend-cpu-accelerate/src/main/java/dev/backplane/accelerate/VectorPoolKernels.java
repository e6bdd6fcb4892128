package dev.backplane.accelerate;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The max-pool gradient on the Vector API: per output cell, a lane per channel keeps the
 * window's first maximum and where it was (a compare and two blends, the scalar loop's
 * "strictly greater replaces" lane by lane, NaN included), then the gradient is added in the
 * scalar loop's order, so the bits are those of {@link PoolKernels}' scalar loop. C2 does not
 * vectorise that loop: its channel-innermost form needs a float compare selecting an int. Load
 * only where {@link VectorSupport#present()}.
 */
final class VectorPoolKernels {
  private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
  /** Channels per vector. */
  static final int LANES = FLOATS.length();

  private VectorPoolKernels() {}

  /**
   * {@code dx} (zeroed by the caller) receives each output's {@code dys} at its window's first
   * maximum of {@code xs}, channels last; {@code at} is scratch of at least {@code c} ints.
   */
  static void maxGrad(float[] xs, float[] dys, float[] dx, int[] at, int c, int outCount,
      int cells, int[] cell) {
    int bound = FLOATS.loopBound(c);
    FloatVector minusInf = FloatVector.broadcast(FLOATS, Float.NEGATIVE_INFINITY);
    IntVector none = IntVector.broadcast(INTS, -1);
    for (int oi = 0; oi < outCount; oi++) {
      int t = oi * cells;
      int yo = oi * c;
      int j = 0;
      for (; j < bound; j += LANES) {
        FloatVector best = minusInf;
        IntVector where = none;
        for (int ki = 0; ki < cells; ki++) {
          int idx = cell[t + ki];
          if (idx >= 0) {
            FloatVector v = FloatVector.fromArray(FLOATS, xs, idx * c + j);
            VectorMask<Float> gt = v.compare(VectorOperators.GT, best);
            best = best.blend(v, gt);
            where = where.blend(idx, gt.cast(INTS));
          }
        }
        where.intoArray(at, j);
      }
      for (; j < c; j++) {
        float b = Float.NEGATIVE_INFINITY;
        int a = -1;
        for (int ki = 0; ki < cells; ki++) {
          int idx = cell[t + ki];
          if (idx >= 0) {
            float v = xs[idx * c + j];
            boolean gt = v > b;
            b = gt ? v : b;
            a = gt ? idx : a;
          }
        }
        at[j] = a;
      }
      for (j = 0; j < c; j++) {
        int a = at[j];
        if (a >= 0) {
          dx[a * c + j] += dys[yo + j];
        }
      }
    }
  }
}
