package dev.backplane.io.keras;

import static dev.backplane.io.keras.KerasFiles.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Backplane;
import dev.backplane.io.ModelFileException;
import dev.backplane.io.SavedModel;
import dev.backplane.io.TrainingConfig;
import dev.backplane.io.keras.KerasFiles.LayerWeights;
import dev.backplane.io.testing.MiniProvider;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Flatten;
import dev.backplane.model.Initializer;
import dev.backplane.model.Loss;
import dev.backplane.model.Metric;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KerasModelsTest {
  @TempDir Path dir;

  static final float[][] K1 = {{1, 2, 3, 4, 5, 6, 7, 8}, {-1, -2, -3, -4, -5, -6, -7, -8},
      {0.5f, 0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 0, 0, 0, 9}};
  static final float[] B1 = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.7f, 0.8f};
  static final float[][] K2 = new float[8][3];
  static final float[] B2 = {1, 2, 3};

  static {
    for (int i = 0; i < 8; i++) {
      K2[i] = new float[] {i, -i, i / 2f};
    }
  }

  static final List<String> LAYER_NAMES_26 = List.of("dense", "dropout", "leaky_re_lu",
      "dense_1", "softmax");
  static final List<LayerWeights> WEIGHTS_26 = List.of(LayerWeights.of("dense", K1, B1),
      LayerWeights.of("dense_1", K2, B2));

  private Path h5Model(String config, String training) {
    Path file = dir.resolve("model.h5");
    KerasFiles.kerasH5Model(file, config, training, LAYER_NAMES_26, WEIGHTS_26);
    return file;
  }

  @Test
  void importsAKeras2FullModelAndCompilesItFromTheTrainingConfig() {
    ImportedModel imported = KerasModels.read(h5Model(KerasConfigs.keras26(),
        KerasConfigs.TRAINING_26));
    SavedModel m = imported.model();

    assertThat(imported.source()).isEqualTo("Keras 2.6.0 HDF5 model (model.save)");
    assertThat(imported.notes()).isEmpty();
    assertThat(m.config().name()).isEqualTo("sequential");
    assertThat(m.config().inputShape()).containsExactly(4);
    assertThat(m.config().layers()).containsExactly(
        new Dense(8, Activation.RELU, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS,
            "dense"),
        new Dropout(0.2, "dropout"),
        new ActivationLayer(Activation.LEAKY_RELU, "leaky_re_lu"),
        new Dense(3, Activation.LINEAR, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS,
            "dense_1"),
        new ActivationLayer(Activation.SOFTMAX, "softmax"));
    assertThat(m.parameters()).containsExactly(
        new NamedArray("dense/kernel", new int[] {4, 8}, flat(K1)),
        new NamedArray("dense/bias", new int[] {8}, B1),
        new NamedArray("dense_1/kernel", new int[] {8, 3}, flat(K2)),
        new NamedArray("dense_1/bias", new int[] {3}, B2));
    assertThat(m.training()).contains(new TrainingConfig(new Adam(0.0010000000474974513,
        0.8999999761581421, 0.9990000128746033, 1e-7), Loss.CATEGORICAL_CROSSENTROPY,
        List.of(Metric.ACCURACY)));
  }

  @Test
  void theImportedModelComputesWhatKerasComputes() {
    Path file = h5Model(KerasConfigs.keras26(), KerasConfigs.TRAINING_26);
    float[] x = {0.5f, -1, 2, 0.25f, -0.5f, 1, 0, 3};
    double[][] expected = new double[2][];
    for (int r = 0; r < 2; r++) {
      double[] h = new double[8];
      for (int j = 0; j < 8; j++) {
        double z = B1[j];
        for (int i = 0; i < 4; i++) {
          z += x[r * 4 + i] * K1[i][j];
        }
        z = Math.max(z, 0); // relu; dropout is the identity in inference
        h[j] = z > 0 ? z : 0.2 * z; // LeakyReLU(0.2)
      }
      double[] o = new double[3];
      double sum = 0;
      for (int j = 0; j < 3; j++) {
        double z = B2[j];
        for (int i = 0; i < 8; i++) {
          z += h[i] * K2[i][j];
        }
        o[j] = z;
      }
      double max = Math.max(o[0], Math.max(o[1], o[2]));
      for (int j = 0; j < 3; j++) {
        o[j] = Math.exp(o[j] - max);
        sum += o[j];
      }
      for (int j = 0; j < 3; j++) {
        o[j] /= sum;
      }
      expected[r] = o;
    }
    try (Backplane bp = MiniProvider.backplane("mini");
        Sequential model = KerasModels.toSequential(file, KerasModels.read(file), bp)) {
      assertThat(model.isCompiled()).isTrue();
      assertThat(model.optimizer()).isInstanceOf(Adam.class);
      float[] y = model.predict(Tensor.of(x, 2, 4)).toArray();
      for (int i = 0; i < 6; i++) {
        assertThat((double) y[i]).isCloseTo(expected[i / 3][i % 3], within(1e-6));
      }
    }
  }

  @Test
  void importsTheKeras20ListFormWithTheInputShapeOnTheFirstLayer() {
    Path file = dir.resolve("old.h5");
    float[][] kernel = {{1, 2}, {3, 4}};
    KerasFiles.kerasH5Model(file, KerasConfigs.KERAS_20, null,
        List.of("dense_1", "activation_1"),
        List.of(LayerWeights.of("dense_1", kernel, new float[] {5, 6})));

    ImportedModel imported = KerasModels.read(file);

    assertThat(imported.model().config().inputShape()).containsExactly(2);
    assertThat(imported.model().config().layers()).extracting(l -> l.name())
        .containsExactly("dense_1", "activation_1");
    assertThat(imported.model().config().layers().get(1))
        .isEqualTo(new ActivationLayer(Activation.SIGMOID, "activation_1"));
    assertThat(imported.model().parameters().get(0).values()).containsExactly(1, 2, 3, 4);
    assertThat(imported.model().training()).isEmpty();
    assertThat(imported.notes()).containsExactly("layer 'dense_1' (Dense): kernel_initializer"
        + " 'VarianceScaling' is not in the api; recorded as glorot_uniform (the imported"
        + " weights are used, so predictions are unaffected)");
  }

  @Test
  void importsArchitectureJsonWithKeras2SaveWeights() throws IOException {
    Path json = dir.resolve("model.json");
    Files.writeString(json, KerasConfigs.keras26());
    Path weights = dir.resolve("weights.h5");
    KerasFiles.kerasH5Weights(weights, LAYER_NAMES_26, WEIGHTS_26);

    ImportedModel imported = KerasModels.read(json, weights);

    assertThat(imported.source()).isEqualTo("Keras architecture JSON with Keras 2 HDF5 weights");
    assertThat(imported.model().parameters()).extracting(NamedArray::name)
        .containsExactly("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias");
    assertThat(imported.model().parameters().get(2).values()).containsExactly(flat(K2));
    assertThat(imported.model().training()).isEmpty();
  }

  @Test
  void aFullModelFileAlsoServesAsWeightsForAnArchitectureJson() throws IOException {
    Path json = dir.resolve("model.json");
    Files.writeString(json, KerasConfigs.keras26());
    ImportedModel imported = KerasModels.read(json, h5Model(KerasConfigs.keras26(), null));
    assertThat(imported.model().parameters()).hasSize(4);
  }

  static final float[][] HIDDEN = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1},
      {1, 1, 1, 1}, {-1, -1, -1, -1}};
  static final float[][] LOGITS = {{1, 2}, {3, 4}, {5, 6}, {7, 8}};

  private static Map<String, List<Object>> keras3Weights() {
    Map<String, List<Object>> w = new LinkedHashMap<>();
    w.put("dense", List.of(HIDDEN, new float[] {0, 0.5f, 0, 0}));
    w.put("dense_1", List.of(LOGITS, new float[] {-1, 1}));
    return w;
  }

  @Test
  void importsAKeras3ArchiveWhoseWeightsAreNamedByClass() throws IOException {
    Path file = dir.resolve("model.keras");
    KerasFiles.kerasArchive(file, KerasConfigs.KERAS_3, keras3Weights());

    ImportedModel imported = KerasModels.read(file);
    SavedModel m = imported.model();

    assertThat(imported.source()).isEqualTo("Keras 3.3.3 .keras archive");
    assertThat(m.config().name()).isEqualTo("sequential_3");
    assertThat(m.config().inputShape()).containsExactly(2, 3);
    assertThat(m.config().layers()).containsExactly(new Flatten("flatten"),
        new Dense(4, Activation.LINEAR, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS,
            "hidden"),
        new ActivationLayer(Activation.ELU, "elu"), new ActivationLayer(Activation.RELU, "re_lu"),
        new ActivationLayer(Activation.TANH, "activation"),
        new Dense(2, Activation.LINEAR, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS,
            "logits"));
    assertThat(m.parameters()).containsExactly(
        new NamedArray("hidden/kernel", new int[] {6, 4}, flat(HIDDEN)),
        new NamedArray("hidden/bias", new int[] {4}, new float[] {0, 0.5f, 0, 0}),
        new NamedArray("logits/kernel", new int[] {4, 2}, flat(LOGITS)),
        new NamedArray("logits/bias", new int[] {2}, new float[] {-1, 1}));
    assertThat(m.training()).contains(new TrainingConfig(new SGD(0.05000000074505806, 0.9,
        true), Loss.MEAN_SQUARED_ERROR, List.of(Metric.MAE)));
  }

  @Test
  void importsKeras3ConfigJsonWithAWeightsH5() throws IOException {
    Path json = dir.resolve("config.json");
    Files.writeString(json, KerasConfigs.KERAS_3);
    Path weights = dir.resolve("model.weights.h5");
    KerasFiles.keras3Weights(weights, keras3Weights());

    ImportedModel imported = KerasModels.read(json, weights);

    assertThat(imported.source()).isEqualTo("Keras architecture JSON with Keras 3 HDF5 weights");
    assertThat(imported.model().parameters()).hasSize(4);
    assertThat(imported.model().training()).isPresent();
  }

  @Test
  void snakeCaseMatchesKeras() {
    assertThat(Keras3Weights.snakeCase("LeakyReLU")).isEqualTo("leaky_re_lu");
    assertThat(Keras3Weights.snakeCase("ReLU")).isEqualTo("re_lu");
    assertThat(Keras3Weights.snakeCase("ELU")).isEqualTo("elu");
    assertThat(Keras3Weights.snakeCase("Dense")).isEqualTo("dense");
    assertThat(Keras3Weights.snakeCase("BatchNormalization")).isEqualTo("batch_normalization");
  }

  @Test
  void unsupportedLayersAndOptionsAreNamedNeverSkipped() {
    String conv = "{'class_name': 'LSTM', 'config': {'name': 'conv2d', 'units': 8}}";
    String dropout = "{'class_name': 'Dropout', 'config': {'name': 'dropout', 'trainable': true,"
        + " 'dtype': 'float32', 'rate': 0.2, 'noise_shape': null, 'seed': null}}";
    assertUnsupported(KerasConfigs.keras26(json(dropout), json(conv)), "layer 'conv2d' (LSTM):"
        + " Keras layer class 'LSTM' is not supported; Backplane imports InputLayer, Dense,"
        + " Dropout, Activation, Flatten, Add, Subtract, Multiply, Average, Concatenate, Conv1D");
    assertUnsupported(KerasConfigs.keras26(json(dropout), json(dropout.replace("Dropout",
        "GRU"))), "layer 'dropout' (GRU): Keras layer class 'GRU' is not supported");
    assertUnsupported(KerasConfigs.keras26("\"activation\": \"relu\"",
        "\"activation\": \"celu\""), "layer 'dense' (Dense): activation 'celu' is not"
        + " supported. Unknown activation 'celu'. Expected one of linear, relu, sigmoid, tanh,"
        + " softmax, elu, leaky_relu, gelu");
    assertUnsupported(KerasConfigs.keras26("\"kernel_regularizer\": null",
        "\"kernel_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": 0.01}}"),
        "layer 'dense' (Dense): kernel_regularizer {\"class_name\":\"L2\",\"config\":"
        + "{\"l2\":0.01}} is not supported; Backplane would train without it. Remove it in Keras"
        + " and re-save (it does not affect predictions)");
    assertUnsupported(KerasConfigs.keras26("\"rate\": 0.2", "\"rate\": 0.2, \"trainable\": false"
        .replace("\"trainable\": false", "\"noise_shape\": [1, 4]")).replace(
        "\"noise_shape\": null, ", ""), "layer 'dropout' (Dropout): noise_shape [1,4] is not"
        + " supported");
    assertUnsupported(KerasConfigs.keras26("[null, 4], \"dtype\": \"float32\", \"sparse\"",
        "[null, null], \"dtype\": \"float32\", \"sparse\""), "layer 'dense_input' (InputLayer):"
        + " input axis 1 has a variable size (None) in [null,null]; Backplane needs fixed"
        + " per-sample shapes");
    assertUnsupported(KerasConfigs.keras26("\"units\": 8, \"activation\": \"relu\"",
        "\"units\": 8, \"activation\": \"relu\", \"lora_rank\": 4"), "layer 'dense' (Dense):"
        + " option 'lora_rank' = number 4 is not supported");
    assertUnsupported(KerasConfigs.keras26("\"name\": \"softmax\", \"trainable\": true, \"dtype\":"
        + " \"float32\"", "\"name\": \"softmax\", \"trainable\": true, \"dtype\": \"float16\""),
        "layer 'softmax' (Softmax): dtype 'float16' is not supported; Backplane computes in"
        + " float32");
    assertUnsupported(KerasConfigs.keras26().replace("\"class_name\": \"Sequential\"",
        "\"class_name\": \"Functional\""), "Functional config: missing field 'input_layers'");
    assertUnsupported(KerasConfigs.keras26().replace("\"class_name\": \"Sequential\"",
        "\"class_name\": \"MyModel\""), "Keras model config: model class 'MyModel' is not"
        + " supported; Sequential and functional (Functional / Model) models can be imported, not"
        + " subclassed ones");
    assertUnsupported(KerasConfigs.keras26(json(dropout), json("{'module': 'my_project',"
        + " 'class_name': 'MyDropout', 'registered_name': 'Custom>MyDropout', 'config':"
        + " {'name': 'x'}}")), "Keras layer 2: layer class 'MyDropout' from module 'my_project'"
        + " (registered as 'Custom>MyDropout') is a custom layer; only built-in Keras layers can"
        + " be imported");
    assertUnsupported(KerasConfigs.keras26("[null, 4], \"dtype\": \"float32\", \"sparse\"",
        "[null, 2, 2], \"dtype\": \"float32\", \"sparse\""), "layer 'dense' (Dense): cannot"
        + " take input of shape (None, 2, 2): Layer 'dense' (Dense) expects one feature axis per"
        + " sample but its input has shape (None, 2, 2); add a Flatten layer before it");
  }

  @Test
  void weightsThatDoNotMatchTheArchitectureAreRejected() {
    Path file = dir.resolve("bad.h5");
    KerasFiles.kerasH5Model(file, KerasConfigs.keras26(), null, LAYER_NAMES_26, List.of(
        LayerWeights.of("dense", K1, B1), LayerWeights.of("dense_1", K1, B2)));
    assertRejected(file, "kernel of layer 'dense_1' (Dense) ('dense_1/kernel:0') has shape"
        + " [4, 8] at /model_weights/dense_1/dense_1/kernel:0 but the architecture needs [8, 3]");

    KerasFiles.kerasH5Model(file, KerasConfigs.keras26(), null, List.of("dense", "dropout"),
        List.of(LayerWeights.of("dense", K1, B1)));
    assertRejected(file, "no weights for layer 'dense_1' (Dense) in /model_weights; the file has"
        + " weights for layers [dense, dropout]");

    KerasFiles.kerasH5Model(file, KerasConfigs.keras26(), null, LAYER_NAMES_26, List.of(
        LayerWeights.of("dense", (Object) K1), LayerWeights.of("dense_1", K2, B2)));
    assertRejected(file, "layer 'dense' (Dense) has 1 weights [dense/kernel:0] in"
        + " /model_weights/dense but needs 2 (kernel [4, 8], bias [8])");

    KerasFiles.kerasH5Model(file, KerasConfigs.keras26(), null, List.of("dense", "dense_1",
        "dense_2"), List.of(LayerWeights.of("dense", K1, B1), LayerWeights.of("dense_1", K2, B2),
        LayerWeights.of("dense_2", K2, B2)));
    assertRejected(file, "the file has weights [dense_2/kernel:0, dense_2/bias:0] for layer"
        + " 'dense_2', which the architecture does not have");
  }

  @Test
  void keras3WeightCountsAreChecked() throws IOException {
    Path file = dir.resolve("model.keras");
    Map<String, List<Object>> w = keras3Weights();
    w.put("dense_1", List.of((Object) LOGITS));
    KerasFiles.kerasArchive(file, KerasConfigs.KERAS_3, w);
    assertRejected(file, "/layers/dense_1/vars holds 1 arrays but layer 'logits' (Dense) needs 2"
        + " (kernel [4, 2], bias [2])");
  }

  @Test
  void anUnmappableTrainingConfigLeavesTheModelUncompiledWithANote() {
    ImportedModel imported = KerasModels.read(h5Model(KerasConfigs.keras26(),
        KerasConfigs.TRAINING_26.replace("\"amsgrad\": false", "\"amsgrad\": true")));
    assertThat(imported.model().training()).isEmpty();
    assertThat(imported.notes()).containsExactly("not compiled: the Keras training config cannot"
        + " be mapped exactly (optimizer option amsgrad = true is not supported); compile the"
        + " model yourself to train it");
    imported = KerasModels.read(h5Model(KerasConfigs.keras26(),
        KerasConfigs.TRAINING_26.replace("\"class_name\": \"Adam\"", "\"class_name\": \"Nadam\"")));
    assertThat(imported.notes()).singleElement().asString()
        .contains("optimizer 'Nadam' is not one of SGD, Adam, RMSprop");
  }

  @Test
  void wrongKindsOfFilesAreExplained() throws IOException {
    Path json = dir.resolve("model.json");
    Files.writeString(json, KerasConfigs.keras26());
    assertRejected(json, "is a Keras architecture JSON without weights; pass the weights file"
        + " too: KerasModels.read(json, weights)");
    Path weights = dir.resolve("weights.h5");
    KerasFiles.kerasH5Weights(weights, LAYER_NAMES_26, WEIGHTS_26);
    assertRejected(weights, "has no model_config attribute: it holds weights only"
        + " (model.save_weights); read it with KerasModels.read(architectureJson, weights)");
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "hello");
    assertRejected(text, "is not a Keras model: expected an HDF5 file (.h5 from model.save), a"
        + " .keras archive, or an architecture .json with a weights file");
    Path corrupt = dir.resolve("corrupt.h5");
    byte[] bytes = Files.readAllBytes(weights);
    Files.write(corrupt, java.util.Arrays.copyOf(bytes, 200));
    assertThatThrownBy(() -> KerasModels.read(corrupt)).isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith(corrupt + ": ");
  }

  private void assertUnsupported(String config, String problem) {
    assertRejected(h5Model(config, null), problem);
  }

  private static void assertRejected(Path file, String problem) {
    assertThatThrownBy(() -> KerasModels.read(file)).isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith(file + ": ").hasMessageContaining(problem);
  }

  static float[] flat(float[][] m) {
    float[] out = new float[m.length * m[0].length];
    for (int i = 0; i < m.length; i++) {
      System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
    }
    return out;
  }
}
