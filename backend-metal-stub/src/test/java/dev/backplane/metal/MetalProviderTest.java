package dev.backplane.metal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.backplane.BackendException;
import dev.backplane.Backplane;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.DeviceType;
import dev.backplane.spi.BackendContext;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetalProviderTest {
  private static DeviceInfo metal(String... keys) {
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config(keys), new MetalProvider(),
        new ReferenceFakeProvider())) {
      return bp.devices().get(0);
    }
  }

  @Test
  void identity() {
    MetalProvider p = new MetalProvider();
    assertThat(p.id()).isEqualTo("metal");
    assertThat(p.priority()).isEqualTo(200);
    assertThat(p.deviceType()).isEqualTo(DeviceType.GPU);
    assertThat(p.servesAsReference()).isFalse();
    assertThat(p.configKeys()).containsExactly(MetalProvider.SIMULATE);
  }

  @Test
  void elsewhereThanAppleSiliconMetalIsUnavailableAndSaysWhy() {
    assumeFalse(Platform.isAppleSilicon(), "this machine has Metal");
    DeviceInfo d = metal();
    assertThat(d.device()).isEqualTo(MetalProvider.DEVICE);
    assertThat(d.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
    assertThat(d.detail()).startsWith("Metal needs macOS on Apple silicon; this is ");
    if (System.getProperty("os.name").equals("Linux")
        && System.getProperty("os.arch").equals("amd64")) {
      assertThat(d.detail()).isEqualTo("Metal needs macOS on Apple silicon; this is Linux amd64");
    }
    assertThatThrownBy(() -> new MetalProvider().open(new BackendContext(
        TestBackplanes.config(), false))).isInstanceOf(BackendException.class)
        .hasMessageContaining("Metal needs macOS on Apple silicon");
  }

  @Test
  void discoveryAndProbeLoadNoJnaClassElsewhere() throws Exception {
    assumeFalse(Platform.isAppleSilicon(), "JNA is meant to load on a Mac");
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      urls.add(Path.of(entry).toUri().toURL());
    }
    // A fresh loader (parent: the platform loader) sees every class for the first time.
    try (SpyLoader loader = new SpyLoader(urls.toArray(URL[]::new))) {
      Class<?> provider = loader.loadClass(MetalProvider.class.getName());
      Object p = provider.getConstructor().newInstance();
      provider.getMethod("id").invoke(p);
      provider.getMethod("configKeys").invoke(p);
      Class<?> config = loader.loadClass("dev.backplane.testing.TestBackplanes");
      Object cfg = config.getMethod("config", String[].class).invoke(null, (Object) new String[0]);
      Class<?> ctx = loader.loadClass(BackendContext.class.getName());
      Object context = ctx.getConstructor(loader.loadClass(
          "dev.backplane.config.BackplaneConfig"), boolean.class).newInstance(cfg, false);
      Object probe = provider.getMethod("probe", ctx).invoke(p, context);
      assertThat(probe.toString()).contains("UNAVAILABLE");
      assertThat(loader.loaded("com.sun.jna.Native")).isFalse();
      assertThat(loader.loaded("com.sun.jna.NativeLibrary")).isFalse();
      assertThat(loader.loaded(MetalProbe.class.getName())).isFalse();
    }
  }

  /** Exposes which classes it has loaded. */
  static final class SpyLoader extends URLClassLoader {
    SpyLoader(URL[] urls) {
      super(urls, ClassLoader.getPlatformClassLoader());
    }

    boolean loaded(String name) {
      return findLoadedClass(name) != null;
    }
  }

  @Test
  void theSimulatedDeviceSaysItIsSimulated() {
    DeviceInfo d = metal("backplane.metal.simulate", "nan-after:5");
    assertThat(d).isEqualTo(new DeviceInfo(MetalProvider.DEVICE, DeviceStatus.EXPERIMENTAL,
        "simulated Metal device (mode nan-after:5) computing with the reference CPU kernels"));
  }

  @Test
  void aCrashingProbeIsReportedAsUnavailable() {
    assertThat(metal("backplane.metal.simulate", "crash-probe").detail()).isEqualTo("probe"
        + " failed: java.lang.IllegalStateException: simulated Metal fault"
        + " (backplane.metal.simulate=crash-probe): the probe crashed");
  }

  @Test
  void aHangingProbeIsAbandonedAtItsDeadline() {
    assertThat(metal("backplane.metal.simulate", "hang-probe", "backplane.probe.timeout",
        "200ms").detail())
        .isEqualTo("probe timed out after 200ms (backplane.probe.timeout) and was abandoned");
  }

  @Test
  void haltProbeRefusesToHaltThisJvm() {
    assertThat(metal("backplane.metal.simulate", "halt-probe").detail())
        .contains("it halts the JVM that probes, so it acts only in a child probe process");
  }

  @Test
  void haltProbeInAChildCostsTheChildOnly() {
    DeviceInfo d = metal("backplane.metal.simulate", "halt-probe",
        "backplane.probe.isolation", "process");
    assertThat(d.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
    assertThat(d.detail()).startsWith("probe process crashed (exit code 134) before reporting")
        .endsWith("only the child JVM was affected (backplane.probe.isolation=process)");
  }
}
