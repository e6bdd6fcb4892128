package dev.backplane.accelerate;

import dev.backplane.optimizer.Adam;

/**
 * Keras 3 {@code Adam}: {@code m += (g - m)(1 - beta1)}, {@code v += (g² - v)(1 - beta2)},
 * {@code w -= m·alpha / (sqrt(v) + epsilon)} with
 * {@code alpha = lr·sqrt(1 - beta2^t) / (1 - beta1^t)}. Slots: {@code m}, {@code v}.
 */
final class AdamKernel extends OptimizerKernel {
  private final Adam adam;
  private final float oneMinusBeta1;
  private final float oneMinusBeta2;
  private final float epsilon;
  private float alpha;

  AdamKernel(Adam adam) {
    this.adam = adam;
    this.oneMinusBeta1 = (float) (1 - adam.beta1());
    this.oneMinusBeta2 = (float) (1 - adam.beta2());
    this.epsilon = (float) adam.epsilon();
  }

  @Override
  void prepare(long iterations) {
    double t = iterations + 1;
    alpha = (float) (adam.learningRate() * Math.sqrt(1 - Math.pow(adam.beta2(), t))
        / (1 - Math.pow(adam.beta1(), t)));
  }

  @Override
  void update(float[] w, float[] g, float[][][] slots, int s, int len) {
    float[] m = slots[0][s];
    float[] v = slots[1][s];
    float a = alpha;
    float b1 = oneMinusBeta1;
    float b2 = oneMinusBeta2;
    float eps = epsilon;
    for (int j = 0; j < len; j++) {
      float gj = g[j];
      float mj = m[j] + (gj - m[j]) * b1;
      float vj = v[j] + (gj * gj - v[j]) * b2;
      m[j] = mj;
      v[j] = vj;
      w[j] = w[j] - (mj * a) / ((float) Math.sqrt(vj) + eps);
    }
  }
}
