package dev.backplane.model;

import dev.backplane.Device;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.spi.Topology;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keras's functional {@code Model(inputs, outputs)}: layers called on symbolic tensors, wired as
 * a DAG (residual connections, shared layers, several inputs, merge layers).
 *
 * <pre>{@code
 * KerasTensor x = Input.of(20);
 * KerasTensor h = new Dense(64, "relu").apply(x);
 * KerasTensor r = Merge.add().apply(new Dense(64, "relu").apply(h), h);
 * Model model = new Model(x, new Dense(3, "softmax").apply(r));
 * model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * model.fit(List.of(xs), y, FitOptions.builder().epochs(5).build());
 * }</pre>
 *
 * <p>It compiles, trains and fails over exactly as a {@link Sequential} model does (it runs on
 * the same engine). Several inputs are given as one tensor per input, in the order of
 * {@code inputs}.
 */
public final class Model implements AutoCloseable {
  private final String name;
  private final Sequential engine;
  private final List<int[]> inputShapes;

  /** A model named {@code functional} with one input. */
  public Model(KerasTensor input, KerasTensor output) {
    this("functional", List.of(input), output);
  }

  /**
   * A named model.
   *
   * @throws IllegalArgumentException if an input is not an {@link Input}, the output depends on
   *     an input not listed (a disconnected graph), or layer names clash
   */
  public Model(String name, List<KerasTensor> inputs, KerasTensor output) {
    this.name = Objects.requireNonNull(name, "name");
    Objects.requireNonNull(output, "output");
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("Model '" + name + "' needs at least one input");
    }
    Map<KerasTensor, Integer> values = new IdentityHashMap<>();
    inputShapes = new ArrayList<>();
    for (KerasTensor in : inputs) {
      if (!in.isInput()) {
        throw new IllegalArgumentException("Model '" + name + "' inputs must be Input tensors,"
            + " got " + in);
      }
      if (values.put(in, values.size()) != null) {
        throw new IllegalArgumentException("Model '" + name + "' lists input " + in + " twice");
      }
      inputShapes.add(in.shape());
    }
    List<Layer> layers = new ArrayList<>();
    Map<Layer, Integer> layerIndex = new IdentityHashMap<>();
    List<Topology.Call> calls = new ArrayList<>();
    visit(output, values, layers, layerIndex, calls);
    List<Layer> named = name(layers);
    this.engine = new Sequential(name, named,
        new Topology(inputShapes, calls, values.get(output)));
  }

  /** Depth-first post-order, iterative so deep models cannot overflow the stack. */
  private void visit(KerasTensor output, Map<KerasTensor, Integer> values, List<Layer> layers,
      Map<Layer, Integer> layerIndex, List<Topology.Call> calls) {
    java.util.ArrayDeque<KerasTensor> stack = new java.util.ArrayDeque<>();
    stack.push(output);
    while (!stack.isEmpty()) {
      KerasTensor t = stack.peek();
      if (values.containsKey(t)) {
        stack.pop();
        continue;
      }
      if (t.isInput()) {
        throw new IllegalArgumentException("Graph disconnected: model '" + name + "' output"
            + " depends on " + t + " (" + (t.inputName() == null ? "unnamed" : t.inputName())
            + "), which is not among its inputs; pass it in the inputs list");
      }
      boolean ready = true;
      for (KerasTensor in : t.inputs()) {
        if (!values.containsKey(in)) {
          stack.push(in);
          ready = false;
        }
      }
      if (!ready) {
        continue;
      }
      stack.pop();
      Integer index = layerIndex.get(t.layer());
      if (index == null) {
        index = layers.size();
        layers.add(t.layer());
        layerIndex.put(t.layer(), index);
      }
      List<Integer> in = new ArrayList<>();
      for (KerasTensor i : t.inputs()) {
        in.add(values.get(i));
      }
      calls.add(new Topology.Call(index, in));
      values.put(t, values.size());
    }
  }

  private List<Layer> name(List<Layer> layers) {
    Set<String> taken = new HashSet<>();
    for (Layer l : layers) {
      if (l.name() != null && !taken.add(l.name())) {
        throw new IllegalArgumentException("Model '" + name + "' has two layers named '"
            + l.name() + "'; layer names must be unique");
      }
    }
    List<Layer> out = new ArrayList<>();
    for (Layer l : layers) {
      if (l.name() != null) {
        out.add(l);
        continue;
      }
      String base = l.kerasClass().toLowerCase(Locale.ROOT);
      String candidate = base;
      for (int i = 1; taken.contains(candidate); i++) {
        candidate = base + "_" + i;
      }
      taken.add(candidate);
      out.add(l.withName(candidate));
    }
    return out;
  }

  /** The model's name. */
  public String name() {
    return name;
  }

  /** The layers (named), in call order. */
  public List<Layer> layers() {
    return engine.layers();
  }

  /** Per-sample shapes of the inputs. */
  public List<int[]> inputShapes() {
    return inputShapes.stream().map(int[]::clone).toList();
  }

  /** Per-sample output shape. */
  public int[] outputShape() {
    return engine.outputShape();
  }

  /** Number of parameters. */
  public long countParams() {
    return engine.countParams();
  }

  /** Keras's summary table with the "Connected to" column. */
  public String summary() {
    return engine.summary();
  }

  /** {@code compile("adam", "sparse_categorical_crossentropy", "accuracy")}. */
  public void compile(String optimizer, String loss, String... metrics) {
    engine.compile(optimizer, loss, metrics);
  }

  /** Places and compiles the model, as {@link Sequential#compile(CompileOptions)}. */
  public void compile(CompileOptions options) {
    engine.compile(options);
  }

  /**
   * Trains on one tensor per input.
   *
   * @throws IllegalArgumentException if the tensor count or a shape does not match the inputs
   */
  public History fit(List<Tensor> xs, Tensor y, FitOptions options) {
    return engine.fit(pack(xs, "fit"), y, options);
  }

  /** Evaluates on one tensor per input: the loss and metrics by Keras key. */
  public Map<String, Double> evaluate(List<Tensor> xs, Tensor y) {
    return engine.evaluate(pack(xs, "evaluate"), y);
  }

  /**
   * Evaluates on one tensor per input with Keras's {@code sample_weight} (or {@code null}), as
   * {@link Sequential#evaluate(Tensor, Tensor, Tensor, int)}.
   */
  public Map<String, Double> evaluate(List<Tensor> xs, Tensor y, Tensor sampleWeight,
      int batchSize) {
    return engine.evaluate(pack(xs, "evaluate"), y, sampleWeight, batchSize);
  }

  /** Predicts from one tensor per input. Thread-safe. */
  public Tensor predict(List<Tensor> xs) {
    return engine.predict(pack(xs, "predict"));
  }

  /** The device the model runs on. */
  public Device device() {
    return engine.device();
  }

  /** The trainable parameters as host copies. */
  public List<NamedArray> getWeights() {
    return engine.getWeights();
  }

  /** The full training state. */
  public ModelState getState() {
    return engine.getState();
  }

  /** Restores a state taken with {@link #getState()}. */
  public void setState(ModelState state) {
    engine.setState(state);
  }

  /** The engine running the model (the same machinery as a Sequential model). */
  public Sequential engine() {
    return engine;
  }

  Tensor pack(List<Tensor> xs, String call) {
    if (xs.size() != inputShapes.size()) {
      throw new IllegalArgumentException("Model '" + name + "' has " + inputShapes.size()
          + " input(s) " + inputShapes.stream().map(Shapes::withBatch).toList() + " but " + call
          + "() got " + xs.size() + " tensor(s); pass one tensor per input, in order");
    }
    if (xs.size() == 1) {
      return xs.get(0);
    }
    int rows = xs.get(0).rows();
    int width = 0;
    for (int i = 0; i < xs.size(); i++) {
      Tensor t = xs.get(i);
      DataChecks.checkInputShape(t, inputShapes.get(i), "input " + i + " of model '" + name
          + "'");
      if (t.rows() != rows) {
        throw new IllegalArgumentException("Inputs of model '" + name + "' have different"
            + " sample counts: input 0 has " + rows + ", input " + i + " has " + t.rows());
      }
      width += Shapes.size(inputShapes.get(i));
    }
    float[] packed = new float[rows * width];
    int offset = 0;
    for (int i = 0; i < xs.size(); i++) {
      Tensor t = xs.get(i);
      int size = Shapes.size(inputShapes.get(i));
      for (int r = 0; r < rows; r++) {
        System.arraycopy(t.data(), t.offset() + r * size, packed, r * width + offset, size);
      }
      offset += size;
    }
    return Tensor.wrap(packed, rows, width);
  }

  /** Releases the compiled executable. */
  @Override
  public void close() {
    engine.close();
  }
}
