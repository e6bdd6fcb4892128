package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A layer with Keras's {@code trainable = False}: the wrapped layer's weights are declared
 * non-trainable (no gradient, no optimizer slots; {@code summary()} counts them as
 * non-trainable) and layers with batch statistics inside ({@link BatchNormalization}) run in
 * inference mode and leave their moving statistics alone. Dropout still drops in training, as
 * in Keras. Name, class, shapes and weight names are the wrapped layer's, so weights stay
 * {@code <layer>/kernel} and load into the unfrozen layer unchanged.
 *
 * @param layer the frozen layer
 */
public record Frozen(Layer layer) implements Layer {
  /** Validates the layer. */
  public Frozen {
    Objects.requireNonNull(layer, "layer");
    if (layer instanceof Frozen f) {
      layer = f.layer;
    }
  }

  /** {@code layer} frozen. */
  public static Frozen of(Layer layer) {
    return new Frozen(layer);
  }

  @Override
  public String name() {
    return layer.name();
  }

  @Override
  public String kerasClass() {
    return layer.kerasClass();
  }

  @Override
  public Frozen withName(String name) {
    return new Frozen(layer.withName(name));
  }

  @Override
  public int inputCount() {
    return layer.inputCount();
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return layer.outputShape(inputShape);
  }

  @Override
  public int[] outputShape(List<int[]> inputShapes) {
    return layer.outputShape(inputShapes);
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return frozen(layer.parameters(inputShape));
  }

  @Override
  public List<ParameterSpec> parameters(List<int[]> inputShapes) {
    return frozen(layer.parameters(inputShapes));
  }

  private static List<ParameterSpec> frozen(List<ParameterSpec> specs) {
    List<ParameterSpec> out = new ArrayList<>(specs.size());
    for (ParameterSpec p : specs) {
      out.add(new ParameterSpec(p.name(), p.shape(), p.initializer(), false));
    }
    return out;
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    ctx.freeze();
    try {
      return layer.call(ctx, x);
    } finally {
      ctx.unfreeze();
    }
  }

  @Override
  public Node call(LayerContext ctx, List<Node> inputs) {
    ctx.freeze();
    try {
      return layer.call(ctx, inputs);
    } finally {
      ctx.unfreeze();
    }
  }
}
