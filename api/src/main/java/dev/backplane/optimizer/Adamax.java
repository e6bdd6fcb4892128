package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code Adamax}. At step {@code t} (from 1): {@code m += (g - m)(1 - beta1)},
 * {@code u = max(beta2 u, |g|)}, {@code w -= lr m / ((1 - beta1^t)(u + epsilon))}.
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}; with a schedule, its initial rate
 * @param beta1 default {@value #DEFAULT_BETA1}
 * @param beta2 default {@value #DEFAULT_BETA2}
 * @param epsilon default {@value #DEFAULT_EPSILON}
 * @param schedule the learning rate schedule, or {@code null} for the constant rate
 * @param clipping the gradient clipping ({@code null} is none)
 */
public record Adamax(double learningRate, double beta1, double beta2, double epsilon,
    LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras's default first-moment decay. */
  public static final double DEFAULT_BETA1 = 0.9;
  /** Keras's default decay of the infinity norm. */
  public static final double DEFAULT_BETA2 = 0.999;
  /** Keras's default epsilon. */
  public static final double DEFAULT_EPSILON = 1e-7;

  /** Validates the hyper-parameters. */
  public Adamax {
    clipping = Optimizers.clipping(clipping);
    Optimizers.checkLearningRate(learningRate, schedule);
    Optimizers.checkDecay("Adamax beta1", beta1);
    Optimizers.checkDecay("Adamax beta2", beta2);
    Optimizers.checkEpsilon("Adamax", epsilon);
  }

  /** {@code Adamax()} with Keras's defaults. */
  public Adamax() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** {@code Adamax(learning_rate)}. */
  public Adamax(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  /** {@code Adamax(learning_rate, beta_1, beta_2, epsilon)}. */
  public Adamax(double learningRate, double beta1, double beta2, double epsilon) {
    this(learningRate, beta1, beta2, epsilon, null, GradientClipping.NONE);
  }

  /** {@code Adamax(learning_rate=schedule)}. */
  public Adamax(LearningRateSchedule schedule) {
    this(Optimizers.initial(schedule), DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, schedule,
        GradientClipping.NONE);
  }

  @Override
  public String kerasName() {
    return "adamax";
  }

  @Override
  public List<String> slotNames() {
    return List.of("m", "u");
  }

  @Override
  public Adamax withLearningRate(double learningRate) {
    return new Adamax(learningRate, beta1, beta2, epsilon, null, clipping);
  }

  @Override
  public Adamax withLearningRate(LearningRateSchedule schedule) {
    return new Adamax(Optimizers.initial(schedule), beta1, beta2, epsilon, schedule, clipping);
  }

  @Override
  public Adamax withClipping(GradientClipping clipping) {
    return new Adamax(learningRate, beta1, beta2, epsilon, schedule, clipping);
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    g = clipGradient(ops, g);
    Node m = ops.add(slots.get(0), ops.mul(ops.sub(g, slots.get(0)), ops.scalar(1 - beta1)));
    Node u = ops.maximum(ops.mul(ops.scalar(beta2), slots.get(1)), ops.abs(g));
    Node correction = ops.sub(ops.scalar(1), ops.pow(ops.scalar(beta1), t));
    Node next = ops.sub(w, ops.div(ops.mul(learningRate(ops, t), m),
        ops.mul(correction, ops.add(u, ops.scalar(epsilon)))));
    return new Update(next, List.of(m, u));
  }
}
