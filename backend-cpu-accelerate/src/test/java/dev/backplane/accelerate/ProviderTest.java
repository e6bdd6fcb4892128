package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** The SPI entry point: discovery, metadata, cheap construction, probing. */
class ProviderTest {
  @Test
  void isFoundByServiceLoader() {
    List<String> found = ServiceLoader.load(BackendProvider.class).stream()
        .map(ServiceLoader.Provider::type).map(Class::getName).toList();
    assertThat(found).contains(AccelerateProvider.class.getName());
  }

  @Test
  void metadata() {
    AccelerateProvider p = new AccelerateProvider();
    assertThat(p.id()).isEqualTo("accelerate");
    assertThat(p.priority()).isEqualTo(100);
    assertThat(p.servesAsReference()).isTrue();
    assertThat(p.configKeys()).containsExactly(BlasMode.KEY);
    assertThat(BlasMode.KEY.name()).isEqualTo("backplane.accelerate.blas");
    assertThat(BlasMode.KEY.defaultText()).isEqualTo("auto");
    assertThat(BlasMode.KEY.parse("NATIVE")).isEqualTo(BlasMode.NATIVE);
  }

  @Test
  void constructionAndMetadataLoadNoNativeCode() throws Exception {
    URL[] urls = {
        AccelerateProvider.class.getProtectionDomain().getCodeSource().getLocation(),
        BackendProvider.class.getProtectionDomain().getCodeSource().getLocation(),
        org.bytedeco.javacpp.Loader.class.getProtectionDomain().getCodeSource().getLocation(),
        com.sun.jna.Native.class.getProtectionDomain().getCodeSource().getLocation()};
    try (Isolated loader = new Isolated(urls)) {
      Class<?> type = loader.loadClass(AccelerateProvider.class.getName());
      Object provider = type.getConstructor().newInstance();
      for (String method : List.of("id", "priority", "configKeys", "servesAsReference")) {
        Method m = type.getMethod(method);
        assertThat(m.invoke(provider)).isNotNull();
      }
      // The control: the provider's own metadata classes were loaded through this loader.
      assertThat(loader.loaded(BlasMode.class.getName())).isTrue();
      for (String nativeClass : List.of("org.bytedeco.javacpp.Loader",
          "org.bytedeco.openblas.global.openblas_nolapack", "com.sun.jna.Native",
          OpenBlasGemm.class.getName(), NativeBlas.class.getName())) {
        assertThat(loader.loaded(nativeClass)).as(nativeClass).isFalse();
      }
    }
  }

  /** A class loader that can say which classes it has loaded. */
  private static final class Isolated extends URLClassLoader {
    Isolated(URL[] urls) {
      super(urls, ClassLoader.getPlatformClassLoader());
    }

    boolean loaded(String name) {
      return findLoadedClass(name) != null;
    }
  }

  @Test
  void probeReportsOneReadyDeviceNamingTheBlas() {
    Probe probe = new AccelerateProvider().probe(Fixtures.context(false, "backplane.threads",
        "2"));
    assertThat(probe.devices()).hasSize(1);
    DeviceInfo info = probe.devices().get(0);
    assertThat(info.device()).isEqualTo(Device.parse("accelerate:cpu:0"));
    assertThat(info.status()).isEqualTo(DeviceStatus.READY);
    // auto with the Vector API at hand: the detail also says how a model's kernels are chosen.
    assertThat(info.detail()).startsWith("OpenBLAS 0.3.28").contains("via JavaCPP 1.5.11")
        .contains(", 2 threads; backplane.accelerate.blas=auto: each model's matrix products run"
            + " on the faster of this and the Vector API kernels");
  }

  @Test
  void probeAsReferenceReportsPureJava() {
    Probe probe = new AccelerateProvider().probe(Fixtures.context(true, "backplane.threads", "1",
        BlasMode.KEY.name(), "native"));
    assertThat(probe.devices().get(0).detail())
        .isEqualTo("pure Java kernels (reference, scalar), 1 thread");
  }

  @Test
  void probeNeverThrowsAndReportsBadConfigurationAsUnavailable() {
    Probe probe = new AccelerateProvider().probe(Fixtures.context(false, BlasMode.KEY.name(),
        "cuda"));
    DeviceInfo info = probe.devices().get(0);
    assertThat(info.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
    assertThat(info.detail()).contains("backplane.accelerate.blas")
        .contains("auto | native | java").contains("cuda");
  }

  @Test
  void openedBackendListsTheSameDevice() {
    try (var backend = new AccelerateProvider().open(Fixtures.context(false, BlasMode.KEY.name(),
        "java", "backplane.threads", "3"))) {
      assertThat(backend.id()).isEqualTo("accelerate");
      assertThat(backend.devices()).containsExactly(new DeviceInfo(AccelerateBackend.DEVICE,
          DeviceStatus.READY, "pure Java kernels (Vector API, " + VectorGemm.vectorBits()
          + "-bit), 3 threads (backplane.accelerate.blas=java)"));
    }
  }
}
