package dev.backplane.io.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.Backplane;
import dev.backplane.io.ModelFileException;
import dev.backplane.io.SafeJson;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Model;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.SGD;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import io.jhdf.HdfFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Functional Keras models written by Keras 3.15.1 on JAX ({@code
 * io/src/test/keras/make_functional_fixtures.py}) load and predict as Keras did, within 1e-5, on
 * the api's float64 interpreter; the Keras 2 form of {@code inbound_nodes} reads the same; bad
 * graphs are named errors.
 */
class FunctionalKerasImportTest {
  @TempDir Path dir;

  private final Backplane backplane = TestBackplanes.of(TestBackplanes.config(),
      new ReferenceFakeProvider());

  @AfterEach
  void close() {
    backplane.close();
  }

  static Path fixture(String name) {
    try {
      return Path.of(FunctionalKerasImportTest.class.getResource("/keras/functional/" + name)
          .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private void compile(Model m) {
    m.compile(CompileOptions.builder().optimizer(new SGD(0.01)).loss("mse")
        .backplane(backplane).build());
  }

  private static List<Tensor> inputs(JsonNode expected) {
    List<Tensor> xs = new ArrayList<>();
    for (JsonNode x : expected.get("inputs")) {
      xs.add(matrix(x));
    }
    return xs;
  }

  private static Tensor matrix(JsonNode rows) {
    int cols = rows.get(0).size();
    float[] v = new float[rows.size() * cols];
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < cols; c++) {
        v[r * cols + c] = (float) rows.get(r).get(c).doubleValue();
      }
    }
    return Tensor.wrap(v, rows.size(), cols);
  }

  private static JsonNode expected(String model) throws IOException {
    return SafeJson.parse(Path.of(model), "expected", Files.readAllBytes(
        fixture(model + ".expected.json")));
  }

  private void assertPredictsAsKeras(Model m, JsonNode expected) {
    compile(m);
    Tensor y = m.predict(inputs(expected));
    Tensor want = matrix(expected.get("outputs"));
    assertThat(y.shape()).isEqualTo(want.shape());
    for (int i = 0; i < want.data().length; i++) {
      assertThat((double) y.data()[i]).as("output %d", i)
          .isCloseTo(want.data()[i], org.assertj.core.data.Offset.offset(1e-5));
    }
  }

  @Test
  void kerasFilesOfTheResidualAndTwoInputModelsPredictAsKeras() throws IOException {
    for (String model : List.of("residual", "concat")) {
      JsonNode expected = expected(model);
      assertThat(expected.get("keras_version").asText()).isEqualTo("3.15.1");
      for (String ext : List.of(".keras", ".h5")) {
        Path file = fixture(model + ext);
        try (Model m = KerasModels.loadModel(file)) {
          assertThat(m.inputShapes()).hasSize(expected.get("inputs").size());
          assertPredictsAsKeras(m, expected);
        }
      }
    }
    ImportedModel residual = KerasModels.read(fixture("residual.keras"));
    assertThat(residual.source()).isEqualTo("Keras 3.15.1 .keras archive");
    assertThat(residual.model().config().isFunctional()).isTrue();
    assertThat(residual.model().config().layers()).extracting(l -> l.name())
        .containsExactly("dense_a", "dense_b", "add", "head");
    assertThat(residual.model().config().topology().calls().get(2).inputs())
        .containsExactly(2, 1);
  }

  @Test
  void loadGivesTheEngineWithPackedInputs() throws IOException {
    JsonNode expected = expected("concat");
    try (Sequential engine = KerasModels.load(fixture("concat.keras"));
        Model m = KerasModels.loadModel(fixture("concat.keras"))) {
      assertThat(engine.topology().inputShapes()).hasSize(2);
      assertThat(engine.inputShape()).containsExactly(5);
      assertThat(engine.layers()).isEqualTo(KerasModels.read(fixture("concat.keras")).model()
          .config().layers());
      compile(m);
      assertThat(m.predict(inputs(expected)).shape()).containsExactly(5, 2);
    }
  }

  /** The Keras 2 config of the residual model: nested-list inbound_nodes, list input_layers. */
  static ObjectNode keras2(Path h5) {
    String config;
    try (HdfFile f = new HdfFile(h5)) {
      config = (String) f.getAttribute("model_config").getData();
    }
    ObjectNode root = (ObjectNode) SafeJson.parse(h5, "config", config);
    ((ObjectNode) root).put("class_name", "Model");
    ObjectNode c = (ObjectNode) root.get("config");
    for (JsonNode layer : c.get("layers")) {
      ObjectNode l = (ObjectNode) layer;
      ArrayNode nodes = SafeJson.mapper().createArrayNode();
      for (JsonNode node : l.get("inbound_nodes")) {
        ArrayNode refs = nodes.addArray();
        JsonNode args = node.get("args").get(0);
        for (JsonNode t : args.isArray() ? args : List.of(args)) {
          ArrayNode ref = refs.addArray();
          t.get("config").get("keras_history").forEach(ref::add);
          ref.addObject();
        }
      }
      l.set("inbound_nodes", nodes);
      ObjectNode cfg = (ObjectNode) l.get("config");
      if (l.get("class_name").asText().equals("InputLayer")) {
        cfg.set("batch_input_shape", cfg.remove("batch_shape"));
      }
      cfg.put("dtype", "float32");
    }
    for (String key : List.of("input_layers", "output_layers")) {
      if (c.get(key).get(0).isTextual()) {
        ArrayNode wrapped = SafeJson.mapper().createArrayNode();
        wrapped.add(c.get(key));
        c.set(key, wrapped);
      }
    }
    return root;
  }

  private Path keras2Json(String model, Consumer<ObjectNode> edit) throws IOException {
    ObjectNode root = keras2(fixture(model + ".h5"));
    edit.accept((ObjectNode) root.get("config"));
    Path json = dir.resolve(model + ".json");
    Files.writeString(json, SafeJson.write(root));
    return json;
  }

  @Test
  void keras2NestedListInboundNodesReadTheSame() throws IOException {
    for (String model : List.of("residual", "concat")) {
      Path json = keras2Json(model, c -> { });
      assertThat(Files.readString(json)).contains("\"inbound_nodes\":[[[");
      try (Model m = KerasModels.loadModel(json, fixture(model + ".h5"))) {
        assertPredictsAsKeras(m, expected(model));
      }
    }
  }

  private static ObjectNode layer(ObjectNode config, String name) {
    for (JsonNode l : config.get("layers")) {
      if (l.get("name").asText().equals(name)) {
        return (ObjectNode) l;
      }
    }
    throw new IllegalArgumentException(name);
  }

  private void assertGraphError(Consumer<ObjectNode> edit, String... messages)
      throws IOException {
    Path json = keras2Json("residual", edit);
    var thrown = assertThatThrownBy(() -> KerasModels.read(json, fixture("residual.h5")))
        .isInstanceOf(ModelFileException.class).hasMessageStartingWith(json + ": ");
    for (String m : messages) {
      thrown.hasMessageContaining(m);
    }
  }

  @Test
  void badGraphsAreNamedErrors() throws IOException {
    // dense_a reads dense_b's output, which depends on dense_a: a cycle
    assertGraphError(c -> ((ArrayNode) layer(c, "dense_a").get("inbound_nodes").get(0).get(0))
        .set(0, SafeJson.mapper().getNodeFactory().textNode("dense_b")),
        "layer 'dense_b' (Dense): inbound_nodes form a cycle: node 0 reads ['dense_a', 0, 0],"
            + " which depends on this layer's own output");
    assertGraphError(c -> ((ArrayNode) layer(c, "add").get("inbound_nodes").get(0).get(1))
        .set(0, SafeJson.mapper().getNodeFactory().textNode("ghost")),
        "layer 'add' (Add): inbound node 0 refers to unknown layer 'ghost'");
    assertGraphError(c -> {
      ArrayNode layers = (ArrayNode) c.get("layers");
      ObjectNode other = layers.get(0).deepCopy();
      other.put("name", "other");
      ((ObjectNode) other.get("config")).put("name", "other");
      layers.add(other);
      ((ArrayNode) layer(c, "add").get("inbound_nodes").get(0).get(1))
          .set(0, SafeJson.mapper().getNodeFactory().textNode("other"));
    }, "graph disconnected: layer 'add' (Add) depends on InputLayer 'other', which is not among"
        + " the model's input_layers");
    assertGraphError(c -> ((ArrayNode) c.get("output_layers")).add(c.get("output_layers").get(0)
        .deepCopy()), "the model has 2 outputs", "more than one output are not supported yet");
    assertGraphError(c -> ((ArrayNode) c.get("output_layers").get(0))
        .set(0, SafeJson.mapper().getNodeFactory().textNode("dense_b")),
        "layer 'add' (Add): is not connected to the model output 'dense_b'");
    assertGraphError(c -> ((ArrayNode) c.get("output_layers").get(0))
        .set(0, SafeJson.mapper().getNodeFactory().textNode("nowhere")),
        "output_layers refers to unknown layer 'nowhere'");
  }

  @Test
  void tooManyLayersAreRejectedBeforeAnythingIsBuilt() throws IOException {
    assertGraphError(c -> {
      ArrayNode layers = (ArrayNode) c.get("layers");
      JsonNode input = layers.get(0);
      for (int i = 0; i < 10_001; i++) {
        layers.add(input);
      }
    }, "the model has 10006 layers, more than the 10000 a model file may hold");
  }
}
