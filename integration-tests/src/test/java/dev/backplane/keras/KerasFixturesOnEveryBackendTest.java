package dev.backplane.keras;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backplane.Backplane;
import dev.backplane.accelerate.AccelerateProvider;
import dev.backplane.io.keras.KerasModels;
import dev.backplane.metal.MetalProvider;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Model;
import dev.backplane.optimizer.SGD;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.TestBackplanes;
import dev.backplane.tfjava.TfJavaProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Keras 3.15.1 convolutional fixtures of the io module (made by
 * {@code io/src/test/keras/make_conv_fixtures.py}: conv, depthwise/separable conv, transposed
 * conv, pooling, batch normalization, causal Conv1D, embedding, reshaping layers) predict as
 * Keras did, within 1e-5, on every backend: the CPU backend, TensorFlow Java and the simulated
 * Metal device.
 */
class KerasFixturesOnEveryBackendTest {
  private static final List<String> MODELS = List.of("mnist", "mobile", "causal", "embedding",
      "shapes");

  @TempDir Path dir;

  static List<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String backend : List.of("accelerate", "tf-java", "metal")) {
      for (String model : MODELS) {
        for (String ext : List.of(".keras", ".h5")) {
          out.add(Arguments.of(backend, model + ext));
        }
      }
    }
    return out;
  }

  @ParameterizedTest(name = "{1} on {0}")
  @MethodSource("cases")
  void predictsAsKerasDid(String backend, String fixture) throws IOException {
    String model = fixture.substring(0, fixture.lastIndexOf('.'));
    Path file = copy(fixture);
    JsonNode expected = new ObjectMapper().readTree(copy(model + ".expected.json").toFile());
    List<Tensor> xs = new ArrayList<>();
    for (int i = 0; i < expected.get("inputs").size(); i++) {
      xs.add(tensor(expected.get("inputs").get(i), expected.get("input_shapes").get(i)));
    }
    Tensor want = tensor(expected.get("outputs"), expected.get("output_shape"));
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.metal.simulate",
            "ok"), new AccelerateProvider(), new TfJavaProvider(), new MetalProvider());
        Model m = KerasModels.toModel(file, KerasModels.read(file), bp)) {
      m.compile(CompileOptions.builder().optimizer(new SGD(0.01)).loss("mse").backplane(bp)
          .device(backend).build());
      assertThat(m.device().backend()).isEqualTo(backend);
      Tensor y = m.predict(xs);
      assertThat(y.shape()).isEqualTo(want.shape());
      for (int i = 0; i < want.data().length; i++) {
        assertThat((double) y.data()[i]).as("%s on %s, output %d", fixture, backend, i)
            .isCloseTo(want.data()[i], Offset.offset(1e-5));
      }
    }
  }

  /** A fixture from the io module's test jar, as a file. */
  private Path copy(String name) throws IOException {
    Path out = dir.resolve(name);
    try (InputStream in = KerasFixturesOnEveryBackendTest.class.getResourceAsStream(
        "/keras/conv/" + name)) {
      assertThat(in).as("fixture %s on the test class path", name).isNotNull();
      Files.copy(in, out);
    }
    return out;
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
}
