package dev.backplane.optimizer;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;

/**
 * An optimizer configuration with Keras's formulas and defaults. The api fixes what each
 * optimizer computes (see each class) and which state slots it keeps per parameter; the update is a graph
 * ({@link #update}) that every backend runs as given. Slot names are part of {@link dev.backplane.spi.ModelState}, so optimizer
 * state moves between backends.
 */
public sealed interface Optimizer permits SGD, Adam, RMSprop {
  /** Keras's name, e.g. {@code "adam"}. */
  String kerasName();

  /** The learning rate. */
  double learningRate();

  /** The per-parameter state slots this configuration keeps, e.g. {@code [m, v]} for Adam. */
  List<String> slotNames();

  /**
   * The update of one parameter as graph nodes, by this optimizer's formula.
   *
   * @param w the parameter's current value
   * @param g its gradient (of the batch-mean loss)
   * @param slots its slots' current values, in {@link #slotNames()} order
   * @param t the step number from 1, a float32 scalar
   * @return the new value and the new slot values
   */
  Update update(Ops ops, Node w, Node g, List<Node> slots, Node t);

  /**
   * A parameter's new value and new slot values.
   *
   * @param weight the new value
   * @param slots the new slot values, in slot order
   */
  record Update(Node weight, List<Node> slots) {}
}
