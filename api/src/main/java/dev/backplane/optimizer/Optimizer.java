package dev.backplane.optimizer;

import java.util.List;

/**
 * An optimizer configuration with Keras's formulas and defaults. The api fixes what each
 * optimizer computes (see each class) and which state slots it keeps per parameter; backends
 * implement the update. Slot names are part of {@link dev.backplane.spi.ModelState}, so optimizer
 * state moves between backends.
 */
public sealed interface Optimizer permits SGD, Adam, RMSprop {
  /** Keras's name, e.g. {@code "adam"}. */
  String kerasName();

  /** The learning rate. */
  double learningRate();

  /** The per-parameter state slots this configuration keeps, e.g. {@code [m, v]} for Adam. */
  List<String> slotNames();
}
