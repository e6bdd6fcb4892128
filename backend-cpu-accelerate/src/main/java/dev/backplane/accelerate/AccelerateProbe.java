package dev.backplane.accelerate;

import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Probe;

/**
 * The accelerate backend's probe: which kernels this machine gives {@code accelerate:cpu:0}
 * (Apple Accelerate, OpenBLAS or the pure-Java kernels, and under {@code blas=auto} the cached
 * timing verdict), or why it cannot run. Loads and releases the native BLAS when the
 * configuration asks for it.
 */
final class AccelerateProbe {
  private AccelerateProbe() {}

  static Probe probe(BackendContext context) {
    try {
      Kernels kernels = Kernels.choose(context, null);
      if (kernels.isNative()) {
        kernels.nativeGemm().close();
      }
      boolean measure = AccelerateBackend.measures(context);
      return Probe.of(new DeviceInfo(AccelerateBackend.DEVICE, DeviceStatus.READY,
          AccelerateBackend.detail(kernels, measure, measure ? KernelCache.of(context) : null)));
    } catch (Throwable t) {
      if (t instanceof StackOverflowError || t instanceof UnknownError) {
        throw (Error) t;
      }
      String message = t.getMessage() == null ? t.toString() : t.getMessage();
      return Probe.unavailable(AccelerateBackend.DEVICE, message);
    }
  }
}
