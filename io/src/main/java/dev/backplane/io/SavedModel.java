package dev.backplane.io;

import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a model file holds, validated and independent of the class that runs the model:
 * what {@link ModelFiles} writes and reads, and what {@code KerasModels} imports.
 *
 * @param config the architecture
 * @param training how the model was compiled, if it was
 * @param parameters the trainable weights in state order, matching
 *     {@link ModelConfig#parameterShapes()}
 * @param variables the non-trainable weights (moving statistics) in state order, matching
 *     {@link ModelConfig#variableShapes()}; empty for models without any
 * @param optimizerState optimizer slots and iteration count, present only if saved; then
 *     {@code training} is present too and the slots match its optimizer
 */
public record SavedModel(ModelConfig config, Optional<TrainingConfig> training,
    List<NamedArray> parameters, List<NamedArray> variables,
    Optional<OptimizerState> optimizerState) {

  /**
   * An optimizer's state.
   *
   * @param slots {@code <layer>/<param>/<slot>} in parameter order, then slot order
   * @param iterations optimizer steps taken
   */
  public record OptimizerState(List<NamedArray> slots, long iterations) {
    /** Copies the list. */
    public OptimizerState {
      slots = List.copyOf(slots);
      if (iterations < 0) {
        throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
      }
    }
  }

  /** Validates and copies; optimizer state requires a training config. */
  public SavedModel {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(training, "training");
    parameters = List.copyOf(parameters);
    variables = List.copyOf(variables);
    Objects.requireNonNull(optimizerState, "optimizerState");
    if (optimizerState.isPresent() && training.isEmpty()) {
      throw new IllegalArgumentException("Optimizer state needs the training config");
    }
  }

  /** A model without non-trainable variables. */
  public SavedModel(ModelConfig config, Optional<TrainingConfig> training,
      List<NamedArray> parameters, Optional<OptimizerState> optimizerState) {
    this(config, training, parameters, List.of(), optimizerState);
  }

  /**
   * The full state: parameters, variables, slots (empty if not saved) and iterations (0 if not
   * saved).
   */
  public ModelState state() {
    return new ModelState(parameters, variables,
        optimizerState.map(OptimizerState::slots).orElse(List.of()),
        optimizerState.map(OptimizerState::iterations).orElse(0L));
  }
}
