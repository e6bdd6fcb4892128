package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.config.Fallback;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.Probe;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.GpuProvider;
import dev.backplane.testing.ReferenceExecutable;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import dev.backplane.trust.FailoverEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Canaries and the verdict cache. */
class TrustTest {
  private static final Device GPU = Device.gpu("gpu", 0);
  @TempDir
  Path cacheDir;

  /** Counts probes. */
  static final class CountingProvider extends GpuProvider {
    final AtomicInteger probes = new AtomicInteger();

    CountingProvider(java.util.function.BiFunction<ModelSpec, Device, Executable> compiler) {
      super("gpu", compiler);
    }

    CountingProvider() {
      this((spec, device) -> new ReferenceExecutable(spec, device, "gpu"));
    }

    @Override
    public Probe probe(BackendContext context) {
      probes.incrementAndGet();
      return super.probe(context);
    }
  }

  /** Returns losses 5% too high. */
  static Executable drifting(ModelSpec spec, Device device) {
    return new ReferenceExecutable(spec, device, "gpu") {
      @Override
      public double trainStep(Tensor x, Tensor y, float[] outputs) {
        return super.trainStep(x, y, outputs) * 1.05;
      }
    };
  }

  private Backplane cached(GpuProvider gpu, List<FailoverEvent> events, String... keys) {
    List<String> all = new ArrayList<>(List.of("backplane.probe.cache", "1h",
        "backplane.cache.dir", cacheDir.toString()));
    all.addAll(List.of(keys));
    Backplane.Builder b = Backplane.builder().serviceLoader(false)
        .config(TestBackplanes.config(all.toArray(String[]::new))).addProvider(gpu)
        .addProvider(new ReferenceFakeProvider());
    if (events != null) {
      b.listener(events::add);
    }
    return b.build();
  }

