package dev.backplane.optimizer;

import dev.backplane.ops.Ops;

import dev.backplane.ops.Node;

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

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    Node one = ops.scalar(1);
    Node alpha = ops.div(ops.mul(ops.scalar(learningRate),
        ops.sqrt(ops.sub(one, ops.pow(ops.scalar(beta2), t)))),
        ops.sub(one, ops.pow(ops.scalar(beta1), t)));
    Node m = ops.add(slots.get(0), ops.mul(ops.sub(g, slots.get(0)), ops.scalar(1 - beta1)));
    Node v = ops.add(slots.get(1), ops.mul(ops.sub(ops.square(g), slots.get(1)),
        ops.scalar(1 - beta2)));
    Node next = ops.sub(w, ops.div(ops.mul(m, alpha), ops.add(ops.sqrt(v),
        ops.scalar(epsilon))));
    return new Update(next, List.of(m, v));
  }
}
