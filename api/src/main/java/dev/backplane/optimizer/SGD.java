package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code SGD}. Without momentum {@code w -= lr g}. With momentum
 * {@code v = momentum v - lr g}, then {@code w += v}, or with Nesterov
 * {@code w += momentum v - lr g}.
 *
 * @param learningRate Keras default {@value #DEFAULT_LEARNING_RATE}; with a schedule, its
 *     initial rate
 * @param momentum in {@code [0, 1)}, default 0
 * @param nesterov whether to use Nesterov momentum
 * @param schedule the learning rate schedule, or {@code null} for the constant rate
 * @param clipping the gradient clipping ({@code null} is none)
 */
public record SGD(double learningRate, double momentum, boolean nesterov,
    LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.01;

  /** Validates the hyper-parameters. */
  public SGD {
    clipping = Optimizers.clipping(clipping);
    Optimizers.checkLearningRate(learningRate, schedule);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
    }
  }

  /** {@code SGD()} with Keras's defaults. */
  public SGD() {
    this(DEFAULT_LEARNING_RATE, 0, false);
  }

  /** {@code SGD(learning_rate)}. */
  public SGD(double learningRate) {
    this(learningRate, 0, false);
  }

  /** {@code SGD(learning_rate, momentum, nesterov)}. */
  public SGD(double learningRate, double momentum, boolean nesterov) {
    this(learningRate, momentum, nesterov, null, GradientClipping.NONE);
  }

  /** {@code SGD(learning_rate=schedule)}. */
  public SGD(LearningRateSchedule schedule) {
    this(schedule, 0, false);
  }

  /** {@code SGD(learning_rate=schedule, momentum, nesterov)}. */
  public SGD(LearningRateSchedule schedule, double momentum, boolean nesterov) {
    this(Optimizers.initial(schedule), momentum, nesterov, schedule, GradientClipping.NONE);
  }

  @Override
  public String kerasName() {
    return "sgd";
  }

  @Override
  public List<String> slotNames() {
    return momentum > 0 ? List.of("momentum") : List.of();
  }

  @Override
  public SGD withLearningRate(double learningRate) {
    return new SGD(learningRate, momentum, nesterov, null, clipping);
  }

  @Override
  public SGD withLearningRate(LearningRateSchedule schedule) {
    return new SGD(Optimizers.initial(schedule), momentum, nesterov, schedule, clipping);
  }

  @Override
  public SGD withClipping(GradientClipping clipping) {
    return new SGD(learningRate, momentum, nesterov, schedule, clipping);
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    g = clipGradient(ops, g);
    if (momentum == 0) {
      return new Update(ops.sub(w, ops.mul(g, learningRate(ops, t))), List.of());
    }
    Node step = ops.neg(ops.mul(g, learningRate(ops, t)));
    Node mom = ops.scalar(momentum);
    Node v = ops.add(step, ops.mul(slots.get(0), mom));
    Node next = ops.add(w, nesterov ? ops.add(step, ops.mul(v, mom)) : v);
    return new Update(next, List.of(v));
  }
}
