package dev.backplane.io;

import dev.backplane.Backplane;
import dev.backplane.model.Model;
import dev.backplane.model.Sequential;
import dev.backplane.spi.NamedArray;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * Saves and loads Backplane models, as Keras's {@code model.save} / {@code load_model} and
 * {@code save_weights} / {@code load_weights}.
 *
 * <p><b>One file, not a directory.</b> A model is a single safetensors file: the architecture and
 * training config are JSON in its {@code __metadata__}, the weights (and optimizer slots) are its
 * tensors (layout in {@link ModelFileFormat}). One file can be replaced atomically with one move,
 * so a crash or a concurrent reader never sees a half-written model or a directory whose parts
 * come from two saves; a checkpoint is one file to copy; and the weights stay readable by any
 * safetensors tool ({@code safetensors.safe_open} in Python) without Backplane.
 *
 * <p>Layout, format version 1 ({@code __metadata__} values are strings; JSON ones are compact):
 *
 * <pre>
 * __metadata__
 *   format                "backplane.model" ("backplane.weights" for saveWeights files)
 *   format_version        "1"
 *   model_config          {"name": "clf", "input_shape": [3], "seed": 11, "layers": [
 *                            {"class_name": "Dense", "config": {"name": "dense", "units": 6,
 *                             "activation": "tanh", "use_bias": true,
 *                             "kernel_initializer": "glorot_uniform",
 *                             "bias_initializer": "zeros"}}, ...]}
 *   training_config       {"optimizer": {"class_name": "Adam", "config": {"learning_rate": ..,
 *                            "beta_1": .., "beta_2": .., "epsilon": ..}},
 *                          "loss": {"name": "binary_crossentropy", "from_logits": false},
 *                          "metrics": ["accuracy"]}                      (compiled models)
 *   optimizer_iterations  "120"                               (with the optimizer state)
 * tensors (F32)
 *   dense/kernel                 (inputs, units), as Keras; then dense/bias, ...
 *   optimizer/dense/kernel/m     optimizer slots, in parameter order, then slot order
 * </pre>
 *
 * <p>Format version 2 (written only when needed, so Sequential models stay readable by older
 * versions) adds, for a functional {@link Model}, a {@code topology} in place of
 * {@code input_shape}, and the non-trainable variables as tensors after the parameters:
 *
 * <pre>
 *   model_config  {"name": "residual", "layers": [..], "topology": {"input_shapes": [[4]],
 *                  "calls": [{"layer": "dense", "inputs": [0]},
 *                            {"layer": "dense_1", "inputs": [1]},
 *                            {"layer": "add", "inputs": [2, 1]}, ..], "output": 4}}
 *   tensors       dense/kernel, ..., then bn/moving_mean, ... (non-trainable, layer order)
 * </pre>
 *
 * <p>Values in {@code calls} are numbered: the model inputs first, then each call's output in
 * order; a layer called twice shares its weights.
 *
 * <p>Layer classes (Dense, Dropout, Activation, Flatten, Add, Subtract, Multiply, Average,
 * Concatenate) and optimizers (SGD, Adam, RMSprop) are looked up in closed lists, custom layers
 * in {@link LayerRegistry}; no class named in a file is ever instantiated by reflection. A file
 * holds at most {@link ModelConfig#MAX_LAYERS} layers and {@link ModelConfig#MAX_CALLS} calls,
 * and building a model from it is linear in their number.
 *
 * <p>Files are portable across backends: a model saved on one backend loads on any other, and
 * {@code predict} gives the same outputs within float round-off. With the optimizer state saved,
 * {@code fit} continues exactly where it stopped (same slots, iteration count and seed).
 *
 * <p>Loading never trusts the file: every failure is a {@link ModelFileException} naming the file
 * and the problem, raised before any model is built, so there are no half-loaded models.
 */
public final class ModelFiles {
  private ModelFiles() {}

  /** {@code model.save(path)}: architecture, weights, training config and optimizer state. */
  public static void save(Sequential model, Path path) {
    save(model, path, true);
  }

  /**
   * Saves a model atomically (temporary file, then a move over {@code path}).
   *
   * @param includeOptimizer whether to save the optimizer's slots and iteration count (only a
   *     compiled model has them), so that {@code fit} resumes exactly after loading
   * @throws ModelFileException if the file cannot be written
   */
  public static void save(Sequential model, Path path, boolean includeOptimizer) {
    ModelFileFormat.write(path, SavedModels.of(model, includeOptimizer));
  }

  /** {@code model.save(path)} for a functional model. */
  public static void save(Model model, Path path) {
    save(model.engine(), path, true);
  }

  /** As {@link #save(Sequential, Path, boolean)} for a functional model. */
  public static void save(Model model, Path path, boolean includeOptimizer) {
    save(model.engine(), path, includeOptimizer);
  }

  /**
   * {@code load_model(path)} as a functional {@link Model}, whatever the file holds (a
   * Sequential model becomes a one-input Model): {@link Model#predict(List)} takes one tensor
   * per input. Compiled as {@link #load(Path)} is.
   *
   * @throws ModelFileException if the file is missing, corrupt or does not describe a model
   */
  public static Model loadModel(Path path) {
    return loadModel(path, null);
  }

  /**
   * As {@link #loadModel(Path)}, compiling with the given Backplane.
   *
   * @param backplane where to place and compile, or {@code null} for {@link Backplane#global()}
   */
  public static Model loadModel(Path path, Backplane backplane) {
    return SavedModels.toModel(path, read(path), backplane);
  }

  /**
   * {@code load_model(path)}: the model, with its weights and, when the file has a training
   * config, compiled as it was (placed through the normal configuration of
   * {@link Backplane#global()}) and with its optimizer state if saved.
   *
   * @throws ModelFileException if the file is missing, corrupt or does not describe a model
   */
  public static Sequential load(Path path) {
    return load(path, null);
  }

  /**
   * As {@link #load(Path)}, compiling with the given Backplane. A functional model's file gives
   * {@code new Sequential(name, layers, topology)}, the engine a {@link Model} runs (its
   * {@code predict} takes the inputs packed side by side; {@link #loadModel} takes one tensor per
   * input).
   *
   * @param backplane where to place and compile, or {@code null} for {@link Backplane#global()}
   */
  public static Sequential load(Path path, Backplane backplane) {
    return SavedModels.toSequential(path, read(path), backplane);
  }

  /**
   * Reads and validates a model file without building a model.
   *
   * @throws ModelFileException naming the file and what is wrong
   */
  public static SavedModel read(Path path) {
    return ModelFileFormat.read(path);
  }

  /** {@code save_weights(path)} for a functional model. */
  public static void saveWeights(Model model, Path path) {
    saveWeights(model.engine(), path);
  }

  /** {@code load_weights(path)} for a functional model; see {@link #loadWeights(Sequential, Path)}. */
  public static void loadWeights(Model model, Path path) {
    loadWeights(model.engine(), path);
  }

  /** {@code save_weights(path)}: the parameters only, atomically. */
  public static void saveWeights(Sequential model, Path path) {
    ModelFileFormat.writeWeights(path, model.getWeights());
  }

  /**
   * {@code load_weights(path)} from a weights file or a model file: validated against the
   * model's architecture (names, shapes, count) before anything is set, so on error the model
   * keeps its weights. The optimizer state is kept, as Keras does.
   *
   * @throws ModelFileException naming the file and the mismatch
   */
  public static void loadWeights(Sequential model, Path path) {
    ModelConfig config = new ModelConfig(model.name(), model.inputShape(), model.layers(),
        OptionalLong.empty(), model.topology());
    List<NamedArray> weights = ModelFileFormat.readWeights(path, config);
    model.setWeights(weights);
  }
}
