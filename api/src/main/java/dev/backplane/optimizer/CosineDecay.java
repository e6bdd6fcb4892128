package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;

/**
 * Keras's {@code CosineDecay}, with optional linear warmup. Without warmup
 * ({@code warmupTarget} NaN, Keras's {@code None}):
 * {@code initial * ((1 - alpha) * 0.5 * (1 + cos(π s / decay_steps)) + alpha)} with
 * {@code s = min(step, decay_steps)}. With warmup: for {@code step < warmup_steps} the rate
 * rises linearly, {@code initial + (warmup_target - initial) * step / warmup_steps}; then it
 * decays as above from {@code warmup_target}, with {@code s = min(step, warmup_steps +
 * decay_steps) - warmup_steps}.
 *
 * <p>The op set has no cosine: it is computed by a polynomial within float32 rounding of
 * {@code cos} (see {@code GraphMath.cosPi}).
 *
 * @param initialLearningRate the rate at step 0
 * @param decaySteps positive
 * @param alpha the final rate as a fraction of the decay's starting rate, default 0
 * @param warmupTarget the rate the warmup reaches, or NaN for no warmup (the default)
 * @param warmupSteps the warmup's length, default 0
 */
public record CosineDecay(double initialLearningRate, double decaySteps, double alpha,
    double warmupTarget, double warmupSteps) implements LearningRateSchedule {
  /** Validates the arguments. */
  public CosineDecay {
    Schedules.checkRate("initial_learning_rate", initialLearningRate);
    Schedules.checkSteps("decay_steps", decaySteps);
    if (!(alpha >= 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
    }
    if (!Double.isNaN(warmupTarget)) {
      Schedules.checkRate("warmup_target", warmupTarget);
    }
    if (!(warmupSteps >= 0) || Double.isInfinite(warmupSteps)) {
      throw new IllegalArgumentException("warmup_steps must be a finite number >= 0, got "
          + warmupSteps);
    }
  }

  /** {@code CosineDecay(initial_learning_rate, decay_steps)}. */
  public CosineDecay(double initialLearningRate, double decaySteps) {
    this(initialLearningRate, decaySteps, 0);
  }

  /** {@code CosineDecay(initial_learning_rate, decay_steps, alpha)}, without warmup. */
  public CosineDecay(double initialLearningRate, double decaySteps, double alpha) {
    this(initialLearningRate, decaySteps, alpha, Double.NaN, 0);
  }

  /** Whether there is a warmup phase ({@code warmup_target} set). */
  public boolean hasWarmup() {
    return !Double.isNaN(warmupTarget);
  }

  @Override
  public Node learningRate(Ops ops, Node iterations) {
    Node steps = ops.scalar(decaySteps);
    if (!hasWarmup()) {
      return decay(ops, ops.minimum(iterations, steps), initialLearningRate);
    }
    Node step = ops.minimum(iterations, ops.scalar(decaySteps + warmupSteps));
    Node decayed = decay(ops, ops.sub(step, ops.scalar(warmupSteps)), warmupTarget);
    if (warmupSteps == 0) {
      return decayed;
    }
    Node warm = ops.add(ops.mul(ops.scalar(warmupTarget - initialLearningRate),
        ops.div(step, ops.scalar(warmupSteps))), ops.scalar(initialLearningRate));
    return ops.where(ops.less(step, ops.scalar(warmupSteps)), warm, decayed);
  }

  private Node decay(Ops ops, Node step, double from) {
    Node cosine = ops.mul(ops.scalar(0.5), ops.add(ops.scalar(1),
        GraphMath.cosPi(ops, ops.div(step, ops.scalar(decaySteps)))));
    Node decayed = ops.add(ops.mul(ops.scalar(1 - alpha), cosine), ops.scalar(alpha));
    return ops.mul(ops.scalar(from), decayed);
  }
}
