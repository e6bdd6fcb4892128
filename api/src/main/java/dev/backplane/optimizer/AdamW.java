package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * Keras's {@code AdamW}: Adam with decoupled weight decay. At step {@code t}, as Keras's
 * {@code _apply_weight_decay} then Adam's update: {@code w -= w * weight_decay * lr}, then
 * {@link Adam}'s step from the decayed {@code w} ({@code lr} the rate of this step, so a
 * schedule scales the decay too). Slots as Adam's.
 *
 * @param learningRate default {@value #DEFAULT_LEARNING_RATE}; with a schedule, its initial rate
 * @param weightDecay default {@value #DEFAULT_WEIGHT_DECAY}
 * @param beta1 default {@value Adam#DEFAULT_BETA1}
 * @param beta2 default {@value Adam#DEFAULT_BETA2}
 * @param epsilon default {@value Adam#DEFAULT_EPSILON}
 * @param schedule the learning rate schedule, or {@code null} for the constant rate
 * @param clipping the gradient clipping ({@code null} is none)
 */
public record AdamW(double learningRate, double weightDecay, double beta1, double beta2,
    double epsilon, LearningRateSchedule schedule, GradientClipping clipping)
    implements Optimizer {
  /** Keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;
  /** Keras's default weight decay. */
  public static final double DEFAULT_WEIGHT_DECAY = 0.004;

  /** Validates the hyper-parameters. */
  public AdamW {
    clipping = Optimizers.clipping(clipping);
    Optimizers.checkLearningRate(learningRate, schedule);
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("AdamW weight_decay must be a finite number >= 0, got "
          + weightDecay);
    }
    Optimizers.checkDecay("AdamW beta1", beta1);
    Optimizers.checkDecay("AdamW beta2", beta2);
    Optimizers.checkEpsilon("AdamW", epsilon);
  }

  /** {@code AdamW()} with Keras's defaults. */
  public AdamW() {
    this(DEFAULT_LEARNING_RATE);
  }

  /** {@code AdamW(learning_rate)}. */
  public AdamW(double learningRate) {
    this(learningRate, DEFAULT_WEIGHT_DECAY);
  }

  /** {@code AdamW(learning_rate, weight_decay)}. */
  public AdamW(double learningRate, double weightDecay) {
    this(learningRate, weightDecay, Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2,
        Adam.DEFAULT_EPSILON);
  }

  /** {@code AdamW(learning_rate, weight_decay, beta_1, beta_2, epsilon)}. */
  public AdamW(double learningRate, double weightDecay, double beta1, double beta2,
      double epsilon) {
    this(learningRate, weightDecay, beta1, beta2, epsilon, null, GradientClipping.NONE);
  }

  /** {@code AdamW(learning_rate=schedule, weight_decay)}. */
  public AdamW(LearningRateSchedule schedule, double weightDecay) {
    this(Optimizers.initial(schedule), weightDecay, Adam.DEFAULT_BETA1, Adam.DEFAULT_BETA2,
        Adam.DEFAULT_EPSILON, schedule, GradientClipping.NONE);
  }

  @Override
  public String kerasName() {
    return "adamw";
  }

  @Override
  public List<String> slotNames() {
    return List.of("m", "v");
  }

  @Override
  public AdamW withLearningRate(double learningRate) {
    return new AdamW(learningRate, weightDecay, beta1, beta2, epsilon, null, clipping);
  }

  @Override
  public AdamW withLearningRate(LearningRateSchedule schedule) {
    return new AdamW(Optimizers.initial(schedule), weightDecay, beta1, beta2, epsilon, schedule,
        clipping);
  }

  @Override
  public AdamW withClipping(GradientClipping clipping) {
    return new AdamW(learningRate, weightDecay, beta1, beta2, epsilon, schedule, clipping);
  }

  @Override
  public Update update(Ops ops, Node w, Node g, List<Node> slots, Node t) {
    g = clipGradient(ops, g);
    Node lr = learningRate(ops, t);
    Node decayed = weightDecay == 0 ? w
        : ops.sub(w, ops.mul(ops.mul(w, ops.scalar(weightDecay)), lr));
    return Adam.step(ops, decayed, g, slots, t, lr, beta1, beta2, epsilon);
  }
}
