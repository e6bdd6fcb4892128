package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code Adagrad}: {@code accumulator += g^2},
 * {@code w -= lr g / sqrt(accumulator + epsilon)}, the accumulator starting at
 * {@code initial_accumulator_value}.
 *
 * <p><b>Slot.</b> Slots start at zero, so the slot {@code squared_gradient_sum} holds
 * {@code accumulator - initial_accumulator_value}, the sum of {@code g^2} over the steps taken;
 * the update adds {@code initial_accumulator_value} back. Keras's accumulator is
 * {@code initial_accumulator_value + squared_gradient_sum}.
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}; with a schedule, its initial rate
 * @param initialAccumulatorValue default {@value #DEFAULT_INITIAL_ACCUMULATOR_VALUE}, {@code >= 0}
 * @param epsilon default {@value #DEFAULT_EPSILON}
 * @param schedule the learning rate schedule, or {@code null} for the constant rate
 * @param clipping the gradient clipping ({@code null} is none)
 */
public record Adagrad(double learningRate, double initialAccumulatorValue, double epsilon,
    LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras's default starting value of the accumulator. */
  public static final double DEFAULT_INITIAL_ACCUMULATOR_VALUE = 0.1;
  /** Keras's default epsilon. */
  public static final double DEFAULT_EPSILON = 1e-7;

  /** Validates the hyper-parameters. */
  public Adagrad {
    clipping = Optimizers.clipping(clipping);
    Optimizers.checkLearningRate(learningRate, schedule);
    if (!(initialAccumulatorValue >= 0) || Double.isInfinite(initialAccumulatorValue)) {
      throw new IllegalArgumentException("Adagrad initial_accumulator_value must be a finite"
          + " number >= 0, got " + initialAccumulatorValue);
    }
    Optimizers.checkEpsilon("Adagrad", epsilon);
  }

  /** {@code Adagrad()} with Keras's defaults. */
  public Adagrad() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** {@code Adagrad(learning_rate)}. */
  public Adagrad(double learningRate) {
    this(learningRate, DEFAULT_INITIAL_ACCUMULATOR_VALUE, DEFAULT_EPSILON);
  }

  /** {@code Adagrad(learning_rate, initial_accumulator_value, epsilon)}. */
  public Adagrad(double learningRate, double initialAccumulatorValue, double epsilon) {
    this(learningRate, initialAccumulatorValue, epsilon, null, GradientClipping.NONE);
  }

  /** {@code Adagrad(learning_rate=schedule)}. */
  public Adagrad(LearningRateSchedule schedule) {
    this(Optimizers.initial(schedule), DEFAULT_INITIAL_ACCUMULATOR_VALUE, DEFAULT_EPSILON,
        schedule, GradientClipping.NONE);
  }

  @Override
  public String kerasName() {
    return "adagrad";
  }

  /** {@code [squared_gradient_sum]}: Keras's accumulator minus its initial value. */
  @Override
  public List<String> slotNames() {
    return List.of("squared_gradient_sum");
  }

  @Override
  public Adagrad withLearningRate(double learningRate) {
    return new Adagrad(learningRate, initialAccumulatorValue, epsilon, null, clipping);
  }

  @Override
  public Adagrad withLearningRate(LearningRateSchedule schedule) {
    return new Adagrad(Optimizers.initial(schedule), initialAccumulatorValue, epsilon, schedule,
        clipping);
  }

  @Override
  public Adagrad withClipping(GradientClipping clipping) {
    return new Adagrad(learningRate, initialAccumulatorValue, epsilon, schedule, clipping);
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    g = clipGradient(ops, g);
    Node sum = ops.add(slots.get(0), ops.square(g));
    Node accumulator = ops.add(sum, ops.scalar(initialAccumulatorValue));
    Node next = ops.sub(w, ops.div(ops.mul(learningRate(ops, t), g),
        ops.sqrt(ops.add(accumulator, ops.scalar(epsilon)))));
    return new Update(next, List.of(sum));
  }
}
