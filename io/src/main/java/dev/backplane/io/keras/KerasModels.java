package dev.backplane.io.keras;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.Backplane;
import dev.backplane.io.ModelConfig;
import dev.backplane.io.ModelFileException;
import dev.backplane.io.SafeJson;
import dev.backplane.io.SavedModel;
import dev.backplane.io.SavedModels;
import dev.backplane.io.TrainingConfig;
import dev.backplane.model.Layer;
import dev.backplane.model.Model;
import dev.backplane.model.Sequential;
import dev.backplane.spi.NamedArray;
import io.jhdf.HdfFile;
import io.jhdf.api.Group;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Logger;

/**
 * Imports Keras Sequential and functional models (see {@link KerasFunctionalParser}), read with
 * jhdf (pure Java, no native HDF5):
 *
 * <ul>
 *   <li>a Keras 2 HDF5 model from {@code model.save("m.h5")}: root attribute
 *       {@code model_config} (JSON), optional {@code training_config}, weights under
 *       {@code /model_weights} (see {@link LegacyH5Weights});
 *   <li>an architecture JSON ({@code model.to_json()}) with a weights file from
 *       {@code model.save_weights(..)}, in either the Keras 2 layout (layer groups at the root,
 *       root attribute {@code layer_names}) or the Keras 3 one (see {@link Keras3Weights});
 *   <li>a Keras 3 {@code .keras} zip: {@code config.json} (model config with
 *       {@code compile_config}) and {@code model.weights.h5} in the Keras 3 layout.
 * </ul>
 *
 * <p>Supported layers: {@link KerasLayerMapper#SUPPORTED}. Anything else fails with a
 * {@link ModelFileException} naming the Keras class and the layer; no layer is skipped. The
 * model is compiled only when the file's training config maps exactly (see
 * {@link KerasTraining}).
 */
