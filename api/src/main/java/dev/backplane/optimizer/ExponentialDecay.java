package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;

/**
 * Keras's {@code ExponentialDecay}:
 * {@code initial_learning_rate * decay_rate ^ (step / decay_steps)}, the exponent floored when
 * {@code staircase}.
 *
 * @param initialLearningRate the rate at step 0
 * @param decaySteps positive
 * @param decayRate positive
 * @param staircase whether {@code step / decay_steps} is an integer division
 */
public record ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate,
    boolean staircase) implements LearningRateSchedule {
  /** Validates the arguments. */
  public ExponentialDecay {
    Schedules.checkRate("initial_learning_rate", initialLearningRate);
    Schedules.checkSteps("decay_steps", decaySteps);
    if (!(decayRate > 0) || Double.isInfinite(decayRate)) {
      throw new IllegalArgumentException("decay_rate must be a positive number, got "
          + decayRate);
    }
  }

  /** {@code ExponentialDecay(initial_learning_rate, decay_steps, decay_rate)}. */
  public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate) {
    this(initialLearningRate, decaySteps, decayRate, false);
  }

  @Override
  public Node learningRate(Ops ops, Node iterations) {
    Node p = ops.div(iterations, ops.scalar(decaySteps));
    if (staircase) {
      p = GraphMath.floor(ops, p);
    }
    return ops.mul(ops.scalar(initialLearningRate), ops.pow(ops.scalar(decayRate), p));
  }
}
