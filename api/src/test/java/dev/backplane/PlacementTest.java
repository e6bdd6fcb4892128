package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.config.Fallback;
import dev.backplane.testing.FakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {
  private final FakeProvider cpu = new FakeProvider("accelerate", 100);
  private final FakeProvider metal = FakeProvider.withDevice("metal", 200, DeviceType.GPU,
      DeviceStatus.UNAVAILABLE, "Metal needs macOS on Apple silicon; this is Linux amd64");
  private final FakeProvider tf = new FakeProvider("tf-java", 50,
      new DeviceInfo(Device.gpu("tf-java", 0), DeviceStatus.READY, "TF GPU"),
      new DeviceInfo(Device.cpu("tf-java", 0), DeviceStatus.READY, "TF CPU"));
  private final Backplane bp = TestBackplanes.of(TestBackplanes.config(), cpu, metal, tf);

  @Test
  void firstUsablePreferenceWinsAndEveryCandidateIsExplained() {
    Placement p = bp.place(List.of("metal", "tf-java:gpu", "cpu"), Fallback.CPU);
    assertThat(p.device()).isEqualTo(Device.gpu("tf-java", 0));
    assertThat(p.fellBack()).isFalse();
    assertThat(p.explain()).isEqualTo(String.join("\n",
        "Placement (preference: metal, tf-java:gpu, cpu; fallback: cpu)",
        "  metal:gpu:0       rejected  UNAVAILABLE: Metal needs macOS on Apple silicon; this is"
            + " Linux amd64",
        "  tf-java:gpu:0     chosen    READY: TF GPU",
        "  accelerate:cpu:0  skipped   an earlier preference is usable",
        "  tf-java:cpu:0     skipped   an earlier preference is usable"));
  }

  @Test
  void withoutPreferencesDevicesGoByProviderPriority() {
    Placement p = bp.place(List.of(), Fallback.CPU);
    assertThat(p.device()).isEqualTo(Device.cpu("accelerate", 0));
    assertThat(p.candidates().get(0).device()).isEqualTo(Device.gpu("metal", 0));
  }

  @Test
  void fallsBackToTheCpuAndSaysWhy() {
    Placement p = bp.place(List.of("metal"), Fallback.CPU);
    assertThat(p.device()).isEqualTo(Device.cpu("accelerate", 0));
    assertThat(p.fellBack()).isTrue();
    assertThat(p.explain()).contains("accelerate:cpu:0  fallback  no preferred device is usable"
        + " (backplane.fallback=cpu); READY: fake accelerate");
  }

  @Test
  void strictModeFailsWithTheExplanation() {
    assertThatThrownBy(() -> bp.place(List.of("metal"), Fallback.NONE))
        .isInstanceOf(PlacementException.class)
        .hasMessageContaining("backplane.fallback=none")
        .hasMessageContaining("metal:gpu:0  rejected  UNAVAILABLE: Metal needs macOS");
  }

  @Test
  void experimentalDevicesNeedToBeNamed() {
    FakeProvider exp = FakeProvider.withDevice("probe", 300, DeviceType.GPU,
        DeviceStatus.EXPERIMENTAL, "experimental GPU");
    Backplane b = TestBackplanes.of(TestBackplanes.config(), cpu, exp);
    assertThat(b.place(List.of("gpu", "cpu"), Fallback.CPU).device())
        .isEqualTo(Device.cpu("accelerate", 0));
    assertThat(b.place(List.of("probe"), Fallback.CPU).device())
        .isEqualTo(Device.gpu("probe", 0));
  }

  @Test
  void unstableDevicesAreNeverChosenAgain() {
    bp.markUnstable(Device.gpu("tf-java", 0), "non-finite loss at step 3");
    Placement p = bp.place(List.of("tf-java:gpu", "cpu"), Fallback.NONE);
    assertThat(p.device()).isEqualTo(Device.cpu("accelerate", 0));
    assertThat(p.explain()).contains("tf-java:gpu:0     rejected  UNSTABLE: non-finite loss at"
        + " step 3");
  }

  @Test
  void configuredPreferencesComeFromDeviceThenBackend() {
    Backplane b = TestBackplanes.of(TestBackplanes.config("backplane.backend", "tf-java",
        "backplane.device", "accelerate:cpu:0"), cpu, tf);
    assertThat(b.configuredPreferences()).containsExactly("accelerate:cpu:0");
    assertThat(b.place().device()).isEqualTo(Device.cpu("accelerate", 0));
  }
}