public final class KerasModels {
  private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a,
      '\n'};
  private static final byte[] ZIP_SIGNATURE = {'P', 'K', 3, 4};

  private static final Logger LOG = Logger.getLogger("dev.backplane");

  private KerasModels() {}

  /**
   * Imports a full Keras model ({@code .h5} from {@code model.save}, or {@code .keras}) as a
   * {@link Sequential} with the Keras weights, compiled when the file's training config maps
   * exactly (placed through {@link Backplane#global()}'s configuration). Import notes are logged
   * at INFO; use {@link #read(Path)} to get them.
   *
   * @throws ModelFileException naming the file and what is wrong or unsupported
   */
  public static Sequential load(Path file) {
    return build(file, read(file), null);
  }

  /**
   * Imports an architecture JSON with its {@code save_weights} file; see {@link #read(Path,
   * Path)} and {@link #load(Path)}.
   */
  public static Sequential load(Path architectureJson, Path weights) {
    return build(architectureJson, read(architectureJson, weights), null);
  }

  /**
   * Imports a full Keras model, Sequential or functional, as a functional {@link Model}:
   * {@link Model#predict(java.util.List)} takes one tensor per Keras input, in
   * {@code input_layers} order. See {@link #load(Path)}.
   *
   * @throws ModelFileException naming the file and what is wrong or unsupported
   */
  public static Model loadModel(Path file) {
    return toModel(file, read(file), null);
  }

  /** As {@link #loadModel(Path)} from an architecture JSON and its weights file. */
  public static Model loadModel(Path architectureJson, Path weights) {
    return toModel(architectureJson, read(architectureJson, weights), null);
  }

  /**
   * Builds the functional {@link Model} of an imported model; notes are logged at INFO.
   *
   * @param backplane where to compile (if the model has a training config), or {@code null}
   *     for {@link Backplane#global()}
   */
  public static Model toModel(Path file, ImportedModel imported, Backplane backplane) {
    imported.notes().forEach(n -> LOG.info(file + ": " + n));
    return SavedModels.toModel(file, imported.model(), backplane);
  }

  /**
   * Builds the {@link Sequential} of an imported model (for a functional model, the engine
   * {@code new Sequential(name, layers, topology)}: its {@code predict} takes the inputs packed
   * side by side); notes are logged at INFO.
   *
   * @param file the file it was read from, for messages
   *
   * @param backplane where to compile (if the model has a training config), or {@code null} for
   *     {@link Backplane#global()}
   */
  public static Sequential toSequential(Path file, ImportedModel imported, Backplane backplane) {
    return build(file, imported, backplane);
  }

  private static Sequential build(Path file, ImportedModel imported, Backplane backplane) {
    imported.notes().forEach(n -> LOG.info(file + ": " + n));
    return SavedModels.toSequential(file, imported.model(), backplane);
  }

  /**
   * Reads a full Keras model: an HDF5 file from {@code model.save("m.h5")} or a {@code .keras}
   * archive. The kind is recognised from the content, not the file name.
   *
   * @throws ModelFileException naming the file and what is wrong or unsupported
   */
  public static ImportedModel read(Path file) {
    byte[] head = head(file);
    if (startsWith(head, HDF5_SIGNATURE)) {
      return guard(file, () -> readHdf5Model(file));
    }
    if (startsWith(head, ZIP_SIGNATURE)) {
      return guard(file, () -> readArchive(file));
    }
    if (head.length > 0 && new String(head, StandardCharsets.ISO_8859_1)
        .strip().startsWith("{")) {
      throw new ModelFileException(file, "is a Keras architecture JSON without weights; pass the"
          + " weights file too: KerasModels.read(json, weights)");
    }
    throw new ModelFileException(file, "is not a Keras model: expected an HDF5 file (.h5 from"
        + " model.save), a .keras archive, or an architecture .json with a weights file");
  }

  /**
   * Reads an architecture JSON ({@code model.to_json()}, or a {@code .keras} archive's
   * {@code config.json}) and the weights from {@code model.save_weights(..)} (Keras 2 or 3 HDF5
   * layout; a full-model {@code .h5} works too).
   *
   * @throws ModelFileException naming the file and what is wrong or unsupported
   */
  public static ImportedModel read(Path architectureJson, Path weights) {
    return guard(architectureJson, () -> readPair(architectureJson, weights));
  }

  private static ImportedModel readPair(Path architectureJson, Path weights) {
    byte[] json = readJson(architectureJson);
    if (!startsWith(head(weights), HDF5_SIGNATURE)) {
      throw new ModelFileException(weights, "is not an HDF5 weights file (no HDF5 signature)");
    }
    List<String> notes = new ArrayList<>();
    JsonNode root = SafeJson.parse(architectureJson, "Keras architecture JSON", json);
    KerasArchitecture arch = guard(architectureJson,
        () -> KerasConfigParser.parse(architectureJson, root, notes));
    Optional<TrainingConfig> training = root.hasNonNull("compile_config")
        ? KerasTraining.fromCompileConfig(root.get("compile_config"), notes) : Optional.empty();
    return guard(weights, () -> {
      try (HdfFile h5 = H5.open(weights)) {
        Group group = weightsGroup(weights, h5);
        boolean legacy = group.getAttributes().containsKey("layer_names");
        List<NamedArray> parameters = legacy
            ? LegacyH5Weights.read(weights, group, LayerParameters.of(arch))
            : Keras3Weights.read(weights, group, LayerParameters.of(arch));
        return imported(architectureJson, arch, parameters, training,
            "Keras architecture JSON with Keras " + (legacy ? "2" : "3") + " HDF5 weights",
            notes);
      }
    });
  }

  private static Group weightsGroup(Path file, HdfFile h5) {
    if (h5.getAttributes().containsKey("layer_names") || Keras3Weights.matches(h5)) {
      return h5;
    }
    Group modelWeights = H5.group(h5, "model_weights");
    if (modelWeights != null) {
      return modelWeights;
    }
    throw new ModelFileException(file, "has neither Keras 2 weights (root attribute layer_names"
        + " or group model_weights) nor Keras 3 weights (group layers)");
  }

  private static ImportedModel readHdf5Model(Path file) {
    try (HdfFile h5 = H5.open(file)) {
      String config = H5.string(file, h5, "model_config");
      if (config == null) {
        throw new ModelFileException(file, "has no model_config attribute: it holds weights only"
            + " (model.save_weights); read it with KerasModels.read(architectureJson, weights)");
      }
      List<String> notes = new ArrayList<>();
      KerasArchitecture arch = KerasConfigParser.parse(file,
          SafeJson.parse(file, "model_config attribute", config), notes);
      Group weights = H5.group(h5, "model_weights");
      if (weights == null) {
        throw new ModelFileException(file, "has no model_weights group");
      }
      List<NamedArray> parameters = LegacyH5Weights.read(file, weights,
          LayerParameters.of(arch));
      String training = H5.string(file, h5, "training_config");
      Optional<TrainingConfig> compiled = training == null ? Optional.empty()
          : KerasTraining.fromTrainingConfig(
              SafeJson.parse(file, "training_config attribute", training), notes);
      String version = H5.string(file, h5, "keras_version");
      return imported(file, arch, parameters, compiled, "Keras "
          + (version == null ? "" : version + " ") + "HDF5 model (model.save)", notes);
    }
  }

  private static ImportedModel readArchive(Path file) {
    try (KerasArchive zip = new KerasArchive(file)) {
      if (!zip.has("model.weights.h5") && zip.has("model.weights.npz")) {
        throw new ModelFileException(file, ".keras archive stores its weights as npz, which is"
            + " not supported; re-save with the default weights_format='h5'");
      }
      List<String> notes = new ArrayList<>();
      JsonNode config = SafeJson.parse(file, "config.json",
          zip.read("config.json", KerasArchive.MAX_JSON_BYTES));
      KerasArchitecture arch = KerasConfigParser.parse(file, config, notes);
      Optional<TrainingConfig> training = config.hasNonNull("compile_config")
          ? KerasTraining.fromCompileConfig(config.get("compile_config"), notes)
          : Optional.empty();
      String version = zip.has("metadata.json") ? SafeJson.parse(file, "metadata.json",
          zip.read("metadata.json", KerasArchive.MAX_JSON_BYTES)).path("keras_version")
          .asText("") : "";
      // The weights cannot be larger than the architecture's tensors (float64 at worst, with
      // optimizer slots) plus HDF5 structure: a zip bomb stops there, not at the heap's end.
      byte[] weights = zip.read("model.weights.h5",
          KerasArchive.weightsLimit(LayerParameters.of(arch)));
      try (HdfFile h5 = HdfFile.fromBytes(weights)) {
        List<NamedArray> parameters = Keras3Weights.read(file, h5, LayerParameters.of(arch));
        return imported(file, arch, parameters, training,
            "Keras " + (version.isEmpty() ? "" : version + " ") + ".keras archive", notes);
      }
    }
  }

  private static ImportedModel imported(Path file, KerasArchitecture arch,
      List<NamedArray> parameters, Optional<TrainingConfig> training, String source,
      List<String> notes) {
    List<Layer> layers = arch.layers().stream().map(KerasLayer::layer)
        .toList();
    ModelConfig config;
    try {
      config = arch.topology() == null
          ? new ModelConfig(arch.name(), arch.inputShape(), layers, OptionalLong.empty())
          : new ModelConfig(arch.name(), arch.topology(), layers, OptionalLong.empty());
      config.parameterShapes();
    } catch (IllegalArgumentException e) {
      throw new ModelFileException(file, "the Keras architecture is not supported: "
          + e.getMessage(), e);
    }
    // Non-trainable weights (moving statistics, frozen layers' weights) are the model's
    // variables; the readers give every weight in the layers' order.
    java.util.Set<String> variableNames = config.variableShapes().keySet();
    List<NamedArray> trainable = new ArrayList<>();
    List<NamedArray> variables = new ArrayList<>();
    for (NamedArray a : parameters) {
      (variableNames.contains(a.name()) ? variables : trainable).add(a);
    }
    return new ImportedModel(new SavedModel(config, training, trainable, variables,
        Optional.empty()), source, notes);
  }

  /**
   * Runs a read, turning any failure of the HDF5 or zip libraries (an {@link Error} included)
   * into a file error.
   */
  private static <T> T guard(Path file, ModelFileException.Read<T> read) {
    return ModelFileException.guard(file, read);
  }

  private static byte[] head(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(8);
    } catch (IOException e) {
      throw new ModelFileException(file, "cannot read the file: " + e, e);
    }
  }

  private static byte[] readJson(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(KerasArchive.MAX_JSON_BYTES);
      if (in.read() >= 0) {
        throw new ModelFileException(file, "architecture JSON is larger than "
            + KerasArchive.MAX_JSON_BYTES + " bytes");
      }
      return bytes;
    } catch (IOException e) {
      throw new ModelFileException(file, "cannot read the file: " + e, e);
    }
  }

  private static boolean startsWith(byte[] head, byte[] signature) {
    return head.length >= signature.length
        && Arrays.equals(Arrays.copyOf(head, signature.length), signature);
  }
}
