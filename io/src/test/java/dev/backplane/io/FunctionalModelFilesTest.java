package dev.backplane.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.io.safetensors.Safetensors;
import dev.backplane.io.safetensors.SafetensorsContent;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Concatenate;
import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.Initializer;
import dev.backplane.model.Input;
import dev.backplane.model.KerasTensor;
import dev.backplane.model.Layer;
import dev.backplane.model.LayerContext;
import dev.backplane.model.Merge;
import dev.backplane.model.Model;
import dev.backplane.model.ParameterSpec;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.ops.Node;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.spi.Topology;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Functional models, merge layers, custom layers (through {@link LayerRegistry}) and
 * non-trainable variables in Backplane's model files, on the api's float64 interpreter.
 */
class FunctionalModelFilesTest {
  @TempDir Path dir;

  private final Backplane backplane = TestBackplanes.of(TestBackplanes.config(),
      new ReferenceFakeProvider());

  @AfterEach
  void close() {
    backplane.close();
    LayerRegistry.unregister("Scale");
  }

  /** {@code y = x * scale + offset}: a trainable scale and a non-trainable offset. */
  record Scale(double init, String name) implements Layer {
    @Override
    public String kerasClass() {
      return "Scale";
    }

    @Override
    public Layer withName(String n) {
      return new Scale(init, n);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
      return inputShape.clone();
    }

    @Override
    public List<ParameterSpec> parameters(int[] inputShape) {
      int[] last = {inputShape[inputShape.length - 1]};
      return List.of(new ParameterSpec("scale", last, Initializer.ONES),
          new ParameterSpec("offset", last, Initializer.ZEROS, false));
    }

    @Override
    public Node call(LayerContext ctx, Node x) {
      return ctx.ops().add(ctx.ops().mul(x, ctx.weight("scale")), ctx.weight("offset"));
    }
  }

  static void registerScale() {
    LayerRegistry.register("Scale", layer -> Map.of("init", ((Scale) layer).init()),
        (name, config) -> new Scale(((Number) config.get("init")).doubleValue(), name));
  }

