package dev.backplane.io;

import dev.backplane.Backplane;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.CoreKeys;
import dev.backplane.io.SavedModel.OptimizerState;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Input;
import dev.backplane.model.KerasTensor;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.model.Metric;
import dev.backplane.model.Model;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.spi.Topology;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The bridge between {@link Sequential} / {@link Model} and the file-neutral {@link SavedModel}:
 * describing a model for saving, and building a model from a validated file.
 */
public final class SavedModels {
  /** Longest chain built with {@code Sequential}'s layer-by-layer constructor. */
  static final int LINEAR_BUILD_LAYERS = 512;

  private SavedModels() {}

  /**
   * Describes a model: architecture (with its topology), weights, non-trainable variables and,
   * if compiled, its training config, seed and (with {@code includeOptimizer}) optimizer slots
   * and iteration count, taken together in one consistent snapshot. Before compile the
   * variables are the initial ones.
   */
  public static SavedModel of(Sequential model, boolean includeOptimizer) {
    boolean compiled = model.isCompiled();
    ModelState state = model.getState();
    Topology topology = model.topology();
    List<Layer> layers = model.layers();
    ModelConfig config = new ModelConfig(model.name(), model.inputShape(), layers,
        compiled ? OptionalLong.of(model.seed()) : OptionalLong.empty(), topology);
    Optional<TrainingConfig> training = compiled
        ? Optional.of(new TrainingConfig(model.optimizer(), model.loss(), model.metrics()))
        : Optional.empty();
    Optional<OptimizerState> optimizer = compiled && includeOptimizer
        ? Optional.of(new OptimizerState(state.slots(), state.iterations()))
        : Optional.empty();
    List<NamedArray> variables = state.variables();
    if (!compiled || variables.isEmpty()) {
      variables = ModelSpec.initialVariables(topology, layers, compiled ? model.seed()
          : BackplaneConfig.load().get(CoreKeys.SEED));
      if (compiled && !variables.isEmpty()) {
        throw new IllegalStateException("Model '" + model.name() + "' has non-trainable"
            + " variables " + variables.stream().map(NamedArray::name).toList() + " but its"
            + " backend's state holds none; cannot save it faithfully");
      }
    }
    return new SavedModel(config, training, state.parameters(), variables, optimizer);
  }

  /** As {@link #of(Sequential, boolean)} for a functional model. */
  public static SavedModel of(Model model, boolean includeOptimizer) {
    return of(model.engine(), includeOptimizer);
  }

  /**
   * Builds a model from a validated description: {@code new Sequential(name, layers,
   * topology)} for a functional model (the same engine a {@link Model} runs), a plain
   * Sequential otherwise; then the weights and, when a training config is present,
   * {@code compile} (placed through the normal configuration of {@code backplane}), the
   * non-trainable variables and the optimizer state. Either the whole model is returned or none:
   * on failure the half-built model is closed. Linear in the number of layers.
   *
   * <p>Without a training config the model is not compiled, unless it has non-trainable
   * variables other than the initial ones (an imported BatchNormalization's moving statistics,
   * a frozen layer's weights): the api can set them only on a compiled model, so it is then
   * compiled with a placeholder training config (SGD(0.01), mean squared error) and the
   * variables restored; compile it again with the real one, which keeps them.
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
      if (config.isFunctional() || config.layers().size() > LINEAR_BUILD_LAYERS) {
        // Sequential's layer-by-layer constructor checks each new name against every earlier
        // layer (quadratic); the topology constructor is linear, so long chains use it (such a
        // model runs the same but, like a functional one, takes no further add()).
        model = new Sequential(config.name(), config.layers(), config.topology());
      } else {
        model = new Sequential(config.name(), config.inputShape(),
            config.layers().toArray(Layer[]::new));
      }
      model.setWeights(saved.parameters());
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(file, "the model cannot be built: " + e.getMessage(), e);
    }
    compile(file, model, saved, null, backplane);
    return model;
  }

  /**
   * Builds a functional {@link Model} from a validated description (a Sequential file gives a
   * one-input model), as {@link #toSequential}: its inputs are rebuilt with {@link Input} and
   * each layer is applied to the values the topology names, so a shared layer stays shared.
   * {@link Model#predict(List)} takes one tensor per input.
   *
   * @throws ModelFileException if the description does not fit a model
   */
  public static Model toModel(Path file, SavedModel saved, Backplane backplane) {
    ModelConfig config = saved.config();
    Topology t = config.topology();
    Model model;
    try {
      List<KerasTensor> inputs = new ArrayList<>();
      List<KerasTensor> values = new ArrayList<>(t.inputShapes().size() + t.calls().size());
      for (int[] shape : t.inputShapes()) {
        KerasTensor in = Input.of(shape);
        inputs.add(in);
        values.add(in);
      }
      for (Topology.Call c : t.calls()) {
        KerasTensor[] args = new KerasTensor[c.inputs().size()];
        for (int i = 0; i < args.length; i++) {
          args[i] = values.get(c.inputs().get(i));
        }
        values.add(config.layers().get(c.layer()).apply(args));
      }
      model = new Model(config.name(), inputs, values.get(t.output()));
      model.engine().setWeights(reorder(saved.parameters(), model.engine().layers()));
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(file, "the model cannot be built: " + e.getMessage(), e);
    }
    compile(file, model.engine(), saved, model.engine().layers(), backplane);
    return model;
  }

