package dev.backplane.cli;

import dev.backplane.model.Dense;
import dev.backplane.model.Sequential;
import dev.backplane.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * The reference workload from the question Backplane answers: 1000 × 10 uniform inputs, random
 * 0/1 labels (nothing to learn), Dense(128, relu) → Dense(1, sigmoid). The {@code separable}
 * variant labels each sample by the side of a fixed random hyperplane, so accuracy must climb.
 */
final class ReferenceData {
  /** Samples in the reference data set. */
  static final int SAMPLES = 1000;
  /** Features per sample. */
  static final int FEATURES = 10;

  /** The two tasks. */
  enum Task {
    /** Random labels: loss stays near log 2, accuracy near chance. */
    RANDOM,
    /** Labels from a hyperplane: accuracy climbs well above chance. */
    SEPARABLE
  }

  final Tensor x;
  final Tensor y;

  private ReferenceData(Tensor x, Tensor y) {
    this.x = x;
    this.y = y;
  }

  static ReferenceData generate(Task task, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[SAMPLES * FEATURES];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    float[] y = new float[SAMPLES];
    if (task == Task.RANDOM) {
      for (int i = 0; i < SAMPLES; i++) {
        y[i] = random.nextInt(2);
      }
    } else {
      double[] w = new double[FEATURES];
      for (int j = 0; j < FEATURES; j++) {
        w[j] = random.nextDouble(-1, 1);
      }
      for (int i = 0; i < SAMPLES; i++) {
        double s = 0;
        for (int j = 0; j < FEATURES; j++) {
          s += w[j] * (x[i * FEATURES + j] - 0.5);
        }
        y[i] = s > 0 ? 1 : 0;
      }
    }
    return new ReferenceData(Tensor.wrap(x, SAMPLES, FEATURES), Tensor.wrap(y, SAMPLES, 1));
  }

  /** {@code Sequential([Dense(128, relu, input_shape=(10,)), Dense(1, sigmoid)])}. */
  static Sequential model() {
    return new Sequential(new int[] {FEATURES}, new Dense(128, "relu"), new Dense(1, "sigmoid"));
  }
}