  static Tensor data(int rows, int cols, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[rows * cols];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble(-1, 1);
    }
    return Tensor.wrap(v, rows, cols);
  }

  static FitOptions quiet() {
    return FitOptions.builder().verbose(Verbosity.SILENT).shuffle(false).epochs(2).batchSize(4)
        .output(new PrintStream(new ByteArrayOutputStream())).build();
  }

  private CompileOptions options() {
    return CompileOptions.builder().optimizer(new Adam(0.01)).loss("mse").backplane(backplane)
        .seed(5).build();
  }

  private Model residual() {
    KerasTensor x = Input.of(4);
    KerasTensor h = new Dense(8, "relu").withName("dense_a").apply(x);
    KerasTensor h2 = new Dense(8, "relu").withName("dense_b").apply(h);
    KerasTensor s = new Merge(Merge.Kind.ADD, "add").apply(h2, h);
    return new Model("residual", List.of(x), new Dense(3, "softmax").withName("head").apply(s));
  }

  private Model twoInputs() {
    KerasTensor a = Input.of(3);
    KerasTensor b = Input.of(2);
    Dense shared = new Dense(4, "tanh").withName("shared");
    KerasTensor ha = new Dense(2, "tanh").withName("left").apply(a);
    KerasTensor hb = new Dense(2, "tanh").withName("right").apply(b);
    KerasTensor c = new Concatenate(-1, "concat").apply(ha, hb);
    KerasTensor m = new Merge(Merge.Kind.AVERAGE, "avg").apply(c, new Merge(Merge.Kind.MULTIPLY,
        "mul").apply(c, c), new Merge(Merge.Kind.SUBTRACT, "sub").apply(c,
        new Concatenate(-1, "concat_2").apply(hb, ha)));
    return new Model("two", List.of(a, b), new Dense(1).withName("out").apply(shared.apply(m)));
  }

  @Test
  void functionalModelRoundTripsWithTopologyWeightsAndTrainingState() {
    Path file = dir.resolve("residual.safetensors");
    Tensor x = data(8, 4, 1);
    Tensor y = data(8, 3, 2);
    try (Model m = residual()) {
      m.compile(options());
      m.fit(List.of(x), y, quiet());
      ModelFiles.save(m, file);
      SafetensorsContent content = Safetensors.read(file);
      assertThat(content.metadata()).containsEntry("format_version", "2");
      assertThat(content.metadata().get("model_config")).contains("\"topology\"")
          .contains("{\"layer\":\"add\",\"inputs\":[2,1]}");
      try (Sequential engine = ModelFiles.load(file, backplane)) {
        assertThat(engine.layers()).isEqualTo(m.layers());
        assertThat(engine.topology().calls()).isEqualTo(m.engine().topology().calls());
        assertThat(engine.topology().output()).isEqualTo(m.engine().topology().output());
        assertSameState(engine.getState(), m.getState());
        assertThat(engine.predict(x).data()).containsExactly(m.predict(List.of(x)).data());
      }
      try (Model loaded = ModelFiles.loadModel(file, backplane)) {
        assertThat(loaded.name()).isEqualTo("residual");
        assertSameState(loaded.getState(), m.getState());
        assertThat(loaded.predict(List.of(x)).data())
            .containsExactly(m.predict(List.of(x)).data());
        // training resumes identically
        m.fit(List.of(x), y, quiet());
        loaded.fit(List.of(x), y, quiet());
        assertSameState(loaded.getState(), m.getState());
      }
    }
  }

  @Test
  void twoInputModelWithEveryMergeLayerPredictsTheSameAfterLoading() {
    Path file = dir.resolve("two.safetensors");
    List<Tensor> xs = List.of(data(5, 3, 3), data(5, 2, 4));
    try (Model m = twoInputs()) {
      m.compile(options());
      ModelFiles.save(m, file, false);
      SavedModel saved = ModelFiles.read(file);
      assertThat(saved.config().isFunctional()).isTrue();
      assertThat(saved.config().topology().inputShapes()).hasSize(2);
      assertThat(saved.config()).isEqualTo(SavedModels.of(m, false).config());
      try (Model loaded = ModelFiles.loadModel(file, backplane)) {
        assertThat(loaded.layers()).isEqualTo(m.layers());
        assertThat(loaded.predict(xs).data()).containsExactly(m.predict(xs).data());
      }
    }
  }

  @Test
  void uncompiledFunctionalModelLoadsUncompiled() {
    Path file = dir.resolve("plain.safetensors");
    try (Model m = residual()) {
      ModelFiles.save(m, file);
      try (Sequential loaded = ModelFiles.load(file, backplane)) {
        assertThat(loaded.isCompiled()).isFalse();
        assertThat(loaded.getWeights()).isEqualTo(m.getWeights());
        ModelFiles.saveWeights(loaded, dir.resolve("w.safetensors"));
        ModelFiles.loadWeights(m, dir.resolve("w.safetensors"));
      }
    }
  }

  @Test
  void customLayerWithNonTrainableStateRoundTripsThroughTheRegistry() {
    registerScale();
    Path file = dir.resolve("custom.safetensors");
    Tensor x = data(6, 3, 5);
    Tensor y = data(6, 2, 6);
    try (Sequential m = new Sequential("custom", new int[] {3}, new Scale(1.0, "scale"),
        new Dense(2).withName("dense"))) {
      m.compile(options());
      m.fit(x, y, quiet());
      // give the non-trainable offset a value the initializer would not
      ModelState s = m.getState();
      NamedArray offset = s.variable("scale/offset");
      m.setState(new ModelState(s.parameters(), List.of(new NamedArray(offset.name(),
          offset.shape(), new float[] {0.5f, -0.25f, 2f})), s.slots(), s.iterations()));
      ModelFiles.save(m, file);
      SavedModel saved = ModelFiles.read(file);
      assertThat(saved.variables()).extracting(NamedArray::name)
          .containsExactly("scale/offset");
      assertThat(saved.config().layers().get(0)).isEqualTo(new Scale(1.0, "scale"));
      try (Sequential loaded = ModelFiles.load(file, backplane)) {
        assertSameState(loaded.getState(), m.getState());
        assertThat(loaded.getState().variable("scale/offset").values())
            .containsExactly(0.5f, -0.25f, 2f);
        assertThat(loaded.predict(x).data()).containsExactly(m.predict(x).data());
      }
      LayerRegistry.unregister("Scale");
      assertThatThrownBy(() -> ModelFiles.read(file)).isInstanceOf(ModelFileException.class)
          .hasMessageContaining("unknown layer class 'Scale' for layer 'scale'")
          .hasMessageContaining("LayerRegistry.register(\"Scale\", encoder, decoder)");
      assertThatThrownBy(() -> ModelFiles.save(m, dir.resolve("again.safetensors")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Cannot save layer 'scale' (Scale)")
          .hasMessageContaining("LayerRegistry.register(\"Scale\"");
    }
  }

  @Test
  void registryRejectsBuiltInNamesAndReportsDecoderFailures() {
    assertThatThrownBy(() -> LayerRegistry.register("Dense", l -> Map.of(), (n, c) -> null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built-in");
    Path file = dir.resolve("bad.safetensors");
    registerScale();
    ModelFileFormat.write(file, new SavedModel(new ModelConfig("m", new int[] {2},
        List.of(new Scale(2, "scale")), OptionalLong.empty()), java.util.Optional.empty(),
        List.of(new NamedArray("scale/scale", new int[] {2}, new float[2])),
        List.of(new NamedArray("scale/offset", new int[] {2}, new float[2])),
        java.util.Optional.empty()));
    LayerRegistry.register("Scale", layer -> Map.of(), (name, config) -> {
      throw new IllegalArgumentException("no init");
    });
    assertThatThrownBy(() -> ModelFiles.read(file)).isInstanceOf(ModelFileException.class)
        .hasMessageContaining("layer 'scale' (Scale): the registered decoder of layer class"
            + " 'Scale' rejected the config")
        .hasMessageContaining("no init");
  }

  @Test
  void hostileTopologiesAreRejectedWithClearMessages() {
    Path file = dir.resolve("h.safetensors");
    String layers = "[{\"class_name\":\"Dense\",\"config\":{\"name\":\"d\",\"units\":2,"
        + "\"activation\":\"linear\",\"use_bias\":false,\"kernel_initializer\":\"zeros\","
        + "\"bias_initializer\":\"zeros\"}},{\"class_name\":\"Add\",\"config\":{\"name\":\"a\"}}]";
    assertRejected(file, layers, "{\"input_shapes\":[[2]],\"calls\":[{\"layer\":\"d\","
        + "\"inputs\":[0]},{\"layer\":\"nope\",\"inputs\":[1]}],\"output\":2}",
        "topology call 1: calls unknown layer 'nope'");
    assertRejected(file, layers, "{\"input_shapes\":[[2]],\"calls\":[{\"layer\":\"d\","
        + "\"inputs\":[2]},{\"layer\":\"a\",\"inputs\":[0,1]}],\"output\":2}",
        "layer 'd' reads value number 2, which does not exist before it");
    assertRejected(file, layers, "{\"input_shapes\":[[2]],\"calls\":[{\"layer\":\"d\","
        + "\"inputs\":[0]}],\"output\":1}", "Layer 'a' (Add) is never called");
    assertRejected(file, layers, "{\"input_shapes\":[[2]],\"calls\":[{\"layer\":\"d\","
        + "\"inputs\":[0]},{\"layer\":\"a\",\"inputs\":[1]}],\"output\":2}",
        "Layer 'a' (Add) needs at least 2 inputs, got 1");
    StringBuilder many = new StringBuilder("[");
    for (int i = 0; i <= ModelConfig.MAX_LAYERS; i++) {
      many.append(i == 0 ? "" : ",").append("{\"class_name\":\"Flatten\",\"config\":{\"name\":\"f")
          .append(i).append("\"}}");
    }
    assertRejected(file, many + "]", "{\"input_shapes\":[[2]],\"calls\":[],\"output\":0}",
        "the model has 10001 layers, more than the 10000 a model file may hold");
  }

  private static void assertRejected(Path file, String layers, String topology, String message) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "backplane.model");
    meta.put("format_version", "2");
    meta.put("model_config", "{\"name\":\"m\",\"layers\":" + layers + ",\"topology\":" + topology
        + "}");
    Safetensors.write(file, List.of(new NamedArray("d/kernel", new int[] {2, 2}, new float[4])),
        meta);
    assertThatThrownBy(() -> ModelFiles.read(file)).isInstanceOf(ModelFileException.class)
        .hasMessageStartingWith(file + ": ").hasMessageContaining(message);
  }

  @Test
  void buildingADeepFunctionalModelIsLinear() {
    // Linear, measured deterministically: loading twice the layers allocates about twice the
    // bytes (a quadratic build would allocate four times as much).
    long half = deepLoadBytes(2000);
    long full = deepLoadBytes(4000);
    assertThat(full).as("bytes to load 4000 layers vs 2000 (%d vs %d)", full, half)
        .isLessThan(3 * half);
  }

  private long deepLoadBytes(int n) {
    List<Layer> layers = new ArrayList<>();
    List<Topology.Call> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      layers.add(i % 2 == 0 ? new Dense(2).withName("d" + i) : new Merge(Merge.Kind.ADD,
          "a" + i));
      calls.add(new Topology.Call(i, i % 2 == 0 ? List.of(i) : List.of(i, i - 1)));
    }
    Topology t = new Topology(List.of(new int[] {2}), calls, n);
    Path file = dir.resolve("deep" + n + ".safetensors");
    try (Sequential m = new Sequential("deep", layers, t)) {
      ModelFiles.save(m, file);
    }
    long start = AllocatedBytes.now();
    try (Sequential loaded = ModelFiles.load(file, backplane)) {
      assertThat(loaded.layers()).hasSize(n);
    }
    try (Model loaded = ModelFiles.loadModel(file, backplane)) {
      assertThat(loaded.layers()).hasSize(n);
    }
    return AllocatedBytes.now() - start;
  }

  @Test
  void buildingTheLargestSequentialFileIsLinear() {
    long half = sequentialLoadBytes(ModelConfig.MAX_LAYERS / 2);
    long full = sequentialLoadBytes(ModelConfig.MAX_LAYERS);
    assertThat(full).as("bytes to load %d layers vs half as many (%d vs %d)",
        ModelConfig.MAX_LAYERS, full, half).isLessThan(3 * half);
  }

  private long sequentialLoadBytes(int n) {
    Layer[] layers = new Layer[n];
    for (int i = 0; i < layers.length; i++) {
      layers[i] = new dev.backplane.model.Flatten("f" + i);
    }
    ModelConfig config = new ModelConfig("wide", new int[] {2}, List.of(layers),
        OptionalLong.empty());
    Path file = dir.resolve("many" + n + ".safetensors");
    ModelFileFormat.write(file, new SavedModel(config, java.util.Optional.empty(), List.of(),
        java.util.Optional.empty()));
    long start = AllocatedBytes.now();
    try (Sequential loaded = ModelFiles.load(file, backplane)) {
      assertThat(loaded.layers()).hasSize(n);
    }
    return AllocatedBytes.now() - start;
  }

  private static void assertSameState(ModelState actual, ModelState expected) {
    assertThat(actual.iterations()).isEqualTo(expected.iterations());
    assertSame(actual.parameters(), expected.parameters());
    assertSame(actual.variables(), expected.variables());
    assertSame(actual.slots(), expected.slots());
  }

  private static void assertSame(List<NamedArray> actual, List<NamedArray> expected) {
    assertThat(actual).extracting(NamedArray::name)
        .containsExactlyElementsOf(expected.stream().map(NamedArray::name).toList());
    for (int i = 0; i < actual.size(); i++) {
      assertThat(actual.get(i).shape()).isEqualTo(expected.get(i).shape());
      assertThat(actual.get(i).values()).as(actual.get(i).name())
          .containsExactly(expected.get(i).values());
    }
  }
}
