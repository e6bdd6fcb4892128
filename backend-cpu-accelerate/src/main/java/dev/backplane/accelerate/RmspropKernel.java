package dev.backplane.accelerate;

import dev.backplane.optimizer.RMSprop;

/**
 * Keras 3 {@code RMSprop} (not centered): {@code velocity = rho·velocity + (1 - rho)·g²},
 * {@code step = lr·g / sqrt(velocity + epsilon)}; {@code w -= step}, or with momentum
 * {@code mom = momentum·mom + step}, {@code w -= mom}. Slots: {@code velocity}[, {@code momentum}].
 */
final class RmspropKernel extends OptimizerKernel {
  private final float lr;
  private final float rho;
  private final float oneMinusRho;
  private final float momentum;
  private final float epsilon;

  RmspropKernel(RMSprop rmsprop) {
    this.lr = (float) rmsprop.learningRate();
    this.rho = (float) rmsprop.rho();
    this.oneMinusRho = (float) (1 - rmsprop.rho());
    this.momentum = (float) rmsprop.momentum();
    this.epsilon = (float) rmsprop.epsilon();
  }

  @Override
  void prepare(long iterations) {}

  @Override
  void update(float[] w, float[] g, float[][][] slots, int s, int len) {
    float[] vel = slots[0][s];
    float[] mom = slots.length > 1 ? slots[1][s] : null;
    for (int j = 0; j < len; j++) {
      float gj = g[j];
      float v = rho * vel[j] + oneMinusRho * (gj * gj);
      vel[j] = v;
      float step = (lr * gj) / (float) Math.sqrt(v + epsilon);
      if (mom != null) {
        float mj = momentum * mom[j] + step;
        mom[j] = mj;
        w[j] = w[j] - mj;
      } else {
        w[j] = w[j] - step;
      }
    }
  }
}
