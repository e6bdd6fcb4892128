package dev.backplane.metal;

import dev.backplane.accelerate.AccelerateProvider;
import dev.backplane.spi.BackendProvider;

/**
 * The same end-to-end suite with the real CPU backend: the simulated device wraps its pure-Java
 * reference kernels and the fallback is {@code accelerate:cpu:0} with whatever kernels it picks
 * (native BLAS when available), so weights agree to float round-off rather than bit for bit.
 */
class SimulatedFailoverOnAccelerateTest extends SimulatedFailoverTest {
  @Override
  BackendProvider cpu() {
    return new AccelerateProvider();
  }

  @Override
  float tolerance() {
    return 1e-5f;
  }
}
