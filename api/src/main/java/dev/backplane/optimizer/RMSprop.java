package dev.backplane.optimizer;

import dev.backplane.ops.Ops;

import dev.backplane.ops.Node;

import java.util.List;

/**
 * Keras's {@code RMSprop} (not centered):
 * {@code velocity = rho velocity + (1 - rho) g^2}, {@code step = lr g / sqrt(velocity + epsilon)};
 * without momentum {@code w -= step}, with it {@code mom = momentum mom + step}, {@code w -= mom}.
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}
 * @param rho default {@value #DEFAULT_RHO}
 * @param momentum default 0
 * @param epsilon default {@value #DEFAULT_EPSILON}
 */
public record RMSprop(double learningRate, double rho, double momentum, double epsilon)
    implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras's default decay of the squared-gradient average. */
  public static final double DEFAULT_RHO = 0.9;
  /** Keras's default epsilon. */
  public static final double DEFAULT_EPSILON = 1e-7;

  /** Validates the hyper-parameters. */
  public RMSprop {
    Optimizers.checkLearningRate(learningRate);
    Optimizers.checkDecay("RMSprop rho", rho);
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("RMSprop momentum must be in [0, 1), got " + momentum);
    }
    Optimizers.checkEpsilon("RMSprop", epsilon);
  }

  /** {@code RMSprop()} with Keras's defaults. */
  public RMSprop() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** {@code RMSprop(learning_rate)}. */
  public RMSprop(double learningRate) {
    this(learningRate, DEFAULT_RHO, 0, DEFAULT_EPSILON);
  }

  @Override
  public String kerasName() {
    return "rmsprop";
  }

  @Override
  public List<String> slotNames() {
    return momentum > 0 ? List.of("velocity", "momentum") : List.of("velocity");
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    Node vel = ops.add(ops.mul(ops.scalar(rho), slots.get(0)),
        ops.mul(ops.scalar(1 - rho), ops.square(g)));
    Node step = ops.div(ops.mul(ops.scalar(learningRate), g),
        ops.sqrt(ops.add(vel, ops.scalar(epsilon))));
    if (momentum == 0) {
      return new Update(ops.sub(w, step), List.of(vel));
    }
    Node mom = ops.add(ops.mul(ops.scalar(momentum), slots.get(1)), step);
    return new Update(ops.sub(w, mom), List.of(vel, mom));
  }
}
