package dev.backplane.model;

import dev.backplane.spi.Program;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The three programs of a compiled model.
 *
 * @param train the training step
 * @param evaluate evaluation (inference-mode forward and loss)
 * @param predict prediction
 */
public record Programs(Program train, Program evaluate, Program predict) {
  /** Validates the components. */
  public Programs {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(evaluate, "evaluate");
    Objects.requireNonNull(predict, "predict");
  }

  /** The op names any of the programs uses. */
  public Set<String> opNames() {
    Set<String> names = new LinkedHashSet<>(train.opNames());
    names.addAll(evaluate.opNames());
    names.addAll(predict.opNames());
    return names;
  }
}
