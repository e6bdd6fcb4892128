package dev.backplane.io;

import dev.backplane.model.Layer;
import dev.backplane.model.ParameterSpec;
import dev.backplane.spi.Topology;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A model's architecture as stored in a file, independent of the classes that run it: name,
 * the named layers, how they are wired ({@link Topology}: a chain for a Sequential model, a DAG
 * of layer calls for a functional one) and, when known, the seed.
 *
 * @param name the model's name
 * @param inputShape per-sample input shape, without the batch axis; for a model with several
 *     inputs the packed shape ({@link Topology#packedInputShape()})
 * @param layers the layers, each with a unique, non-null name
 * @param seed the model seed when the file records one (Keras files do not)
 * @param topology the wiring; every layer is called at least once
 */
public record ModelConfig(String name, int[] inputShape, List<Layer> layers, OptionalLong seed,
    Topology topology) {
  /** Most layers a model file may hold; a file with more is rejected before it is built. */
  public static final int MAX_LAYERS = 10_000;
  /** Most layer calls (graph nodes) a functional model may hold. */
  public static final int MAX_CALLS = 20_000;
  /** Most call inputs (graph edges) a functional model may hold. */
  public static final int MAX_EDGES = 100_000;
  /** Most model inputs. */
  public static final int MAX_INPUTS = 1_000;

  /** Validates and copies; layer names must be set and unique. */
  public ModelConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(topology, "topology");
    Objects.requireNonNull(seed, "seed");
    layers = List.copyOf(layers);
    if (layers.size() > MAX_LAYERS) {
      throw new IllegalArgumentException("The model has " + layers.size() + " layers, more than"
          + " the " + MAX_LAYERS + " a model file may hold");
    }
    if (topology.calls().size() > MAX_CALLS) {
      throw new IllegalArgumentException("The model has " + topology.calls().size()
          + " layer calls, more than the " + MAX_CALLS + " a model file may hold");
    }
    if (topology.inputShapes().size() > MAX_INPUTS) {
      throw new IllegalArgumentException("The model has " + topology.inputShapes().size()
          + " inputs, more than the " + MAX_INPUTS + " a model file may hold");
    }
    inputShape = topology.packedInputShape();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      if (layer.name() == null || layer.name().isEmpty()) {
        throw new IllegalArgumentException("Every layer needs a name; " + layer.kerasClass()
            + " layer " + i + " has none");
      }
      if (!names.add(layer.name())) {
        throw new IllegalArgumentException("Two layers are named '" + layer.name() + "'");
      }
    }
    boolean[] called = new boolean[layers.size()];
    long edges = 0;
    for (Topology.Call c : topology.calls()) {
      if (c.layer() < 0 || c.layer() >= layers.size()) {
        throw new IllegalArgumentException("A call names layer " + c.layer() + " but the model"
            + " has " + layers.size() + " layers");
      }
      if (c.inputs().isEmpty()) {
        throw new IllegalArgumentException("Layer '" + layers.get(c.layer()).name()
            + "' is called on no inputs");
      }
      called[c.layer()] = true;
      edges += c.inputs().size();
    }
    if (edges > MAX_EDGES) {
      throw new IllegalArgumentException("The model's layer calls have " + edges + " inputs in"
          + " all, more than the " + MAX_EDGES + " a model file may hold");
    }
    for (int i = 0; i < called.length; i++) {
      if (!called[i]) {
        throw new IllegalArgumentException("Layer '" + layers.get(i).name() + "' ("
            + layers.get(i).kerasClass() + ") is never called");
      }
    }
  }

  /** A Sequential model: a chain of {@code layers} on one input. */
  public ModelConfig(String name, int[] inputShape, List<Layer> layers, OptionalLong seed) {
    this(name, inputShape, layers, seed, Topology.chain(inputShape, layers.size()));
  }

  /** A functional model wired by {@code topology}. */
  public ModelConfig(String name, Topology topology, List<Layer> layers, OptionalLong seed) {
    this(name, topology.packedInputShape(), layers, seed, topology);
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  /** Whether the model is wired as anything but a plain chain (a functional model). */
  public boolean isFunctional() {
    return !topology.isChain();
  }

  /**
   * The trainable parameters' shapes in state order, keyed {@code <layer>/<param>}; allocates no
   * values. Also checks that every layer accepts its inputs' shapes and that every shape is
   * positive and addressable. Linear in the number of layers and calls.
   *
   * @throws IllegalArgumentException naming the layer whose input shape does not fit
   */
  public Map<String, int[]> parameterShapes() {
    return weightShapes(true);
  }

  /**
   * The non-trainable variables' shapes (moving statistics) in state order, keyed
   * {@code <layer>/<name>}; checked as {@link #parameterShapes()}.
   */
  public Map<String, int[]> variableShapes() {
    return weightShapes(false);
  }

  private Map<String, int[]> weightShapes(boolean trainable) {
    valueShapes();
    List<List<int[]>> inputs = topology.layerInputShapes(layers);
    Map<String, int[]> out = new LinkedHashMap<>();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      Set<String> seen = new HashSet<>();
      for (ParameterSpec p : layer.parameters(inputs.get(i))) {
        String key = layer.name() + "/" + p.name();
        checkShape((p.trainable() ? "parameter '" : "variable '") + key + "'", p.shape());
        boolean fresh = seen.add(p.name());
        if (p.trainable() != trainable) {
          continue;
        }
        if (!fresh || out.put(key, p.shape()) != null) {
          throw new IllegalArgumentException("Layer '" + layer.name() + "' declares two weights"
              + " named '" + p.name() + "'");
        }
      }
    }
    return out;
  }

  /** Every value's shape (inputs, then call outputs), checked. */
  private List<int[]> valueShapes() {
    for (int[] s : topology.inputShapes()) {
      checkShape("the input", s);
    }
    List<int[]> shapes = topology.valueShapes(layers);
    int inputs = topology.inputShapes().size();
    for (int i = inputs; i < shapes.size(); i++) {
      Layer layer = layers.get(topology.calls().get(i - inputs).layer());
      checkShape("the output of layer '" + layer.name() + "'", shapes.get(i));
    }
    return shapes;
  }

  private static void checkShape(String what, int[] shape) {
    long size = 1;
    for (int d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException(what + " has shape " + Arrays.toString(shape)
            + "; every dimension must be positive");
      }
      size *= d;
      if (size > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(what + " has shape " + Arrays.toString(shape)
            + ", more than " + Integer.MAX_VALUE + " values");
      }
    }
  }

  /** Per-sample output shape. */
  public int[] outputShape() {
    return topology.valueShapes(layers).get(topology.output());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelConfig c && c.name.equals(name) && c.layers.equals(layers)
        && c.seed.equals(seed) && sameTopology(c.topology, topology);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, layers, seed, topology.calls(), topology.output());
  }

  private static boolean sameTopology(Topology a, Topology b) {
    if (a.output() != b.output() || !a.calls().equals(b.calls())
        || a.inputShapes().size() != b.inputShapes().size()) {
      return false;
    }
    for (int i = 0; i < a.inputShapes().size(); i++) {
      if (!Arrays.equals(a.inputShapes().get(i), b.inputShapes().get(i))) {
        return false;
      }
    }
    return true;
  }
}
