package dev.backplane.spi;

import dev.backplane.Device;
import dev.backplane.tensor.Tensor;

/**
 * A model compiled for one device: weights and optimizer state live on the device.
 *
 * <p>Threading: {@link #trainStep}, {@link #snapshot}, {@link #restore} and {@link #close} are
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
