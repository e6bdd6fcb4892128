package dev.backplane.metal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.Placement;
import dev.backplane.accelerate.AccelerateProvider;
import dev.backplane.config.Fallback;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With {@code backplane.probe.isolation=process} the canary runs in the child JVM too. */
class IsolatedCanaryTest {
  private static Placement place(String mode, String canaryTimeout) {
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.probe.isolation",
        "process", "backplane.metal.simulate", mode, "backplane.canary.timeout", canaryTimeout),
        new MetalProvider(), new AccelerateProvider())) {
      return bp.place(List.of("metal", "accelerate"), Fallback.CPU);
    }
  }

  @Test
  void aHangingDeviceFailsItsCanaryInTheChild() {
    Placement p = place("hang", "300ms");
    assertThat(p.device()).isEqualTo(Device.cpu("accelerate", 0));
    assertThat(p.explain()).contains("metal:gpu:0       rejected  UNSTABLE: canary failed: timed"
        + " out after 300ms (backplane.canary.timeout) and was abandoned");
  }

  @Test
  void aHealthyDevicePassesItsCanaryInTheChild() {
    // A generous deadline: the healthy canary must pass however loaded the machine is.
    assertThat(place("nan-after:5", "60s").device()).isEqualTo(MetalProvider.DEVICE);
  }
}
