package dev.backplane.io.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.Backplane;
import dev.backplane.io.ModelFileException;
import dev.backplane.io.SafeJson;
import dev.backplane.model.BatchNormalization;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Layers;
import dev.backplane.model.Model;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.zip.ZipFile;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conv, pooling, normalization, reshaping, embedding and activation layers written by Keras
 * 3.15.1 on JAX ({@code io/src/test/keras/make_conv_fixtures.py}) load from {@code .keras},
 * legacy {@code .h5} and json + weights (both weight layouts) and predict as Keras did, within
 * 1e-5, on the api's float64 interpreter; bad weights and unsupported arguments are named errors.
 */
class ConvKerasImportTest {
  static final List<String> MODELS = List.of("mnist", "mobile", "causal", "embedding",
      "shapes");

  @TempDir Path dir;

  private final Backplane backplane = TestBackplanes.of(TestBackplanes.config(),
      new ReferenceFakeProvider());

  @AfterEach
  void close() {
    backplane.close();
  }

  static Path fixture(String name) {
    try {
      return Path.of(ConvKerasImportTest.class.getResource("/keras/conv/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode expected(String model) throws IOException {
    return SafeJson.parse(Path.of(model), "expected", Files.readAllBytes(
        fixture(model + ".expected.json")));
  }

  private static Tensor tensor(JsonNode values, JsonNode shape) {
    int[] dims = new int[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.get(i).intValue();
    }
    float[] v = new float[values.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) values.get(i).doubleValue();
    }
    return Tensor.wrap(v, dims);
  }

  private Model load(Path file, ImportedModel imported) {
    Model m = KerasModels.toModel(file, imported, backplane);
    m.compile(CompileOptions.builder().optimizer(new SGD(0.01)).loss("mse")
        .backplane(backplane).build());
    return m;
  }

  private void assertPredictsAsKeras(Path file, ImportedModel imported, String model)
      throws IOException {
    JsonNode expected = expected(model);
    List<Tensor> xs = new ArrayList<>();
    for (int i = 0; i < expected.get("inputs").size(); i++) {
      xs.add(tensor(expected.get("inputs").get(i), expected.get("input_shapes").get(i)));
    }
    try (Model m = load(file, imported)) {
      Tensor y = m.predict(xs);
      Tensor want = tensor(expected.get("outputs"), expected.get("output_shape"));
      assertThat(y.shape()).as(file.toString()).isEqualTo(want.shape());
      for (int i = 0; i < want.data().length; i++) {
        assertThat((double) y.data()[i]).as("%s output %d", file.getFileName(), i)
            .isCloseTo(want.data()[i], Offset.offset(1e-5));
      }
    }
  }

  /** {@code config.json} and {@code model.weights.h5} of a .keras archive, extracted. */
  private Path extract(String model, String entry) throws IOException {
    Path out = dir.resolve(model + "." + entry);
    try (ZipFile zip = new ZipFile(fixture(model + ".keras").toFile())) {
      Files.write(out, zip.getInputStream(zip.getEntry(entry)).readAllBytes());
    }
    return out;
  }

  @Test
  void everyFixturePredictsAsKerasFromEveryFileKind() throws IOException {
    for (String model : MODELS) {
      assertThat(expected(model).get("keras_version").asText()).isEqualTo("3.15.1");
      for (String ext : List.of(".keras", ".h5")) {
        Path file = fixture(model + ext);
        assertPredictsAsKeras(file, KerasModels.read(file), model);
      }
      Path json = extract(model, "config.json");
      Path weights = extract(model, "model.weights.h5");
      assertPredictsAsKeras(json, KerasModels.read(json, weights), model);
      assertPredictsAsKeras(json, KerasModels.read(json, fixture(model + ".h5")), model);
    }
  }

  @Test
  void batchNormMovingStatisticsAndFrozenWeightsAreImportedAsVariables() {
    for (String ext : List.of(".keras", ".h5")) {
      ImportedModel mobile = KerasModels.read(fixture("mobile" + ext));
      assertThat(mobile.model().config().layers().get(1)).isInstanceOf(BatchNormalization.class);
      assertThat(mobile.model().variables()).extracting(NamedArray::name)
          .containsExactly("bn/moving_mean", "bn/moving_variance");
      assertThat(mobile.model().variables().get(0).values()).isNotEqualTo(new float[4]);
      assertThat(mobile.model().parameters()).extracting(NamedArray::name)
          .contains("bn/gamma", "bn/beta", "sep/depthwise_kernel", "sep/pointwise_kernel",
              "dw/depthwise_kernel", "up/kernel");
      ImportedModel shapes = KerasModels.read(fixture("shapes" + ext));
      assertThat(shapes.model().config().layers().stream()
          .filter(l -> !Layers.trainable(l)).map(l -> l.name())).containsExactly("frozen");
      assertThat(shapes.model().variables()).extracting(NamedArray::name)
          .containsExactly("frozen/kernel", "frozen/bias");
    }
    // Training the imported model updates the moving statistics it started from.
    ImportedModel mobile = KerasModels.read(fixture("mobile.keras"));
    try (Model m = load(fixture("mobile.keras"), mobile)) {
      assertThat(m.getState().variables()).isEqualTo(mobile.model().variables());
    }
  }

  private Path editedJson(String model, UnaryOperator<String> edit) throws IOException {
    Path json = extract(model, "config.json");
    Files.writeString(json, edit.apply(Files.readString(json)));
    return json;
  }

  private void assertRejected(String model, UnaryOperator<String> edit, String... messages)
      throws IOException {
    Path json = editedJson(model, edit);
    var thrown = assertThatThrownBy(() -> KerasModels.read(json, fixture(model + ".h5")))
        .isInstanceOf(ModelFileException.class);
    for (String m : messages) {
      thrown.hasMessageContaining(m);
    }
  }

  @Test
  void keras2SpellingsReadTheSame() throws IOException {
    Path json = editedJson("shapes", s -> s.replace("\"negative_slope\": 0.1}",
        "\"alpha\": 0.1}"));
    assertThat(Files.readString(json)).contains("\"alpha\": 0.1}");
    assertPredictsAsKeras(json, KerasModels.read(json, fixture("shapes.h5")), "shapes");
    Path ints = editedJson("mnist", s -> s.replace("\"kernel_size\": [3, 3]",
        "\"kernel_size\": 3"));
    assertPredictsAsKeras(ints, KerasModels.read(ints, fixture("mnist.h5")), "mnist");
  }

  @Test
  void weightShapesThatDoNotFitTheConfigAreNamed() throws IOException {
    assertRejected("mnist", s -> s.replaceFirst("\"filters\": 4", "\"filters\": 5"),
        "kernel of layer 'conv2d' (Conv2D)", "has shape [3, 3, 1, 4]",
        "the architecture needs [3, 3, 1, 5]", "kernel_size=[3, 3], groups=1, filters=5");
    assertRejected("mobile", s -> s.replace("\"depth_multiplier\": 2", "\"depth_multiplier\": 3"),
        "layer 'dw' (DepthwiseConv2D)", "has shape [3, 3, 4, 2]", "needs [3, 3, 4, 3]",
        "depth_multiplier=3");
    assertRejected("embedding", s -> s.replace("\"input_dim\": 20", "\"input_dim\": 21"),
        "embeddings of layer 'embedding' (Embedding)", "has shape [20, 4]", "needs [21, 4]",
        "input_dim=21, output_dim=4");
  }

  @Test
  void unsupportedArgumentsAreNamed() throws IOException {
    assertRejected("mobile", s -> s.replace("\"output_padding\": null", "\"output_padding\": 1"),
        "layer 'up' (Conv2DTranspose): argument output_padding=number 1 is not supported");
    assertRejected("mobile", s -> s.replace("\"renorm\": false", "\"renorm\": true"),
        "layer 'bn' (BatchNormalization): argument renorm=", "is not supported");
    assertRejected("causal", s -> s.replace("\"rms_scaling\": false", "\"rms_scaling\": true"),
        "layer 'ln' (LayerNormalization): argument rms_scaling=");
    assertRejected("shapes", s -> s.replace("\"interpolation\": \"nearest\"",
        "\"interpolation\": \"bilinear\""), "layer 'ups2' (UpSampling2D): argument"
        + " interpolation=", "only interpolation='nearest'");
    assertRejected("embedding", s -> s.replace("\"mask_zero\": false", "\"mask_zero\": true"),
        "layer 'embedding' (Embedding): argument mask_zero=");
    assertRejected("mnist", s -> s.replaceFirst("\"kernel_regularizer\": null",
        "\"kernel_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": 0.01}}"),
        "layer 'conv2d' (Conv2D): kernel_regularizer", "is not supported");
    assertRejected("causal", s -> s.replaceFirst("\"padding\": \"causal\"",
        "\"padding\": \"full\""), "layer 'c1' (Conv1D)", "full");
    assertRejected("mnist", s -> s.replaceFirst("\"groups\": 1", "\"groups\": 1, \"lora\": 2"),
        "layer 'conv2d' (Conv2D): option 'lora' = number 2 is not supported");
  }
}
