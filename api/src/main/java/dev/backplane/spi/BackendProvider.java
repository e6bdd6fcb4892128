package dev.backplane.spi;

import dev.backplane.DeviceType;
import dev.backplane.config.ConfigKey;
import java.util.List;

/**
 * The {@link java.util.ServiceLoader} entry point of a backend, registered in
 * {@code META-INF/services/dev.backplane.spi.BackendProvider}.
 *
 * <p>Providers must be cheap: the constructor, {@link #id()}, {@link #priority()} and
 * {@link #configKeys()} load no native library, so a broken native build can never take discovery
 * (and with it the CPU fallback) down. Native code is touched first in {@link #probe} and
 * {@link #open}.
 */
public interface BackendProvider {
  /**
   * The backend id, unique among providers: lower-case letters, digits and dashes, e.g.
   * {@code accelerate}, {@code tf-java}, {@code metal}. Never {@code null}.
   */
  String id();

  /** Default rank when no preference is configured; higher is preferred. */
  int priority();

  /**
   * Finds the backend's devices. Bounded by {@code backplane.probe.timeout} by the caller; must
   * not throw: failures are reported as {@link dev.backplane.DeviceStatus#UNAVAILABLE} devices
   * with the cause in the detail. (If it throws anyway, the caller reports it the same way.)
   */
  Probe probe(BackendContext context);

  /**
   * Opens the backend: loads native libraries and starts threads. Called at most once per
   * {@link dev.backplane.Backplane}; the caller closes the result.
   *
   * @throws dev.backplane.BackendException if the backend cannot be opened
   */
  Backend open(BackendContext context);

  /**
   * The type of the backend's main device, used to name it ({@code <id>:<type>:0}) in reports
   * when its probe fails or times out. Must not load native code.
   */
  default DeviceType deviceType() {
    return DeviceType.CPU;
  }

  /** The backend's own configuration keys, e.g. {@code backplane.accelerate.blas}. */
  default List<ConfigKey<?>> configKeys() {
    return List.of();
  }

  /**
   * Whether this backend can serve as the reference for canaries, audits and conformance, opened
   * with {@link BackendContext#reference()} set: plain kernels that need no native library.
   */
  default boolean servesAsReference() {
    return false;
  }
}
