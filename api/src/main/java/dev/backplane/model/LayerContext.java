package dev.backplane.model;

import dev.backplane.ops.DType;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a layer sees while it builds its forward computation: the op builder, whether the graph
 * is for training, its own weights as variable nodes, the iteration and seed (for random ops),
 * and a way to update its non-trainable state (moving statistics) in training.
 */
public final class LayerContext {
  private final Ops ops;
  private final boolean training;
  private final Node iteration;
  private final long seed;
  private final Map<String, Node> updates = new LinkedHashMap<>();
  private Layer layer;
  private int layerIndex;
  private Map<String, Node> weights = Map.of();
  private int frozen;

  LayerContext(Ops ops, boolean training, Node iteration, long seed) {
    this.ops = Objects.requireNonNull(ops, "ops");
    this.training = training;
    this.iteration = iteration;
    this.seed = seed;
  }

  /** A context for graphs outside a model (tests, custom tools): no iteration input. */
  public static LayerContext standalone(Ops ops, boolean training, long seed) {
    return new LayerContext(ops, training,
        ops.input("iteration", DType.INT32), seed);
  }

  void enter(Layer layer, int layerIndex, Map<String, Node> weights) {
    this.layer = layer;
    this.layerIndex = layerIndex;
    this.weights = weights;
  }

  /** The op builder; nodes it creates are attributed to the current layer. */
  public Ops ops() {
    return ops;
  }

  /** Whether this graph is the training step (dropout active, batch statistics). */
  public boolean training() {
    return training;
  }

  /**
   * Whether the layer being built is trainable: false inside a {@link Frozen} layer, where
   * layers with batch statistics (BatchNormalization) run in inference mode, as Keras does for
   * {@code trainable = False}.
   */
  public boolean trainable() {
    return frozen == 0;
  }

  /**
   * Whether the layer should use batch statistics and update its state: {@link #training()}
   * and {@link #trainable()}.
   */
  public boolean updatesStatistics() {
    return training && frozen == 0;
  }

  void freeze() {
    frozen++;
  }

  void unfreeze() {
    frozen--;
  }

  /** The optimizer's iteration count, an int32 scalar (for random ops). */
  public Node iteration() {
    return iteration;
  }

  /** The model's seed (for random ops). */
  public long seed() {
    return seed;
  }

  /** A salt unique to this layer in its model, for random ops. */
  public long salt() {
    return layerIndex;
  }

  /**
   * The variable node of one of this layer's weights, by its short name ({@code "kernel"}).
   *
   * @throws IllegalArgumentException naming the layer and its weights if there is no such weight
   */
  public Node weight(String name) {
    Node w = weights.get(name);
    if (w == null) {
      throw new IllegalArgumentException("Layer '" + layer.name() + "' (" + layer.kerasClass()
          + ") has no weight '" + name + "'; its parameters() declare " + weights.keySet());
    }
    return w;
  }

  /** Whether the layer declared a weight of this name. */
  public boolean hasWeight(String name) {
    return weights.containsKey(name);
  }

  /**
   * In training, sets the layer's non-trainable weight {@code name} to {@code value} after the
   * step (e.g. BatchNormalization's moving mean). Ignored outside training and inside a
   * {@link Frozen} layer.
   */
  public void updateState(String name, Node value) {
    Node w = weight(name);
    if (training && frozen == 0) {
      updates.put(w.attrs().s("name"), value);
    }
  }

  Map<String, Node> stateUpdates() {
    return updates;
  }
}
