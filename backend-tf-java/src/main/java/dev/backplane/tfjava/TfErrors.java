package dev.backplane.tfjava;

import dev.backplane.BackendException;
import dev.backplane.Device;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.exceptions.TFUnimplementedException;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Turns TensorFlow's errors into {@link BackendException}s that name the model and the device.
 *
 * <p>TF Java maps TensorFlow status codes to three unrelated Java types: most to
 * {@link TensorFlowException}, but {@code INVALID_ARGUMENT} to {@link TFInvalidArgumentException}
 * (an {@link IllegalArgumentException}) and {@code UNIMPLEMENTED} to
 * {@link TFUnimplementedException} (an {@link UnsupportedOperationException}). All three are
 * TensorFlow's errors, not the caller's.
 */
final class TfErrors {
  private TfErrors() {}

  /** Whether TensorFlow raised this (a failed status), as opposed to a check in Java. */
  static boolean fromTensorFlow(Throwable e) {
    return e instanceof TensorFlowException || e instanceof TFInvalidArgumentException
        || e instanceof TFUnimplementedException;
  }

  /**
   * A {@link BackendException} for a TensorFlow error while running {@code what} of a model;
   * any other exception unchanged, for the caller to rethrow.
   */
  static RuntimeException translate(String what, String model, Device device,
      RuntimeException e) {
    return fromTensorFlow(e) ? step(what, model, device, e) : e;
  }

  /** A TensorFlow error while running {@code what} of a model. */
  static BackendException step(String what, String model, Device device, RuntimeException e) {
    return new BackendException(device, "TensorFlow failed in " + what + " of model '" + model
        + "': " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }
}
