package dev.backplane.metal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.Placement;
import dev.backplane.config.Fallback;
import dev.backplane.metal.MetalDevices.MetalGpu;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Mac branch of {@link MetalProvider#probe} on any OS: real detection ({@link MetalProbe},
 * JNA) replaced by a fake {@link MetalDevices}.
 */
class MetalProbeTest {
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void releaseHungCalls() {
    release.countDown();
  }

  private static DeviceInfo metal(MetalDevices devices, String... keys) {
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config(keys),
        new MetalProvider(devices), new ReferenceFakeProvider())) {
      return bp.devices().get(0);
    }
  }

  @Test
  void aDeviceIsShownWithItsNameAndWorkingSet() {
    AtomicInteger calls = new AtomicInteger();
    DeviceInfo d = metal(() -> {
      calls.incrementAndGet();
      return List.of(new MetalGpu("Apple M2 Pro", 11_453_251_584L));
    });
    assertThat(d).isEqualTo(new DeviceInfo(MetalProvider.DEVICE, DeviceStatus.EXPERIMENTAL,
        "Apple M2 Pro, recommended working set 10.7 GiB; detection only: the Metal backend has"
            + " no kernels yet", 11_453_251_584L));
    assertThat(calls).hasPositiveValue();
  }

  @Test
  void theSystemDefaultIsTheDeviceShown() {
    DeviceInfo d = metal(() -> List.of(new MetalGpu("Apple M1 Max", 3L << 30),
        new MetalGpu("eGPU", 1L << 30)));
    assertThat(d.detail()).startsWith("Apple M1 Max, recommended working set 3.0 GiB;");
  }

  @Test
  void aFoundDeviceStillFallsBackForLackOfKernels() {
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config(),
        new MetalProvider(() -> List.of(new MetalGpu("Apple M3", 8L << 30))),
        new ReferenceFakeProvider())) {
      Placement p = bp.place(List.of("metal", "accelerate"), Fallback.CPU);
      assertThat(p.explain()).contains("metal:gpu:0").contains(MetalBackend.NO_KERNELS);
      assertThat(p.device()).isNotEqualTo(MetalProvider.DEVICE);
    }
  }

  @Test
  void aModelLargerThanTheRecommendedWorkingSetIsRejectedWithBothNumbers() {
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.canary", "off"),
        new MetalProvider(() -> List.of(new MetalGpu("Apple M1", 64 << 10))),
        new ReferenceFakeProvider());
        dev.backplane.model.Sequential m = new dev.backplane.model.Sequential(new int[] {256},
            new dev.backplane.model.Dense(256, "relu"), new dev.backplane.model.Dense(1))) {
      Placement p = m.place(dev.backplane.model.CompileOptions.builder().optimizer("adam")
          .loss("mse").backplane(bp).device("metal", "accelerate").build());
      assertThat(p.explain()).containsPattern("metal:gpu:0 +rejected +needs about [0-9.]+ MB at"
          + " batch 32, more than metal:gpu:0's memory 64.0 KB; no batch size fits");
      assertThat(p.device()).isEqualTo(dev.backplane.Device.cpu("accelerate", 0));
    }
  }

  @Test
  void noDeviceIsUnavailableAndSaysSo() {
    DeviceInfo d = metal(List::of);
    assertThat(d.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
    assertThat(d.detail()).isEqualTo("the Metal framework is present but"
        + " MTLCreateSystemDefaultDevice returned no device");
  }

  @Test
  void aCallThatThrowsIsUnavailableWithTheCause() {
    DeviceInfo d = metal(() -> {
      throw new UnsatisfiedLinkError("Unable to load library 'Metal'");
    });
    assertThat(d.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
    assertThat(d.detail()).isEqualTo("the Metal framework could not be used:"
        + " java.lang.UnsatisfiedLinkError: Unable to load library 'Metal'");

    d = metal(() -> {
      throw new IllegalStateException("objc_msgSend failed");
    });
    assertThat(d.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
    assertThat(d.detail()).isEqualTo("the Metal framework could not be used:"
        + " java.lang.IllegalStateException: objc_msgSend failed");
  }

  @Test
  void aCallThatHangsIsAbandonedAtTheProbeDeadline() {
    DeviceInfo d = metal(() -> {
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return List.of(new MetalGpu("too late", 1L << 30));
    }, "backplane.probe.timeout", "150ms");
    assertThat(d.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
    assertThat(d.detail())
        .isEqualTo("probe timed out after 150ms (backplane.probe.timeout) and was abandoned");
  }

  @Test
  void simulationTakesPrecedenceOverDetection() {
    DeviceInfo d = metal(() -> {
      throw new AssertionError("detection must not run while simulating");
    }, "backplane.metal.simulate", "ok");
    assertThat(d.detail()).startsWith("simulated Metal device (mode ok)");
  }
}
