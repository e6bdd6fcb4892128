package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.backplane.config.Fallback;
import dev.backplane.internal.trust.ChildJvm;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import dev.backplane.testing.ChildProviders;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code backplane.probe.isolation=process}: probes and canaries in a child JVM. */
class IsolationTest {
  private static Backplane isolated(BackendProvider accelerator, String... keys) {
    String[] all = new String[keys.length + 2];
    all[0] = "backplane.probe.isolation";
    all[1] = "process";
    System.arraycopy(keys, 0, all, 2, keys.length);
    return TestBackplanes.of(TestBackplanes.config(all), accelerator,
        new ReferenceFakeProvider());
  }

  /** The accelerator's device (the reference CPU's is the other one). */
  private static DeviceInfo first(Backplane bp) {
    return bp.devices().stream().filter(d -> !d.device().backend().equals("accelerate"))
        .findFirst().orElseThrow();
  }

  @Test
  void aChildThatHaltsCostsTheChildOnly() {
    try (Backplane bp = isolated(new ChildProviders.Halting())) {
      DeviceInfo d = first(bp);
      assertThat(d.device()).isEqualTo(Device.gpu("halts", 0));
      assertThat(d.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
      assertThat(d.detail()).startsWith("probe process crashed (exit code 77) before reporting")
          .endsWith("only the child JVM was affected (backplane.probe.isolation=process)");
      // The parent is alive and places on the CPU.
      assertThat(bp.place(List.of("halts", "cpu"), Fallback.NONE).device())
          .isEqualTo(Device.cpu("accelerate", 0));
    }
  }

  @Test
  void aHangingProbeTimesOutInTheChild() {
    try (Backplane bp = isolated(new ChildProviders.Hanging(), "backplane.probe.timeout",
        "300ms")) {
      assertThat(first(bp).detail())
          .isEqualTo("probe timed out after 300ms (backplane.probe.timeout) and was abandoned");
    }
  }

  @Test
  void aChildStuckOutsideTheProbeIsKilledAtTheDeadline() {
    try (Backplane bp = isolated(new ChildProviders.Stuck(), "backplane.probe.timeout",
        "200ms")) {
      assertThat(first(bp).detail()).isEqualTo("probe process did not finish within 200ms"
          + " (backplane.probe.timeout) plus 3s to start a JVM, and was killed");
    }
  }

  @Test
  void anHonestDeviceIsProbedAndPassesItsCanaryInAChild() {
    try (Backplane bp = isolated(new ChildProviders.Honest())) {
      assertThat(first(bp)).isEqualTo(new DeviceInfo(Device.gpu("honest", 0),
          DeviceStatus.READY, "test GPU honest"));
      Placement p = bp.place(List.of("honest"), Fallback.NONE);
      assertThat(p.device()).isEqualTo(Device.gpu("honest", 0));
    }
  }

  @Test
  void aChildJvmResolvesTheIncubatorModulesItsParentHas() {
    // Surefire starts the test JVM with --add-modules jdk.incubator.vector (root pom).
    assertThat(ChildJvm.incubatorModules()).contains("jdk.incubator.vector");
    try (Backplane bp = isolated(new ChildProviders.ModuleReporting())) {
      assertThat(first(bp).detail()).isEqualTo("incubator modules: ["
          + String.join(",", ChildJvm.incubatorModules()) + "]");
    }
  }

  @Test
  void aProviderThatCannotBeInstantiatedInAChildIsReportedNotProbedInProcess() {
    BackendProvider mocked = mock(BackendProvider.class);
    when(mocked.id()).thenReturn("mocked");
    when(mocked.deviceType()).thenReturn(DeviceType.GPU);
    when(mocked.probe(any())).thenReturn(Probe.unavailable(Device.gpu("mocked", 0), "no"));
    try (Backplane bp = isolated(mocked)) {
      assertThat(first(bp).detail()).startsWith("cannot be checked in a child process"
          + " (backplane.probe.isolation=process): ").endsWith("is not a public class with a"
          + " public no-argument constructor on the class path");
    }
  }
}
