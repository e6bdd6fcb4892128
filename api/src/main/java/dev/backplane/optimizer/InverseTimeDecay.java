package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;

/**
 * Keras's {@code InverseTimeDecay}:
 * {@code initial_learning_rate / (1 + decay_rate * step / decay_steps)}, with
 * {@code step / decay_steps} floored when {@code staircase}.
 *
 * @param initialLearningRate the rate at step 0
 * @param decaySteps positive
 * @param decayRate {@code >= 0}
 * @param staircase whether {@code step / decay_steps} is an integer division
 */
public record InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate,
    boolean staircase) implements LearningRateSchedule {
  /** Validates the arguments. */
  public InverseTimeDecay {
    Schedules.checkRate("initial_learning_rate", initialLearningRate);
    Schedules.checkSteps("decay_steps", decaySteps);
    Schedules.checkRate("decay_rate", decayRate);
  }

  /** {@code InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate)}. */
  public InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate) {
    this(initialLearningRate, decaySteps, decayRate, false);
  }

  @Override
  public Node learningRate(Ops ops, Node iterations) {
    Node p = ops.div(iterations, ops.scalar(decaySteps));
    if (staircase) {
      p = GraphMath.floor(ops, p);
    }
    return ops.div(ops.scalar(initialLearningRate),
        ops.add(ops.scalar(1), ops.mul(ops.scalar(decayRate), p)));
  }
}
