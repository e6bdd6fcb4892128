package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.config.Fallback;
import dev.backplane.testing.GpuProvider;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one failover rule placement, compile and the guards consult. */
class FailoverPolicyTest {
  private static final Device GPU = Device.gpu("flaky", 0);
  private static final Device CPU = Device.cpu("accelerate", 0);

  @Test
  void theReferenceCpuIsUnguardedAndEveryOtherDeviceIsGuarded() {
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config(), new GpuProvider("flaky"),
        new ReferenceFakeProvider())) {
      FailoverPolicy p = bp.failoverPolicy(Fallback.CPU);
      assertThat(p.guards(GPU)).isTrue();
      assertThat(p.guards(CPU)).isFalse();
    }
  }

  @Test
  void workMovesToTheFirstReadyCpuOtherThanTheFailingDeviceOnlyUnderCpu() {
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config(), new GpuProvider("flaky"),
        new ReferenceFakeProvider())) {
      assertThat(bp.failoverPolicy(Fallback.CPU).fallbackFor(GPU)).get()
          .extracting(DeviceInfo::device).isEqualTo(CPU);
      assertThat(bp.failoverPolicy(Fallback.CPU).fallbackFor(CPU)).isEmpty();
      assertThat(bp.failoverPolicy(Fallback.NONE).fallbackFor(GPU)).isEmpty();
      assertThat(bp.failoverPolicy(Fallback.NONE).allowsFallback()).isFalse();
      assertThat(bp.failoverPolicy(Fallback.NONE).strictAdvice("training stops"))
          .isEqualTo("backplane.fallback=none, so training stops; set backplane.fallback=cpu to"
              + " fail over");
    }
  }

  @Test
  void onlyReadyCpuDevicesTakeOver() {
    List<DeviceInfo> devices = List.of(
        new DeviceInfo(GPU, DeviceStatus.READY, "gpu"),
        new DeviceInfo(Device.cpu("slow", 0), DeviceStatus.UNSTABLE, "marked"),
        new DeviceInfo(CPU, DeviceStatus.READY, "cpu"));
    assertThat(FailoverPolicy.firstReadyCpu(devices, null)).get().extracting(DeviceInfo::device)
        .isEqualTo(CPU);
    assertThat(FailoverPolicy.firstReadyCpu(devices, CPU)).isEmpty();
  }
}
