package dev.backplane.spi;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import java.util.List;

/**
 * An opened backend. Holds native libraries and threads until {@link #close()}; executables it
 * compiled must be closed first (closing the backend closes any still open).
 */
public interface Backend extends AutoCloseable {
  /** The backend's id, as its provider's. */
  String id();

  /** The devices as the opened backend sees them; never {@code null}. */
  List<DeviceInfo> devices();

  /**
   * Compiles a model for a device: allocates weights and optimizer state on it, initialised from
   * {@link ModelSpec#initialState()}.
   *
   * @throws dev.backplane.UnsupportedFeatureException naming the layer or option it cannot run
   * @throws dev.backplane.BackendException if the device fails
   */
  Executable compile(ModelSpec spec, Device device);

  /**
   * The names of the ops this backend implements (see {@link dev.backplane.ops.OpSet}); a program
   * using any other op is refused at compile time, naming the op and the layer. All of them by
   * default.
   */
  default java.util.Set<String> supportedOps() {
    return new java.util.LinkedHashSet<>(dev.backplane.ops.OpSet.names());
  }

  /** Releases native memory and threads. Idempotent. */
  @Override
  void close();
}
