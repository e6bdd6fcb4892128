package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code Adam}. At step {@code t} (from 1):
 * {@code m += (g - m)(1 - beta1)}, {@code v += (g^2 - v)(1 - beta2)},
 * {@code w -= lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + epsilon)}.
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}; with a schedule, its initial rate
 * @param beta1 default {@value #DEFAULT_BETA1}
 * @param beta2 default {@value #DEFAULT_BETA2}
 * @param epsilon default {@value #DEFAULT_EPSILON}
 * @param schedule the learning rate schedule, or {@code null} for the constant rate
 * @param clipping the gradient clipping ({@code null} is none)
 */
public record Adam(double learningRate, double beta1, double beta2, double epsilon,
    LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
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
    clipping = Optimizers.clipping(clipping);
    Optimizers.checkLearningRate(learningRate, schedule);
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

  /** {@code Adam(learning_rate, beta_1, beta_2, epsilon)}. */
  public Adam(double learningRate, double beta1, double beta2, double epsilon) {
    this(learningRate, beta1, beta2, epsilon, null, GradientClipping.NONE);
  }

  /** {@code Adam(learning_rate=schedule)}. */
  public Adam(LearningRateSchedule schedule) {
    this(schedule, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  /** {@code Adam(learning_rate=schedule, beta_1, beta_2, epsilon)}. */
  public Adam(LearningRateSchedule schedule, double beta1, double beta2, double epsilon) {
    this(Optimizers.initial(schedule), beta1, beta2, epsilon, schedule, GradientClipping.NONE);
  }

  @Override
  public String kerasName() {
    return "adam";
  }

  @Override
  public List<String> slotNames() {
    return List.of("m", "v");
  }

  @Override
  public Adam withLearningRate(double learningRate) {
    return new Adam(learningRate, beta1, beta2, epsilon, null, clipping);
  }

  @Override
  public Adam withLearningRate(LearningRateSchedule schedule) {
    return new Adam(Optimizers.initial(schedule), beta1, beta2, epsilon, schedule, clipping);
  }

  @Override
  public Adam withClipping(GradientClipping clipping) {
    return new Adam(learningRate, beta1, beta2, epsilon, schedule, clipping);
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    return step(ops, w, clipGradient(ops, g), slots, t, learningRate(ops, t), beta1, beta2,
        epsilon);
  }

  /** Adam's step from {@code w} with the learning rate {@code lr}; shared with AdamW. */
  static Update step(Ops ops, Node w, Node g, List<Node> slots, Node t, Node lr, double beta1,
      double beta2, double epsilon) {
    Node one = ops.scalar(1);
    Node alpha = ops.div(ops.mul(lr, ops.sqrt(ops.sub(one, ops.pow(ops.scalar(beta2), t)))),
        ops.sub(one, ops.pow(ops.scalar(beta1), t)));
    Node m = ops.add(slots.get(0), ops.mul(ops.sub(g, slots.get(0)), ops.scalar(1 - beta1)));
    Node v = ops.add(slots.get(1), ops.mul(ops.sub(ops.square(g), slots.get(1)),
        ops.scalar(1 - beta2)));
    Node next = ops.sub(w, ops.div(ops.mul(m, alpha), ops.add(ops.sqrt(v),
        ops.scalar(epsilon))));
    return new Update(next, List.of(m, v));
  }
}
