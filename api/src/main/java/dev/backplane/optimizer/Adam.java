package dev.backplane.optimizer;

import java.util.List;

/**
 * Keras's {@code Adam}. At step {@code t} (from 1):
 * {@code m += (g - m)(1 - beta1)}, {@code v += (g^2 - v)(1 - beta2)},
 * {@code w -= lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon)}.
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}
 * @param beta1 default {@value #DEFAULT_BETA1}
 * @param beta2 default {@value #DEFAULT_BETA2}
 * @param epsilon default {@value #DEFAULT_EPSILON}
 */
public record Adam(double learningRate, double beta1, double beta2, double epsilon)
    implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras's default first-moment decay. */
  public static final double DEFAULT_BETA1 = 0.9;
  /** Keras's default second-moment decay. */
  public static final double DEFAULT_BETA2 = 0.999;
  /** Keras's default epsilon. */
  public static final double DEFAULT_EPSILON = 1e-7;

  /** Validates the hyper-parameters. */
  public Adam {
    Optimizers.checkLearningRate(learningRate);
    Optimizers.checkDecay("Adam beta1", beta1);
    Optimizers.checkDecay("Adam beta2", beta2);
    Optimizers.checkEpsilon("Adam", epsilon);
  }

  /** {@code Adam()} with Keras's defaults. */
  public Adam() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** {@code Adam(learning_rate)}. */
  public Adam(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  @Override
  public String kerasName() {
    return "adam";
  }

  @Override
  public List<String> slotNames() {
    return List.of("m", "v");
  }
}
