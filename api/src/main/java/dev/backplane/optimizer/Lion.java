package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code Lion}: {@code w -= lr sign(beta1 m + (1 - beta1) g)}, then
 * {@code m = beta2 m + (1 - beta2) g}.
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}; with a schedule, its initial rate
 * @param beta1 in {@code (0, 1]}, default {@value #DEFAULT_BETA1}
 * @param beta2 in {@code [0, 1)}, default {@value #DEFAULT_BETA2}
 * @param schedule the learning rate schedule, or {@code null} for the constant rate
 * @param clipping the gradient clipping ({@code null} is none)
 */
public record Lion(double learningRate, double beta1, double beta2,
    LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras's default interpolation of momentum and gradient in the step. */
  public static final double DEFAULT_BETA1 = 0.9;
  /** Keras's default momentum decay. */
  public static final double DEFAULT_BETA2 = 0.99;

  /** Validates the hyper-parameters. */
  public Lion {
    clipping = Optimizers.clipping(clipping);
    Optimizers.checkLearningRate(learningRate, schedule);
    if (!(beta1 > 0 && beta1 <= 1)) {
      throw new IllegalArgumentException("Lion beta1 must be in (0, 1] (otherwise the optimizer"
          + " degenerates to SignSGD), got " + beta1);
    }
    Optimizers.checkDecay("Lion beta2", beta2);
  }

  /** {@code Lion()} with Keras's defaults. */
  public Lion() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** {@code Lion(learning_rate)}. */
  public Lion(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2);
  }

  /** {@code Lion(learning_rate, beta_1, beta_2)}. */
  public Lion(double learningRate, double beta1, double beta2) {
    this(learningRate, beta1, beta2, null, GradientClipping.NONE);
  }

  /** {@code Lion(learning_rate=schedule)}. */
  public Lion(LearningRateSchedule schedule) {
    this(Optimizers.initial(schedule), DEFAULT_BETA1, DEFAULT_BETA2, schedule,
        GradientClipping.NONE);
  }

  @Override
  public String kerasName() {
    return "lion";
  }

  @Override
  public List<String> slotNames() {
    return List.of("m");
  }

  @Override
  public Lion withLearningRate(double learningRate) {
    return new Lion(learningRate, beta1, beta2, null, clipping);
  }

  @Override
  public Lion withLearningRate(LearningRateSchedule schedule) {
    return new Lion(Optimizers.initial(schedule), beta1, beta2, schedule, clipping);
  }

  @Override
  public Lion withClipping(GradientClipping clipping) {
    return new Lion(learningRate, beta1, beta2, schedule, clipping);
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    g = clipGradient(ops, g);
    Node m = slots.get(0);
    Node direction = ops.sign(ops.add(ops.mul(m, ops.scalar(beta1)),
        ops.mul(g, ops.scalar(1 - beta1))));
    Node next = ops.sub(w, ops.mul(learningRate(ops, t), direction));
    Node nextM = ops.add(ops.mul(m, ops.scalar(beta2)), ops.mul(g, ops.scalar(1 - beta2)));
    return new Update(next, List.of(nextM));
  }
}
