package dev.backplane.spi;

import dev.backplane.Device;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.tensor.Tensor;

/**
 * A model compiled for one device: weights and optimizer state live on the device.
 *
 * <p>Threading: {@link #trainStep}, {@link #computeGradients}, {@link #applyGradients},
 * {@link #snapshot}, {@link #restore} and {@link #close} are
 * called by one thread at a time, with no other call in flight; {@link #evaluateStep} is called by
 * one thread at a time but may run beside {@link #predict} calls; {@link #predict} may be called
 * from many threads at once (the api's model guarantees all this with its locks).
 *
 * <p>Shapes: {@code x} is {@code (n, inputs...)}; {@code y} is {@code (n, outputs)}, or
 * {@code (n, 1)} class indices for sparse losses; {@code outputs} receives {@code n × outputs}
 * values, row-major.
 */
public interface Executable extends AutoCloseable {
  /** The device this executable runs on. */
  Device device();

  /**
   * One optimizer step on a batch: forward (training mode), loss, gradients of the batch-mean
   * loss, update, iteration count + 1.
   *
   * @param outputs receives the forward outputs of the batch in training mode (for metrics)
   * @return the sum over the batch of the per-sample losses, before the update
   * @throws dev.backplane.BackendException if the device fails
   */
  double trainStep(Tensor x, Tensor y, float[] outputs);

  /**
   * Forward pass in inference mode and the loss, without changing any state.
   *
   * @return the sum over the batch of the per-sample losses
   */
  double evaluateStep(Tensor x, Tensor y, float[] outputs);

  /**
   * The first half of a data-parallel step: forward (training mode), loss and the gradients of
   * the batch's loss <em>sum</em> (the {@link Program.Kind#GRADIENTS} program), changing no
   * state. Gradients summed over shards of a global batch and divided by its size are the
   * gradients {@link #trainStep} on the whole batch applies.
   *
   * @param x at least one sample
   * @param outputs receives the forward outputs in training mode
   * @param gradients receives one array per trainable variable, in the order of the gradients
   *     program's {@link Program#updates()}, each of that variable's size
   * @return the sum over the batch of the per-sample losses
   * @throws dev.backplane.UnsupportedFeatureException if the backend cannot split a step
   */
  default double computeGradients(Tensor x, Tensor y, float[] outputs, float[][] gradients) {
    throw new UnsupportedFeatureException(device().backend(),
        "data-parallel gradient steps (Executable.computeGradients)");
  }

  /**
   * The second half of a data-parallel step: the optimizer's update (clipping included) from
   * gradient sums scaled by {@code 1 / samples} (the {@link Program.Kind#APPLY} program),
   * iteration count + 1.
   *
   * @param gradientSums one array per trainable variable, as {@link #computeGradients} fills
   * @param samples the global batch size the sums are over, at least 1
   * @throws dev.backplane.UnsupportedFeatureException if the backend cannot split a step
   */
  default void applyGradients(float[][] gradientSums, int samples) {
    throw new UnsupportedFeatureException(device().backend(),
        "data-parallel gradient updates (Executable.applyGradients)");
  }

  /** Forward pass in inference mode; thread-safe. */
  void predict(Tensor x, float[] outputs);

  /** Copies weights, optimizer slots and the iteration count to host arrays. */
  ModelState snapshot();

  /**
   * Replaces weights, optimizer slots and the iteration count with the given state.
   *
   * @throws IllegalArgumentException if the state does not match the model's parameters
   */
  void restore(ModelState state);

  /** Releases device memory. Idempotent. */
  @Override
  void close();
}