  @Test
  void aHonestDevicePassesItsCanaryOncePerProcess() {
    GpuProvider gpu = new GpuProvider("gpu");
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config(), gpu,
        new ReferenceFakeProvider())) {
      assertThat(bp.place(List.of("gpu"), Fallback.NONE).device()).isEqualTo(GPU);
      assertThat(bp.place(List.of("gpu"), Fallback.NONE).device()).isEqualTo(GPU);
      assertThat(gpu.compiled).hasSize(1);
    }
  }

  @Test
  void aDriftingDeviceIsMarkedUnstableWithTheMeasuredDifferenceAndTheFallbackIsReportedOnce() {
    List<FailoverEvent> events = new ArrayList<>();
    try (Backplane bp = Backplane.builder().serviceLoader(false).config(TestBackplanes.config())
        .addProvider(new GpuProvider("gpu", TrustTest::drifting))
        .addProvider(new ReferenceFakeProvider()).listener(events::add).build()) {
      Placement p = bp.place(List.of("gpu"), Fallback.CPU);
      assertThat(p.device()).isEqualTo(Device.cpu("accelerate", 0));
      String reason = "canary failed: results differ from the reference CPU kernels"
          + " (accelerate:cpu:0) by up to 5.0e-02 relative, in the loss at step ";
      assertThat(p.explain()).contains("gpu:gpu:0         rejected  UNSTABLE: " + reason);
      assertThat(bp.devices().get(0).detail()).startsWith(reason);
      assertThat(events).singleElement().satisfies(e -> {
        assertThat(e.kind()).isEqualTo(FailoverEvent.Kind.FALLBACK);
        assertThat(e.from()).isEqualTo(GPU);
        assertThat(e.message()).startsWith("Fallback to accelerate:cpu:0: no preferred device is"
            + " usable (backplane.fallback=cpu); gpu:gpu:0 rejected: UNSTABLE: " + reason);
      });
      assertThatThrownBy(() -> bp.place(List.of("gpu"), Fallback.NONE))
          .isInstanceOf(PlacementException.class).hasMessageContaining(reason);
    }
  }

  @Test
  void aHangingCanaryIsAbandonedAtItsDeadline() {
    CountDownLatch never = new CountDownLatch(1);
    GpuProvider gpu = new GpuProvider("gpu", (spec, device) ->
        new ReferenceExecutable(spec, device, "gpu") {
          @Override
          public double trainStep(Tensor x, Tensor y, float[] outputs) {
            try {
              never.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return 0;
          }
        });
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.canary.timeout",
        "300ms"), gpu, new ReferenceFakeProvider())) {
      assertThat(bp.place(List.of("gpu", "cpu"), Fallback.NONE).explain()).contains("canary"
          + " failed: timed out after 300ms (backplane.canary.timeout) and was abandoned");
    }
  }

  @Test
  void aBackendWithoutKernelsFailsItsCanaryWithTheCompileError() {
    GpuProvider gpu = new GpuProvider("gpu", (spec, device) -> {
      throw new UnsupportedFeatureException("gpu", "any layer: it has no kernels yet");
    });
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config(), gpu,
        new ReferenceFakeProvider())) {
      assertThat(bp.place(List.of("gpu", "cpu"), Fallback.NONE).explain()).contains("UNSTABLE:"
          + " canary failed: could not compile the canary model: Backend 'gpu' cannot run any"
          + " layer: it has no kernels yet");
    }
  }

  @Test
  void withTheCanaryOffTheDeviceIsTrustedUnchecked() {
    GpuProvider gpu = new GpuProvider("gpu", TrustTest::drifting);
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.canary", "off"), gpu,
        new ReferenceFakeProvider())) {
      assertThat(bp.place(List.of("gpu"), Fallback.NONE).device()).isEqualTo(GPU);
      assertThat(gpu.compiled).isEmpty();
    }
  }

  @Test
  void probeVerdictsAreCachedPerMachineAndRefreshIgnoresThem() {
    CountingProvider gpu = new CountingProvider();
    try (Backplane first = cached(gpu, null)) {
      assertThat(first.devices().get(0).detail()).isEqualTo("test GPU gpu");
      assertThat(first.cachedVerdict(GPU)).isEmpty();
    }
    assertThat(Files.isRegularFile(cacheDir.resolve("verdicts.properties"))).isTrue();
    try (Backplane second = cached(gpu, null)) {
      assertThat(second.devices().get(0).detail()).isEqualTo("test GPU gpu");
      assertThat(second.cachedVerdict(GPU)).get()
          .matches(t -> t.isBefore(java.time.Instant.now().plusMillis(1)));
      assertThat(gpu.probes).hasValue(1);
      second.refresh();
      assertThat(second.devices().get(0).detail()).isEqualTo("test GPU gpu");
      assertThat(second.cachedVerdict(GPU)).isEmpty();
      assertThat(gpu.probes).hasValue(2);
    }
  }

  @Test
  void verdictsExpireAndZeroDisablesTheCache() throws InterruptedException {
    CountingProvider gpu = new CountingProvider();
    try (Backplane bp = cached(gpu, null, "backplane.probe.cache", "0")) {
      bp.devices();
    }
    assertThat(Files.exists(cacheDir.resolve("verdicts.properties"))).isFalse();
    try (Backplane bp = cached(gpu, null, "backplane.probe.cache", "20ms")) {
      bp.devices();
    }
    Thread.sleep(40);
    try (Backplane bp = cached(gpu, null, "backplane.probe.cache", "20ms")) {
      bp.devices();
    }
    assertThat(gpu.probes).hasValue(3);
  }

  @Test
  void aFailedCanaryIsCachedSoTheNextRunDoesNotTouchTheDevice() {
    CountingProvider gpu = new CountingProvider(TrustTest::drifting);
    try (Backplane bp = cached(gpu, null)) {
      bp.place(List.of("gpu", "cpu"), Fallback.CPU);
    }
    assertThat(gpu.compiled).hasSize(1);
    try (Backplane bp = cached(gpu, null)) {
      assertThat(bp.place(List.of("gpu", "cpu"), Fallback.CPU).explain())
          .contains("UNSTABLE: canary failed: results differ");
      assertThat(bp.cachedVerdict(GPU)).isPresent();
    }
    assertThat(gpu.compiled).hasSize(1);
  }

  @Test
  void aSkippedCanaryIsNotCachedSoALaterRunWithTheReferenceRunsIt() {
    CountingProvider gpu = new CountingProvider(TrustTest::drifting);
    for (int i = 0; i < 2; i++) {
      try (Backplane bp = Backplane.builder().serviceLoader(false).addProvider(gpu)
          .config(TestBackplanes.config("backplane.probe.cache", "1h", "backplane.cache.dir",
              cacheDir.toString())).build()) {
        assertThat(bp.place(List.of("gpu"), Fallback.NONE).device()).isEqualTo(GPU);
      }
    }
    // With the reference present, the canary runs (no skipped verdict was cached as a pass)
    // and catches the drift at once.
    try (Backplane bp = cached(gpu, null)) {
      assertThat(bp.place(List.of("gpu", "cpu"), Fallback.CPU).explain())
          .contains("UNSTABLE: canary failed: results differ");
    }
  }

  @Test
  void theReferenceCpuIsNeverCached() {
    AtomicInteger probes = new AtomicInteger();
    ReferenceFakeProvider cpu = new ReferenceFakeProvider() {
      @Override
      public Probe probe(BackendContext context) {
        probes.incrementAndGet();
        return super.probe(context);
      }
    };
    for (int i = 0; i < 2; i++) {
      try (Backplane bp = Backplane.builder().serviceLoader(false).addProvider(cpu)
          .config(TestBackplanes.config("backplane.probe.cache", "1h", "backplane.cache.dir",
              cacheDir.toString())).build()) {
        bp.devices();
      }
    }
    assertThat(probes).hasValue(2);
  }
}
