package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code Nadam} (Keras 3's formula). At step {@code t} (from 1), with
 * {@code u_t = beta1 (1 - 0.5 * 0.96^t)} and {@code u_product_t = u_1 u_2 ... u_t}:
 * {@code m += (g - m)(1 - beta1)}, {@code v += (g^2 - v)(1 - beta2)},
 * {@code m_hat = u_{t+1} m / (1 - u_product_t u_{t+1}) + (1 - u_t) g / (1 - u_product_t)},
 * {@code v_hat = v / (1 - beta2^t)}, {@code w -= lr m_hat / (sqrt(v_hat) + epsilon)}.
 *
 * <p><b>Slots.</b> Keras keeps {@code u_product} as one scalar variable starting at 1. Here
 * every slot is per parameter and starts at zero, so each parameter keeps the slot
 * {@code log_u_product}, {@code ln(u_product)} (0 at the start), every element equal; the step adds
 * {@code ln(u_t)} and reads {@code u_product = exp(log_u_product)}. (A log also keeps the
 * product's relative precision in float32 as it shrinks like {@code beta1^t}.)
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}; with a schedule, its initial rate
 * @param beta1 default {@value #DEFAULT_BETA1}
 * @param beta2 default {@value #DEFAULT_BETA2}
 * @param epsilon default {@value #DEFAULT_EPSILON}
 * @param schedule the learning rate schedule, or {@code null} for the constant rate
 * @param clipping the gradient clipping ({@code null} is none)
 */
public record Nadam(double learningRate, double beta1, double beta2, double epsilon,
    LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras's default first-moment decay. */
  public static final double DEFAULT_BETA1 = 0.9;
  /** Keras's default second-moment decay. */
  public static final double DEFAULT_BETA2 = 0.999;
  /** Keras's default epsilon. */
  public static final double DEFAULT_EPSILON = 1e-7;
  /** Keras's momentum-schedule decay base. */
  private static final double DECAY = 0.96;

  /** Validates the hyper-parameters. */
  public Nadam {
    clipping = Optimizers.clipping(clipping);
    Optimizers.checkLearningRate(learningRate, schedule);
    if (!(beta1 > 0 && beta1 < 1)) {
      throw new IllegalArgumentException("Nadam beta1 must be in (0, 1), got " + beta1);
    }
    Optimizers.checkDecay("Nadam beta2", beta2);
    Optimizers.checkEpsilon("Nadam", epsilon);
  }

  /** {@code Nadam()} with Keras's defaults. */
  public Nadam() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** {@code Nadam(learning_rate)}. */
  public Nadam(double learningRate) {
    this(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
  }

  /** {@code Nadam(learning_rate, beta_1, beta_2, epsilon)}. */
  public Nadam(double learningRate, double beta1, double beta2, double epsilon) {
    this(learningRate, beta1, beta2, epsilon, null, GradientClipping.NONE);
  }

  /** {@code Nadam(learning_rate=schedule)}. */
  public Nadam(LearningRateSchedule schedule) {
    this(Optimizers.initial(schedule), DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON, schedule,
        GradientClipping.NONE);
  }

  @Override
  public String kerasName() {
    return "nadam";
  }

  /** {@code [m, v, log_u_product]}: see the class comment for the last. */
  @Override
  public List<String> slotNames() {
    return List.of("m", "v", "log_u_product");
  }

  @Override
  public Nadam withLearningRate(double learningRate) {
    return new Nadam(learningRate, beta1, beta2, epsilon, null, clipping);
  }

  @Override
  public Nadam withLearningRate(LearningRateSchedule schedule) {
    return new Nadam(Optimizers.initial(schedule), beta1, beta2, epsilon, schedule, clipping);
  }

  @Override
  public Nadam withClipping(GradientClipping clipping) {
    return new Nadam(learningRate, beta1, beta2, epsilon, schedule, clipping);
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    g = clipGradient(ops, g);
    Node one = ops.scalar(1);
    Node ut = momentumAt(ops, t);
    Node ut1 = momentumAt(ops, ops.add(t, one));
    Node logProduct = ops.add(slots.get(2), ops.log(ut));
    Node product = ops.exp(logProduct);
    Node product1 = ops.mul(product, ut1);
    Node m = ops.add(slots.get(0), ops.mul(ops.sub(g, slots.get(0)), ops.scalar(1 - beta1)));
    Node v = ops.add(slots.get(1), ops.mul(ops.sub(ops.square(g), slots.get(1)),
        ops.scalar(1 - beta2)));
    Node mHat = ops.add(ops.div(ops.mul(ut1, m), ops.sub(one, product1)),
        ops.div(ops.mul(ops.sub(one, ut), g), ops.sub(one, product)));
    Node vHat = ops.div(v, ops.sub(one, ops.pow(ops.scalar(beta2), t)));
    Node next = ops.sub(w, ops.div(ops.mul(mHat, learningRate(ops, t)),
        ops.add(ops.sqrt(vHat), ops.scalar(epsilon))));
    return new Update(next, List.of(m, v, logProduct));
  }

  /** {@code u_step = beta1 (1 - 0.5 * 0.96^step)}. */
  private Node momentumAt(Ops ops, Node step) {
    return ops.mul(ops.scalar(beta1), ops.sub(ops.scalar(1),
        ops.mul(ops.scalar(0.5), ops.pow(ops.scalar(DECAY), step))));
  }
}
