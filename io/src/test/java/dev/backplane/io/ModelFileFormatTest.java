package dev.backplane.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.io.safetensors.Safetensors;
import dev.backplane.io.safetensors.SafetensorsContent;
import dev.backplane.spi.NamedArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileFormatTest {
  @TempDir Path dir;

  @Test
  void roundTripWithOptimizerState() {
    Path file = dir.resolve("m.safetensors");
    SavedModel model = Fixtures.model(true);
    ModelFileFormat.write(file, model);

    SavedModel back = ModelFileFormat.read(file);

    assertThat(back.config().name()).isEqualTo("mlp");
    assertThat(back.config().inputShape()).containsExactly(2, 2);
    assertThat(back.config().layers()).isEqualTo(Fixtures.LAYERS);
    assertThat(back.config().seed()).hasValue(42);
    assertThat(back.training()).contains(Fixtures.TRAINING);
    assertThat(back.parameters()).isEqualTo(model.parameters());
    assertThat(back.optimizerState()).isEqualTo(model.optimizerState());
    assertThat(back.state().iterations()).isEqualTo(7);
  }

  @Test
  void roundTripWithoutOptimizerOrTraining() {
    Path file = dir.resolve("m.safetensors");
    SavedModel model = new SavedModel(Fixtures.CONFIG, Optional.empty(),
        Fixtures.model(false).parameters(), Optional.empty());
    ModelFileFormat.write(file, model);

    SavedModel back = ModelFileFormat.read(file);

    assertThat(back.training()).isEmpty();
    assertThat(back.optimizerState()).isEmpty();
    assertThat(back.parameters()).isEqualTo(model.parameters());
  }

  @Test
  void fileIsPlainSafetensorsWithDocumentedNames() {
    Path file = dir.resolve("m.safetensors");
    ModelFileFormat.write(file, Fixtures.model(true));
    SafetensorsContent content = Safetensors.read(file);
    assertThat(content.arrays()).extracting(NamedArray::name).containsExactly("dense/kernel",
        "dense/bias", "dense_1/kernel", "optimizer/dense/kernel/m", "optimizer/dense/kernel/v",
        "optimizer/dense/bias/m", "optimizer/dense/bias/v", "optimizer/dense_1/kernel/m",
        "optimizer/dense_1/kernel/v");
    assertThat(content.metadata()).containsEntry("format", "backplane.model")
        .containsEntry("format_version", "1").containsEntry("optimizer_iterations", "7");
    assertThat(content.metadata().get("model_config")).isEqualTo("{\"name\":\"mlp\","
        + "\"input_shape\":[2,2],\"seed\":42,\"layers\":["
        + "{\"class_name\":\"Flatten\",\"config\":{\"name\":\"flatten\"}},"
        + "{\"class_name\":\"Dense\",\"config\":{\"name\":\"dense\",\"units\":5,\"activation\":"
        + "\"relu\",\"use_bias\":true,\"kernel_initializer\":\"glorot_uniform\","
        + "\"bias_initializer\":\"zeros\"}},"
        + "{\"class_name\":\"Dropout\",\"config\":{\"name\":\"dropout\",\"rate\":0.25}},"
        + "{\"class_name\":\"Dense\",\"config\":{\"name\":\"dense_1\",\"units\":3,\"activation\":"
        + "\"linear\",\"use_bias\":false,\"kernel_initializer\":\"glorot_uniform\","
        + "\"bias_initializer\":\"zeros\"}},"
        + "{\"class_name\":\"Activation\",\"config\":{\"name\":\"activation\",\"activation\":"
        + "\"softmax\"}}]}");
    assertThat(content.metadata().get("training_config")).isEqualTo("{\"optimizer\":"
        + "{\"class_name\":\"Adam\",\"config\":{\"learning_rate\":0.01,\"beta_1\":0.9,"
        + "\"beta_2\":0.999,\"epsilon\":1.0E-7}},\"loss\":{\"name\":\"categorical_crossentropy\","
        + "\"from_logits\":true},\"metrics\":[\"accuracy\",\"mae\"]}");
  }

  @Test
  void weightsOnlyFiles() {
    Path weights = dir.resolve("w.safetensors");
    ModelFileFormat.writeWeights(weights, Fixtures.model(false).parameters());
    assertThat(ModelFileFormat.readWeights(weights, Fixtures.CONFIG))
        .isEqualTo(Fixtures.model(false).parameters());
    assertThatThrownBy(() -> ModelFileFormat.read(weights))
        .isInstanceOf(ModelFileException.class).hasMessage(weights + ": is a 'backplane.weights'"
            + " file, expected 'backplane.model'; load weights-only files with"
            + " ModelFiles.loadWeights(model, path)");
    Path model = dir.resolve("m.safetensors");
    ModelFileFormat.write(model, Fixtures.model(true));
    assertThat(ModelFileFormat.readWeights(model, Fixtures.CONFIG))
        .isEqualTo(Fixtures.model(false).parameters());
  }

  @Test
  void rejectsWeightsThatDoNotFitTheArchitecture() {
    assertRejected(tensors(t -> t.remove(1)), "missing parameter 'dense/bias' [5]");
    assertRejected(tensors(t -> t.set(0, new NamedArray("dense/kernel", new int[] {5, 4},
        new float[20]))), "parameter 'dense/kernel' has shape [5, 4] but the architecture needs"
        + " [4, 5]");
    assertRejected(tensors(t -> t.add(new NamedArray("extra", new int[] {1}, new float[1]))),
        "unexpected tensors [extra] that the architecture does not have");
    assertRejected(tensors(t -> t.remove(t.size() - 1)),
        "missing optimizer slot 'optimizer/dense_1/kernel/v' [5, 3]");
  }

  @Test
  void rejectsBadMetadata() {
    assertRejected(meta(m -> m.put("format_version", "3")), "format_version '3' is not"
        + " supported; this Backplane reads versions 1 to 2 (the file was written by a newer"
        + " Backplane)");
    assertRejected(meta(m -> m.remove("format")), "not a Backplane model file: its safetensors"
        + " metadata has no 'format' entry");
    assertRejected(meta(m -> m.put("model_config", m.get("model_config")
        .replace("\"Dropout\"", "\"LSTM\""))), "layer 2: unknown layer class 'LSTM' for layer"
        + " 'dropout': it is neither built in nor registered; register it before loading with"
        + " LayerRegistry.register(\"LSTM\", encoder, decoder); the built-in classes are"
        + " [Dense, Dropout, Activation, Flatten, Add, Subtract, Multiply, Average, Concatenate,"
        + " Conv1D, Conv2D");
    assertRejected(meta(m -> m.put("model_config", m.get("model_config")
        .replace("\"rate\":0.25", "\"rate\":0.25,\"noise_shape\":[1]"))), "layer 'dropout'"
        + " (Dropout): unknown field 'noise_shape'; expected only [name, rate]");
    assertRejected(meta(m -> m.put("model_config", m.get("model_config")
        .replace("\"rate\":0.25", "\"rate\":1.5"))), "layer 'dropout' (Dropout): Dropout rate"
        + " must be in [0, 1), got 1.5");
    assertRejected(meta(m -> m.put("model_config", m.get("model_config")
        .replace("{\"class_name\":\"Flatten\",\"config\":{\"name\":\"flatten\"}},", ""))),
        "the architecture is inconsistent: Layer 'dense' (Dense) expects one feature axis per"
        + " sample but its input has shape (None, 2, 2); add a Flatten layer before it");
    // Nadam is known since the newer optimizers; Keras's Adafactor is not
    assertRejected(meta(m -> m.put("training_config", m.get("training_config")
        .replace("Adam", "Adafactor"))), "unknown optimizer 'Adafactor'; expected one of SGD,"
        + " Adam, RMSprop, AdamW, Adagrad, Adadelta, Adamax, Nadam, Lion");
    assertRejected(meta(m -> m.remove("training_config")), "the file has an optimizer state but"
        + " no training_config");
    assertRejected(meta(m -> m.put("optimizer_iterations", "-3")), "optimizer_iterations must"
        + " be a non-negative integer but is '-3'");
    assertRejected(meta(m -> m.put("note", "hi")), "unknown metadata entry 'note'");
    assertRejected(meta(m -> m.put("model_config", "{\"name\":\"x\",\"@type\":1}")),
        "model_config: unknown field '@type'");
  }

  private Path tensors(Consumer<List<NamedArray>> edit) {
    Path file = dir.resolve("m.safetensors");
    ModelFileFormat.write(file, Fixtures.model(true));
    SafetensorsContent c = Safetensors.read(file);
    List<NamedArray> arrays = new ArrayList<>(c.arrays());
    edit.accept(arrays);
    Path out = dir.resolve("edited.safetensors");
    Safetensors.write(out, arrays, c.metadata());
    return out;
  }

  private Path meta(Consumer<Map<String, String>> edit) {
    Path file = dir.resolve("m.safetensors");
    ModelFileFormat.write(file, Fixtures.model(true));
    SafetensorsContent c = Safetensors.read(file);
    Map<String, String> meta = new LinkedHashMap<>(c.metadata());
    edit.accept(meta);
    Path out = dir.resolve("edited.safetensors");
    Safetensors.write(out, c.arrays(), meta);
    return out;
  }

  private static void assertRejected(Path file, String problem) {
    assertThatThrownBy(() -> ModelFileFormat.read(file)).isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith(file + ": ").hasMessageContaining(problem);
  }
}
