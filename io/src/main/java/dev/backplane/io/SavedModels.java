package dev.backplane.io;

import dev.backplane.Backplane;
import dev.backplane.io.SavedModel.OptimizerState;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Layer;
import dev.backplane.model.Metric;
import dev.backplane.model.Sequential;
import dev.backplane.spi.ModelState;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The bridge between {@link Sequential} and the file-neutral {@link SavedModel}: describing a
 * model for saving, and building a model from a validated file.
 */
public final class SavedModels {
  private SavedModels() {}

  /**
   * Describes a model: architecture, weights and, if compiled, its training config, seed and
   * (with {@code includeOptimizer}) optimizer slots and iteration count, taken together in one
   * consistent snapshot.
   */
  public static SavedModel of(Sequential model, boolean includeOptimizer) {
    boolean compiled = model.isCompiled();
    ModelState state = model.getState();
    ModelConfig config = new ModelConfig(model.name(), model.inputShape(), model.layers(),
        compiled ? OptionalLong.of(model.seed()) : OptionalLong.empty());
    Optional<TrainingConfig> training = compiled
        ? Optional.of(new TrainingConfig(model.optimizer(), model.loss(), model.metrics()))
        : Optional.empty();
    Optional<OptimizerState> optimizer = compiled && includeOptimizer
        ? Optional.of(new OptimizerState(state.slots(), state.iterations()))
        : Optional.empty();
    return new SavedModel(config, training, state.parameters(), optimizer);
  }

  /**
   * Builds a model from a validated description: layers, weights, then, when a training config
   * is present, {@code compile} (placed through the normal configuration of {@code backplane})
   * and the optimizer state. Either the whole model is returned or none: on failure the
   * half-built model is closed.
   *
   * @param file the file it came from, for messages
   * @param backplane where to compile, or {@code null} for {@link Backplane#global()}
   * @throws ModelFileException if the description does not fit a model (e.g. a loss the output
   *     cannot take)
   * @throws dev.backplane.BackplaneException as {@code compile} does when no device can run it
   */
  public static Sequential toSequential(Path file, SavedModel saved, Backplane backplane) {
    ModelConfig config = saved.config();
    Sequential model;
    try {
      model = new Sequential(config.name(), config.inputShape(),
          config.layers().toArray(Layer[]::new));
      model.setWeights(saved.parameters());
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(file, "the model cannot be built: " + e.getMessage(), e);
    }
    try {
      if (saved.training().isPresent()) {
        TrainingConfig t = saved.training().get();
        CompileOptions.Builder options = CompileOptions.builder().optimizer(t.optimizer())
            .loss(t.loss()).metrics(t.metrics().toArray(Metric[]::new)).backplane(backplane);
        config.seed().ifPresent(options::seed);
        try {
          model.compile(options.build());
          if (saved.optimizerState().isPresent()) {
            model.setState(saved.state());
          }
        } catch (IllegalArgumentException e) {
          throw new ModelFileException(file, "the saved training config does not fit the model: "
              + e.getMessage(), e);
        }
      }
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
