package dev.backplane.metal;

import java.util.List;

/**
 * Where {@link MetalProvider} learns which Metal GPUs there are: on a Mac, {@link MetalProbe}
 * (through JNA); in tests, a fake. Names no JNA type, so the provider can hold one anywhere.
 */
interface MetalDevices {
  /**
   * The system's default Metal device, or none.
   *
   * @return the GPUs found, the system default first; empty when the framework is present but
   *     reports no device ({@code MTLCreateSystemDefaultDevice} returned none)
   * @throws RuntimeException or a {@link LinkageError} when the framework cannot be used
   */
  List<MetalGpu> list();

  /**
   * One Metal GPU, as far as detection goes.
   *
   * @param name the device's name, e.g. {@code Apple M2 Pro}
   * @param recommendedWorkingSetBytes its {@code recommendedMaxWorkingSetSize}: how much memory
   *     it can use without hurting performance, in bytes
   */
  record MetalGpu(String name, long recommendedWorkingSetBytes) {
    /** @throws NullPointerException when {@code name} is null */
    public MetalGpu {
      java.util.Objects.requireNonNull(name, "name");
    }
  }
}
