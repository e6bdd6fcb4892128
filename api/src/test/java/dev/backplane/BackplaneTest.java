package dev.backplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.backplane.config.ConfigException;
import dev.backplane.config.Fallback;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import dev.backplane.testing.FakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackplaneTest {
  @TempDir
  Path dir;

  private static final FakeProvider CPU = new FakeProvider("accelerate", 100);

  @Test
  void noProviderGivesTheArtifactToAdd() {
    Backplane bp = TestBackplanes.of(TestBackplanes.config());
    assertThatThrownBy(bp::devices).isInstanceOf(NoBackendException.class)
        .hasMessageContaining("No Backplane backend found on the class path")
        .hasMessageContaining("dev.backplane:backplane-backend-cpu-accelerate");
    assertThat(bp.summaryLine()).contains("none");
  }

  @Test
  void duplicateIdsNameBothProviders() {
    assertThatThrownBy(() -> TestBackplanes.of(TestBackplanes.config(),
        new FakeProvider("accelerate", 1), new FakeProvider("accelerate", 2)))
        .isInstanceOf(BackplaneException.class)
        .hasMessageContaining("Two backend providers claim the id 'accelerate'")
        .hasMessageContaining(FakeProvider.class.getName() + " from ");
  }

  @Test
  void providersAreRankedByPriorityAndSummarised() {
    Backplane bp = TestBackplanes.of(TestBackplanes.config(), new FakeProvider("slow", 10), CPU);
    assertThat(bp.providers()).extracting(BackendProvider::id).containsExactly("accelerate",
        "slow");
    assertThat(bp.summaryLine()).startsWith("Backplane backends: accelerate (priority 100, ")
        .contains("slow (priority 10, ");
    assertThat(bp.debugEnvironment()).contains("backplane.threads = ")
        .contains("Device accelerate:cpu:0: READY");
  }

  @Test
  void throwingProbeBecomesUnavailableWithCause() {
    BackendProvider broken = mock(BackendProvider.class);
    when(broken.id()).thenReturn("broken");
    when(broken.deviceType()).thenReturn(DeviceType.GPU);
    when(broken.probe(any())).thenThrow(new IllegalStateException("driver exploded"));
    Backplane bp = TestBackplanes.of(TestBackplanes.config(), broken, CPU);
    DeviceInfo info = bp.devices().stream().filter(d -> d.device().backend().equals("broken"))
        .findFirst().orElseThrow();
    assertThat(info.device()).isEqualTo(Device.gpu("broken", 0));
    assertThat(info.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
    assertThat(info.detail()).contains("probe failed").contains("driver exploded");
  }

  @Test
  void hangingProbeIsAbandonedAtTheDeadline() {
    CountDownLatch never = new CountDownLatch(1);
    BackendProvider hanging = mock(BackendProvider.class);
    when(hanging.id()).thenReturn("hangs");
    when(hanging.deviceType()).thenReturn(DeviceType.GPU);
    when(hanging.probe(any())).thenAnswer(inv -> {
      never.await();
      return Probe.unavailable(Device.gpu("hangs", 0), "unreachable");
    });
    Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.probe.timeout", "200ms"),
        hanging, CPU);
    Placement p = bp.place(List.of("hangs", "cpu"), Fallback.NONE);
    assertThat(p.device()).isEqualTo(Device.cpu("accelerate", 0));
    assertThat(p.explain()).contains("hangs:gpu:0").contains("rejected")
        .contains("probe timed out after 200ms (backplane.probe.timeout) and was abandoned");
  }

  @Test
  void brokenProviderJarIsReportedAndSkipped() throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(services.resolve(BackendProvider.class.getName()),
        ThrowingProvider.class.getName() + "\n" + GoodProvider.class.getName() + "\n");
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
        getClass().getClassLoader())) {
      Backplane bp = Backplane.builder().config(TestBackplanes.config()).classLoader(loader)
          .build();
      assertThat(bp.providers()).extracting(BackendProvider::id).containsExactly("good");
      assertThat(bp.discoveryProblems()).singleElement().asString()
          .contains("failed to load and was skipped").contains("no driver in this test");
    }
  }

  @Test
  void unknownBackendIdInConfigListsKnownOnes() {
    assertThatThrownBy(() -> TestBackplanes.of(
        TestBackplanes.config("backplane.backend", "metl,accelerate"), CPU))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown backend or device type 'metl' (known backends: accelerate;"
            + " device types: cpu, gpu)");
    assertThatThrownBy(() -> TestBackplanes.of(
        TestBackplanes.config("backplane.device", "tf:gpu:0"), CPU))
        .hasMessageContaining("unknown backend id 'tf' in 'tf:gpu:0'");
  }

  @Test
  void unknownProviderKeyIsRejectedButDeclaredKeysAreAccepted() {
    assertThatThrownBy(() -> TestBackplanes.of(
        TestBackplanes.config("backplane.accelerate.blas", "java"), CPU))
        .hasMessageContaining("Unknown key backplane.accelerate.blas");
  }

  @Test
  void closeClosesOpenedBackendsOnce() {
    FakeProvider p = new FakeProvider("accelerate", 100);
    Backplane bp = TestBackplanes.of(TestBackplanes.config(), p);
    bp.backend("accelerate");
    bp.backend("accelerate");
    assertThat(p.opens.get()).isEqualTo(1);
    bp.close();
    bp.close();
    assertThat(p.closes.get()).isEqualTo(1);
    assertThatThrownBy(() -> bp.backend("accelerate")).isInstanceOf(IllegalStateException.class);
  }

  /** A provider whose constructor throws, like a jar missing its native library. */
  public static final class ThrowingProvider extends FakeProvider {
    public ThrowingProvider() {
      super("throwing", 1);
      throw new IllegalStateException("no driver in this test");
    }
  }

  /** A provider that loads. */
  public static final class GoodProvider extends FakeProvider {
    public GoodProvider() {
      super("good", 1);
    }
  }
}
