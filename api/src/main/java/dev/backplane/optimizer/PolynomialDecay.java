package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;

/**
 * Keras's {@code PolynomialDecay}:
 * {@code (initial - end) * (1 - step / decay_steps) ^ power + end} with
 * {@code step = min(step, decay_steps)}; with {@code cycle}, {@code decay_steps} is instead
 * multiplied by {@code ceil(step / decay_steps)} (by 1 at step 0).
 *
 * @param initialLearningRate the rate at step 0
 * @param decaySteps positive
 * @param endLearningRate the final rate, Keras default {@value #DEFAULT_END_LEARNING_RATE}
 * @param power the polynomial's power, default 1
 * @param cycle whether to restart the decay after each {@code decay_steps}
 */
public record PolynomialDecay(double initialLearningRate, double decaySteps,
    double endLearningRate, double power, boolean cycle) implements LearningRateSchedule {
  /** Keras's default end learning rate. */
  public static final double DEFAULT_END_LEARNING_RATE = 0.0001;

  /** Validates the arguments. */
  public PolynomialDecay {
    Schedules.checkRate("initial_learning_rate", initialLearningRate);
    Schedules.checkSteps("decay_steps", decaySteps);
    Schedules.checkRate("end_learning_rate", endLearningRate);
    if (!(power >= 0) || Double.isInfinite(power)) {
      throw new IllegalArgumentException("power must be a finite number >= 0, got " + power);
    }
  }

  /** {@code PolynomialDecay(initial_learning_rate, decay_steps)}: linear to 0.0001. */
  public PolynomialDecay(double initialLearningRate, double decaySteps) {
    this(initialLearningRate, decaySteps, DEFAULT_END_LEARNING_RATE, 1, false);
  }

  /** {@code PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate, power)}. */
  public PolynomialDecay(double initialLearningRate, double decaySteps, double endLearningRate,
      double power) {
    this(initialLearningRate, decaySteps, endLearningRate, power, false);
  }

  @Override
  public Node learningRate(Ops ops, Node iterations) {
    Node step = iterations;
    Node steps = ops.scalar(decaySteps);
    if (cycle) {
      Node multiplier = ops.where(ops.equal(step, ops.scalar(0)), ops.scalar(1),
          GraphMath.ceil(ops, ops.div(step, steps)));
      steps = ops.mul(steps, multiplier);
    } else {
      step = ops.minimum(step, steps);
    }
    Node p = ops.div(step, steps);
    return ops.add(ops.mul(ops.scalar(initialLearningRate - endLearningRate),
        ops.pow(ops.sub(ops.scalar(1), p), ops.scalar(power))), ops.scalar(endLearningRate));
  }
}
