package dev.backplane.accelerate;

import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;

/**
 * An optimizer's update rule, applied one parameter segment at a time in float arithmetic with the
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
   * Updates one segment of a parameter in place.
   *
   * @param w the parameter's segment
   * @param g the gradient's segment
   * @param slots the parameter's slots, {@code [slot][segment]}, in {@link Optimizer#slotNames()}
   *     order
   * @param s the segment index into the slots
   * @param len values in the segment
   */
  abstract void update(float[] w, float[] g, float[][][] slots, int s, int len);
}
