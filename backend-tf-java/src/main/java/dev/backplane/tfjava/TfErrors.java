package dev.backplane.tfjava;

import dev.backplane.BackendException;
import dev.backplane.Device;

/** Turns TensorFlow's errors into {@link BackendException}s that name the model and device. */
final class TfErrors {
  private TfErrors() {}

  /** A TensorFlow error while running {@code what} of a model. */
  static BackendException step(String what, String model, Device device, RuntimeException e) {
    return new BackendException(device, "TensorFlow failed in " + what + " of model '" + model
        + "': " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
  }
}
