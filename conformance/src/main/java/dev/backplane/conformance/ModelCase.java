package dev.backplane.conformance;

import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.List;
import java.util.Objects;

/**
 * A whole-model conformance case: a network, its loss and optimizer, a seed for the initial
 * weights and the batch order, a data set and a training schedule. Every backend trains it from
 * the same initial state ({@link #spec()}) on the same batches ({@link EpochTrainer}), so per-epoch
 * losses must agree up to float32 round-off.
 *
 * @param id short name, e.g. {@code reference}
 * @param description one line
 * @param inputShape per-sample input shape
 * @param layers the layers, named as {@link Sequential} would name them
 * @param loss the loss
 * @param optimizer the optimizer
 * @param seed seeds the initial weights, the shuffling and dropout
 * @param x inputs, {@code (n, inputShape...)}
 * @param y labels, {@code (n, outputs)} or {@code (n, 1)} class indices
 * @param epochs epochs to train
 * @param batchSize samples per step
 */
public record ModelCase(String id, String description, int[] inputShape, List<Layer> layers,
    Loss loss, Optimizer optimizer, long seed, Tensor x, Tensor y, int epochs, int batchSize) {
  /** Validates and copies. */
  public ModelCase {
    Objects.requireNonNull(id, "id");
    inputShape = inputShape.clone();
    layers = List.copyOf(layers);
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(x, "x");
    Objects.requireNonNull(y, "y");
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  /** The spec with the initial state drawn from {@link #seed()}, as the api draws it. */
  public ModelSpec spec() {
    return ModelSpec.create(id, inputShape, layers, loss, optimizer, seed);
  }

  /** The spec with these parameters instead of the seeded ones. */
  public ModelSpec spec(List<NamedArray> parameters) {
    return ModelSpec.withParameters(id, inputShape, layers, loss, optimizer, seed, parameters);
  }

  /** The same case with other layers (same parameter names), e.g. another dropout rate. */
  public ModelCase withLayers(List<Layer> newLayers) {
    return new ModelCase(id, description, inputShape, newLayers, loss, optimizer, seed, x, y,
        epochs, batchSize);
  }

  /** The same case with another number of epochs. */
  public ModelCase withEpochs(int newEpochs) {
    return new ModelCase(id, description, inputShape, layers, loss, optimizer, seed, x, y,
        newEpochs, batchSize);
  }

  /** Number of output values per sample. */
  public int outputs() {
    return spec().outputSize();
  }

  /** An uncompiled {@link Sequential} with these layers, for checks through the user API. */
  public Sequential toSequential() {
    return new Sequential(id, inputShape, layers.toArray(Layer[]::new));
  }
}
