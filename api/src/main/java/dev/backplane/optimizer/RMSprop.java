package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code RMSprop} (not centered):
 * {@code velocity = rho velocity + (1 - rho) g^2}, {@code step = lr g / sqrt(velocity + epsilon)};
 * without momentum {@code w -= step}, with it {@code mom = momentum mom + step}, {@code w -= mom}.
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}; with a schedule, its initial rate
 * @param rho default {@value #DEFAULT_RHO}
 * @param momentum default 0
 * @param epsilon default {@value #DEFAULT_EPSILON}
 * @param schedule the learning rate schedule, or {@code null} for the constant rate
 * @param clipping the gradient clipping ({@code null} is none)
 */
public record RMSprop(double learningRate, double rho, double momentum, double epsilon,
    LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras's default decay of the squared-gradient average. */
  public static final double DEFAULT_RHO = 0.9;
  /** Keras's default epsilon. */
  public static final double DEFAULT_EPSILON = 1e-7;

  /** Validates the hyper-parameters. */
  public RMSprop {
    clipping = Optimizers.clipping(clipping);
    Optimizers.checkLearningRate(learningRate, schedule);
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

  /** {@code RMSprop(learning_rate, rho, momentum, epsilon)}. */
  public RMSprop(double learningRate, double rho, double momentum, double epsilon) {
    this(learningRate, rho, momentum, epsilon, null, GradientClipping.NONE);
  }

  /** {@code RMSprop(learning_rate=schedule)}. */
  public RMSprop(LearningRateSchedule schedule) {
    this(schedule, DEFAULT_RHO, 0, DEFAULT_EPSILON);
  }

  /** {@code RMSprop(learning_rate=schedule, rho, momentum, epsilon)}. */
  public RMSprop(LearningRateSchedule schedule, double rho, double momentum, double epsilon) {
    this(Optimizers.initial(schedule), rho, momentum, epsilon, schedule, GradientClipping.NONE);
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
  public RMSprop withLearningRate(double learningRate) {
    return new RMSprop(learningRate, rho, momentum, epsilon, null, clipping);
  }

  @Override
  public RMSprop withLearningRate(LearningRateSchedule schedule) {
    return new RMSprop(Optimizers.initial(schedule), rho, momentum, epsilon, schedule, clipping);
  }

  @Override
  public RMSprop withClipping(GradientClipping clipping) {
    return new RMSprop(learningRate, rho, momentum, epsilon, schedule, clipping);
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    g = clipGradient(ops, g);
    Node vel = ops.add(ops.mul(ops.scalar(rho), slots.get(0)),
        ops.mul(ops.scalar(1 - rho), ops.square(g)));
    Node step = ops.div(ops.mul(learningRate(ops, t), g),
        ops.sqrt(ops.add(vel, ops.scalar(epsilon))));
    if (momentum == 0) {
      return new Update(ops.sub(w, step), List.of(vel));
    }
    Node mom = ops.add(ops.mul(ops.scalar(momentum), slots.get(1)), step);
    return new Update(ops.sub(w, mom), List.of(vel, mom));
  }
}
