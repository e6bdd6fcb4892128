package dev.backplane.optimizer;

import dev.backplane.ops.Ops;

import dev.backplane.ops.Node;

import java.util.List;

/**
 * Keras's {@code SGD}. Without momentum {@code w -= lr g}. With momentum
 * {@code v = momentum v - lr g}, then {@code w += v}, or with Nesterov
 * {@code w += momentum v - lr g}.
 *
 * @param learningRate Keras default {@value #DEFAULT_LEARNING_RATE}
 * @param momentum in {@code [0, 1)}, default 0
 * @param nesterov whether to use Nesterov momentum
 */
public record SGD(double learningRate, double momentum, boolean nesterov) implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.01;

  /** Validates the hyper-parameters. */
  public SGD {
    Optimizers.checkLearningRate(learningRate);
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

  @Override
  public String kerasName() {
    return "sgd";
  }

  @Override
  public List<String> slotNames() {
    return momentum > 0 ? List.of("momentum") : List.of();
  }

  @Override
  public Update update(Ops ops, Node w, Node g, java.util.List<Node> slots, Node t) {
    Node step = ops.neg(ops.mul(g, ops.scalar(learningRate)));
    if (momentum == 0) {
      return new Update(ops.sub(w, ops.mul(g, ops.scalar(learningRate))), java.util.List.of());
    }
    Node mom = ops.scalar(momentum);
    Node v = ops.add(step, ops.mul(slots.get(0), mom));
    Node next = ops.add(w, nesterov ? ops.add(step, ops.mul(v, mom)) : v);
    return new Update(next, java.util.List.of(v));
  }
}
