package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * An optimizer configuration with Keras's formulas and defaults. The api fixes what each
 * optimizer computes (see each class) and which state slots it keeps per parameter; the update is a graph
 * ({@link #update}) that every backend runs as given. Slot names are part of {@link dev.backplane.spi.ModelState}, so optimizer
 * state moves between backends.
 *
 * <p>Every slot starts at zero (the api creates them so). Where Keras starts a slot elsewhere,
 * the slot holds a quantity that starts at zero and the formula adds the start back: see
 * {@link Adagrad} and {@link Nadam}.
 *
 * <p>Every optimizer takes, as in Keras, a constant learning rate or a
 * {@link LearningRateSchedule} ({@link #withLearningRate(LearningRateSchedule)}), and gradient
 * clipping ({@link #withClipping}: {@code clipnorm}, {@code clipvalue} or
 * {@code global_clipnorm}). One step, as Keras's {@code optimizer.apply}, is:
 * <ol>
 *   <li>{@link #clipGradients} over all the parameters' gradients together (only
 *       {@code global_clipnorm} acts here; the program builder calls it);
 *   <li>for each parameter, {@link #update}, which first clips its gradient by {@code clipnorm} or
 *       {@code clipvalue} ({@link #clipGradient}) and reads the learning rate of this step
 *       ({@link #learningRate(Ops, Node)}).
 * </ol>
 */
public sealed interface Optimizer
    permits SGD, Adam, RMSprop, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion {
  /** Keras's name, e.g. {@code "adam"}. */
  String kerasName();

  /**
   * The learning rate: the constant rate, or with a {@link #schedule()} its
   * {@link LearningRateSchedule#initialLearningRate() initial rate}.
   */
  double learningRate();

  /** The learning rate schedule, or {@code null} for the constant {@link #learningRate()}. */
  LearningRateSchedule schedule();

  /** The gradient clipping, {@link GradientClipping#NONE} by default. */
  GradientClipping clipping();

  /** The per-parameter state slots this configuration keeps, e.g. {@code [m, v]} for Adam. */
  List<String> slotNames();

  /**
   * The update of one parameter as graph nodes, by this optimizer's formula. The gradient is
   * first clipped by {@code clipnorm} or {@code clipvalue} ({@link #clipGradient}); with
   * {@code global_clipnorm} it must come from {@link #clipGradients}.
   *
   * @param w the parameter's current value
   * @param g its gradient (of the batch-mean loss), after {@link #clipGradients}
   * @param slots its slots' current values, in {@link #slotNames()} order
   * @param t the step number from 1, a float32 scalar
   * @return the new value and the new slot values
   * @throws IllegalStateException with {@code global_clipnorm}, if {@code g} does not come from
   *     {@link #clipGradients}
   */
  Update update(Ops ops, Node w, Node g, List<Node> slots, Node t);

  /** This optimizer with a constant learning rate. */
  Optimizer withLearningRate(double learningRate);

  /** This optimizer with a learning rate schedule. */
  Optimizer withLearningRate(LearningRateSchedule schedule);

  /** This optimizer with other gradient clipping. */
  Optimizer withClipping(GradientClipping clipping);

  /** This optimizer with Keras's {@code clipnorm} (and no other clipping). */
  default Optimizer withClipnorm(double clipnorm) {
    return withClipping(GradientClipping.clipnorm(clipnorm));
  }

  /** This optimizer with Keras's {@code clipvalue} (and no other clipping). */
  default Optimizer withClipvalue(double clipvalue) {
    return withClipping(GradientClipping.clipvalue(clipvalue));
  }

  /** This optimizer with Keras's {@code global_clipnorm} (and no other clipping). */
  default Optimizer withGlobalClipnorm(double globalClipnorm) {
    return withClipping(GradientClipping.globalClipnorm(globalClipnorm));
  }

  /**
   * The learning rate of step {@code t} as a float32 scalar node: the constant, or the schedule
   * at iteration {@code t - 1} (Keras's {@code optimizer.iterations} during the step).
   *
   * @param t the step number from 1, a float32 scalar
   */
  default Node learningRate(Ops ops, Node t) {
    LearningRateSchedule s = schedule();
    if (s == null) {
      return ops.scalar(learningRate());
    }
    return s.learningRate(ops, ops.sub(t, ops.scalar(1)));
  }

  /**
   * Keras's per-parameter clipping of one gradient: {@code clipnorm} or {@code clipvalue};
   * {@code g} itself otherwise. {@link #update} calls it.
   *
   * @throws IllegalStateException with {@code global_clipnorm}, if {@code g} does not come from
   *     {@link #clipGradients}: that clipping needs every gradient at once
   */
  default Node clipGradient(Ops ops, Node g) {
    return Clipping.perParameter(ops, clipping(), g);
  }

  /**
   * Keras's {@code global_clipnorm}: every gradient scaled by
   * {@code global_clipnorm * min(1 / n, 1 / global_clipnorm)}, {@code n} the L2 norm of all of
   * them together. Returns {@code grads} unchanged (a copy of the list) without
   * {@code global_clipnorm}: per-parameter clipping happens in {@link #update}. The program
   * builder calls this once per step on all the trainable parameters' gradients, in order, and
   * passes each result to {@link #update}.
   *
   * @param grads every trainable parameter's gradient
   * @return the clipped gradients, in the same order
   */
  default List<Node> clipGradients(Ops ops, List<Node> grads) {
    return Clipping.global(ops, clipping(), grads);
  }

  /**
   * A parameter's new value and new slot values.
   *
   * @param weight the new value
   * @param slots the new slot values, in slot order
   */
  record Update(Node weight, List<Node> slots) {}
}
