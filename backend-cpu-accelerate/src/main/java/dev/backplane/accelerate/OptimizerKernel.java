package dev.backplane.accelerate;

import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;

/**
 * An optimizer's update rule, applied one parameter row at a time in float arithmetic with the
 * operation order of Keras 3. Per-step scalars (such as Adam's bias-corrected rate) are computed
 * in double by {@link #prepare} and rounded once.
 */
abstract class OptimizerKernel {
  /** The kernel for an optimizer configuration. */
  static OptimizerKernel of(Optimizer optimizer) {
    if (optimizer instanceof SGD sgd) {
      return new SgdKernel(sgd);
    }
    if (optimizer instanceof Adam adam) {
      return new AdamKernel(adam);
    }
    if (optimizer instanceof RMSprop rmsprop) {
      return new RmspropKernel(rmsprop);
    }
    throw new IllegalStateException("Unhandled optimizer " + optimizer);
  }

  /**
   * Computes the per-step scalars.
   *
   * @param iterations steps taken before this one ({@code t - 1})
   */
  abstract void prepare(long iterations);

  /**
   * Updates one row of a parameter in place.
   *
   * @param w the parameter's row
   * @param g the gradient's row
   * @param slots the parameter's slots, in {@link Optimizer#slotNames()} order
   * @param r the row index into the slots
   * @param len values in the row
   */
  abstract void update(float[] w, float[] g, HeapMat[] slots, int r, int len);
}
