package dev.backplane.accelerate;

import dev.backplane.optimizer.SGD;

/**
 * Keras 3 {@code SGD}: {@code w -= g·lr}; with momentum {@code m = -g·lr + m·momentum}, then
 * {@code w += m}, or with Nesterov {@code w += -g·lr + m·momentum}. Slot: {@code momentum}.
 */
final class SgdKernel extends OptimizerKernel {
  private final float lr;
  private final float momentum;
  private final boolean nesterov;

  SgdKernel(SGD sgd) {
    this.lr = (float) sgd.learningRate();
    this.momentum = (float) sgd.momentum();
    this.nesterov = sgd.nesterov();
  }

  @Override
  void prepare(long iterations) {}

  @Override
  void update(float[] w, float[] g, float[][][] slots, int s, int len) {
    if (slots.length == 0) {
      for (int j = 0; j < len; j++) {
        w[j] = w[j] - g[j] * lr;
      }
      return;
    }
    float[] m = slots[0][s];
    for (int j = 0; j < len; j++) {
      float step = -g[j] * lr;
      float v = step + m[j] * momentum;
      m[j] = v;
      w[j] = w[j] + (nesterov ? step + v * momentum : v);
    }
  }
}
