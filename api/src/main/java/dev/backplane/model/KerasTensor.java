package dev.backplane.model;

import java.util.List;
import java.util.Objects;

/**
 * A symbolic tensor of the functional API: a model {@link Input} or the output of calling a
 * layer on symbolic tensors ({@link Layer#apply}). Holds only its per-sample shape and where it
 * came from; nothing is computed until a {@link Model} is compiled.
 */
public final class KerasTensor {
  private final int[] shape;
  private final Layer layer;
  private final List<KerasTensor> inputs;
  private final String inputName;

  KerasTensor(int[] shape, Layer layer, List<KerasTensor> inputs, String inputName) {
    this.shape = shape.clone();
    this.layer = layer;
    this.inputs = List.copyOf(inputs);
    this.inputName = inputName;
  }

  /** The per-sample shape, without the batch axis. */
  public int[] shape() {
    return shape.clone();
  }

  /** The layer that produced it, or {@code null} for an {@link Input}. */
  public Layer layer() {
    return layer;
  }

  /** The tensors the layer was called on (empty for an input). */
  public List<KerasTensor> inputs() {
    return inputs;
  }

  /** Whether this is a model input. */
  public boolean isInput() {
    return layer == null;
  }

  /** An input's name, or {@code null}. */
  public String inputName() {
    return inputName;
  }

  static KerasTensor call(Layer layer, List<KerasTensor> inputs) {
    Objects.requireNonNull(layer, "layer");
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("Layer " + describe(layer) + " was called on no tensors");
    }
    if (layer.inputCount() != 1 && inputs.size() < 2) {
      throw new IllegalArgumentException("Layer " + describe(layer) + " merges several tensors"
          + " but was called on " + inputs.size());
    }
    List<int[]> shapes = inputs.stream().map(KerasTensor::shape).toList();
    return new KerasTensor(layer.outputShape(shapes), layer, inputs, null);
  }

  private static String describe(Layer layer) {
    return (layer.name() == null ? "" : "'" + layer.name() + "' ") + "(" + layer.kerasClass()
        + ")";
  }

  @Override
  public String toString() {
    return "KerasTensor" + Shapes.withBatch(shape) + (layer == null ? " input"
        : " from " + describe(layer));
  }
}