  /** The arrays in the order of {@code layers} (stable within a layer). */
  private static List<NamedArray> reorder(List<NamedArray> arrays, List<Layer> layers) {
    java.util.Set<String> names = new java.util.HashSet<>();
    layers.forEach(l -> names.add(l.name()));
    Map<String, List<NamedArray>> byLayer = new HashMap<>();
    for (NamedArray a : arrays) {
      String n = a.name();
      String layer = "";
      for (int i = n.indexOf('/'); i > 0; i = n.indexOf('/', i + 1)) {
        if (names.contains(n.substring(0, i))) {
          layer = n.substring(0, i);
          break;
        }
      }
      byLayer.computeIfAbsent(layer, k -> new ArrayList<>()).add(a);
    }
    List<NamedArray> out = new ArrayList<>(arrays.size());
    for (Layer l : layers) {
      out.addAll(byLayer.getOrDefault(l.name(), List.of()));
    }
    return out.size() == arrays.size() ? out : arrays;
  }

  /**
   * Compiles when the file has a training config and restores variables and optimizer state.
   *
   * @param order the model's layer order when it differs from the file's, else {@code null}
   */
  private static void compile(Path file, Sequential model, SavedModel saved, List<Layer> order,
      Backplane backplane) {
    List<NamedArray> parameters = order == null ? saved.parameters()
        : reorder(saved.parameters(), order);
    List<NamedArray> variables = order == null ? saved.variables()
        : reorder(saved.variables(), order);
    Optional<OptimizerState> o = saved.optimizerState().map(s -> order == null ? s
        : new OptimizerState(reorder(s.slots(), order), s.iterations()));
    try {
      if (saved.training().isPresent()) {
        TrainingConfig t = saved.training().get();
        CompileOptions.Builder options = CompileOptions.builder().optimizer(t.optimizer())
            .loss(t.loss()).metrics(t.metrics().toArray(Metric[]::new)).backplane(backplane);
        saved.config().seed().ifPresent(options::seed);
        try {
          model.compile(options.build());
          if (o.isPresent() || !variables.isEmpty()) {
            ModelState now = model.getState();
            model.setState(new ModelState(parameters,
                variables.isEmpty() ? now.variables() : variables,
                o.map(OptimizerState::slots).orElse(now.slots()),
                o.map(OptimizerState::iterations).orElse(now.iterations())));
          }
        } catch (IllegalArgumentException e) {
          throw new ModelFileException(file, "the saved training config does not fit the model: "
              + e.getMessage(), e);
        }
      } else if (!variables.isEmpty() && !variables.equals(ModelSpec.initialVariables(
          model.topology(), model.layers(), saved.config().seed().orElse(
              BackplaneConfig.load().get(CoreKeys.SEED))))) {
        // Non-trainable variables that are not the initial ones (moving statistics of an
        // imported BatchNormalization, a frozen layer's weights) can only be set on a compiled
        // model, and compile would re-initialize them: compile with a placeholder training
        // config and restore them. A later compile keeps them (it starts from the state).
        CompileOptions.Builder options = CompileOptions.builder().optimizer(new SGD(0.01))
            .loss(Loss.MEAN_SQUARED_ERROR).backplane(backplane);
        saved.config().seed().ifPresent(options::seed);
        try {
          model.compile(options.build());
          ModelState now = model.getState();
          model.setState(new ModelState(parameters, variables, now.slots(), now.iterations()));
        } catch (IllegalArgumentException e) {
          throw new ModelFileException(file, "the model's non-trainable variables cannot be"
              + " restored: " + e.getMessage(), e);
        }
      }
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }
}
