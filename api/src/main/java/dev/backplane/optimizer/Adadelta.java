package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code Adadelta}:
 * {@code accumulated_grad = rho accumulated_grad + (1 - rho) g^2},
 * {@code delta = -sqrt(accumulated_delta_var + epsilon) g / sqrt(accumulated_grad + epsilon)},
 * {@code accumulated_delta_var = rho accumulated_delta_var + (1 - rho) delta^2},
 * {@code w += lr delta}.
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}; with a schedule, its initial rate
 * @param rho default {@value #DEFAULT_RHO}
 * @param epsilon default {@value #DEFAULT_EPSILON}
 * @param schedule the learning rate schedule, or {@code null} for the constant rate
 * @param clipping the gradient clipping ({@code null} is none)
 */
public record Adadelta(double learningRate, double rho, double epsilon,
    LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras's default decay rate. */
  public static final double DEFAULT_RHO = 0.95;
  /** Keras's default epsilon. */
  public static final double DEFAULT_EPSILON = 1e-7;

  /** Validates the hyper-parameters. */
  public Adadelta {
    clipping = Optimizers.clipping(clipping);
    Optimizers.checkLearningRate(learningRate, schedule);
    Optimizers.checkDecay("Adadelta rho", rho);
    Optimizers.checkEpsilon("Adadelta", epsilon);
  }

  /** {@code Adadelta()} with Keras's defaults. */
  public Adadelta() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** {@code Adadelta(learning_rate)}. */
  public Adadelta(double learningRate) {
    this(learningRate, DEFAULT_RHO, DEFAULT_EPSILON);
  }

  /** {@code Adadelta(learning_rate, rho, epsilon)}. */
  public Adadelta(double learningRate, double rho, double epsilon) {
    this(learningRate, rho, epsilon, null, GradientClipping.NONE);
  }

  /** {@code Adadelta(learning_rate=schedule)}. */
  public Adadelta(LearningRateSchedule schedule) {
    this(Optimizers.initial(schedule), DEFAULT_RHO, DEFAULT_EPSILON, schedule,
        GradientClipping.NONE);
  }

  @Override
  public String kerasName() {
    return "adadelta";
  }

  @Override
  public List<String> slotNames() {
    return List.of("accumulated_grad", "accumulated_delta_var");
  }

  @Override
  public Adadelta withLearningRate(double learningRate) {
    return new Adadelta(learningRate, rho, epsilon, null, clipping);
  }

  @Override
  public Adadelta withLearningRate(LearningRateSchedule schedule) {
    return new Adadelta(Optimizers.initial(schedule), rho, epsilon, schedule, clipping);
  }

  @Override
  public Adadelta withClipping(GradientClipping clipping) {
    return new Adadelta(learningRate, rho, epsilon, schedule, clipping);
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    g = clipGradient(ops, g);
    Node r = ops.scalar(rho);
    Node oneMinusR = ops.scalar(1 - rho);
    Node eps = ops.scalar(epsilon);
    Node accGrad = ops.add(ops.mul(r, slots.get(0)), ops.mul(oneMinusR, ops.square(g)));
    Node delta = ops.neg(ops.div(ops.mul(ops.sqrt(ops.add(slots.get(1), eps)), g),
        ops.sqrt(ops.add(accGrad, eps))));
    Node accDelta = ops.add(ops.mul(r, slots.get(1)), ops.mul(oneMinusR, ops.square(delta)));
    Node next = ops.add(w, ops.mul(learningRate(ops, t), delta));
    return new Update(next, List.of(accGrad, accDelta));
  }
}
