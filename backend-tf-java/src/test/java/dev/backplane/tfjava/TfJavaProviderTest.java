package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackendException;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.ConfigException;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Discovery is cheap and never breaks; probing lists TensorFlow's devices honestly. */
class TfJavaProviderTest {
  @Test
  void registeredForServiceLoaderWithIdAndPriority() {
    BackendProvider p = CrossBackendComparison.provider("tf-java").orElseThrow();
    assertThat(p).isInstanceOf(TfJavaProvider.class);
    assertThat(p.priority()).isEqualTo(50);
    assertThat(p.configKeys()).extracting(k -> k.name())
        .containsExactly("backplane.tf-java.grappler");
    assertThat(p.servesAsReference()).isFalse();
  }

  @Test
  void probeListsTheCpuWithVersionThreadsAndOneDnn() {
    Probe probe = new TfJavaProvider().probe(CrossBackendComparison.context(3, false));
    DeviceInfo cpu = probe.devices().stream()
        .filter(d -> d.device().equals(Device.cpu("tf-java", 0))).findFirst().orElseThrow();
    assertThat(cpu.status()).isEqualTo(DeviceStatus.READY);
    assertThat(cpu.detail())
        .contains("/device:CPU:0", "TensorFlow 2.", "TF Java 1.1.0",
            "3 intra-op and 3 inter-op threads (backplane.threads)",
            "Grappler off (backplane.tf-java.grappler)", "oneDNN ");
    // GPUs, when TensorFlow has any, come first so placement prefers them.
    assertThat(probe.devices().get(probe.devices().size() - 1)).isEqualTo(cpu);
  }

  @Test
  void gpusAreListedFirst() {
    TfDevice cpu = new TfDevice(Device.cpu("tf-java", 0), "/device:CPU:0", 0);
    TfDevice gpu1 = new TfDevice(Device.gpu("tf-java", 1), "/device:GPU:1", 0);
    TfDevice gpu0 = new TfDevice(Device.gpu("tf-java", 0), "/device:GPU:0", 0);
    assertThat(TfJavaProbe.ordered(List.of(cpu, gpu1, gpu0))).containsExactly(gpu0, gpu1, cpu);
  }

  @Test
  void openedBackendSeesTheSameDevices() {
    TfJavaProvider provider = new TfJavaProvider();
    try (Backend backend = provider.open(CrossBackendComparison.context(2, false))) {
      assertThat(backend.id()).isEqualTo("tf-java");
      assertThat(backend.devices()).isEqualTo(
          provider.probe(CrossBackendComparison.context(2, false)).devices());
    }
  }

  @Test
  void brokenNativeLibraryIsAnUnavailableDeviceWithTheCause() {
    TfJavaProvider provider = new TfJavaProvider(context -> {
      throw new UnsatisfiedLinkError("no jnitensorflow in java.library.path");
    });
    Probe probe = provider.probe(CrossBackendComparison.context(1, false));
    assertThat(probe.devices()).hasSize(1);
    DeviceInfo d = probe.devices().get(0);
    assertThat(d.device()).isEqualTo(Device.cpu("tf-java", 0));
    assertThat(d.status()).isEqualTo(DeviceStatus.UNAVAILABLE);
    assertThat(d.detail()).contains("UnsatisfiedLinkError: no jnitensorflow in java.library.path",
        "tensorflow-core-native", "backplane.backend");
  }

  @Test
  void failedStaticInitialiserNamesTheRootCause() {
    TfJavaProvider provider = new TfJavaProvider(context -> {
      throw new ExceptionInInitializerError(new IllegalStateException("bad CPU features"));
    });
    assertThat(provider.probe(CrossBackendComparison.context(1, false)).devices().get(0).detail())
        .contains("ExceptionInInitializerError", "caused by IllegalStateException: bad CPU"
            + " features");
  }

  @Test
  void badConfigurationIsReportedAsSuchNotAsANativeFailure() {
    BackendContext context = new BackendContext(BackplaneConfig.builder().classpathFile(false)
        .set("backplane.tf-java.grappler", "maybe").build(), false);
    TfJavaProvider provider = new TfJavaProvider();
    assertThat(provider.probe(context).devices().get(0).detail())
        .startsWith("Probing TensorFlow failed: ConfigException")
        .contains("backplane.tf-java.grappler", "on | off");
    assertThatThrownBy(() -> provider.open(context))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backplane.tf-java.grappler");
  }

  @Test
  void discoveryLoadsNoTensorFlowClass() throws Exception {
    try (Isolated loader = new Isolated(classPath(false))) {
      // The isolated loader has its own copy of the SPI: call it reflectively.
      Class<?> spi = loader.loadClass("dev.backplane.spi.BackendProvider");
      List<String> ids = new ArrayList<>();
      for (Object p : ServiceLoader.load(spi, loader)) {
        ids.add((String) spi.getMethod("id").invoke(p));
        spi.getMethod("priority").invoke(p);
        spi.getMethod("configKeys").invoke(p);
        spi.getMethod("servesAsReference").invoke(p);
      }
      assertThat(ids).contains("tf-java");
      assertThat(loader.loaded("dev.backplane.tfjava.TfJavaProvider")).isTrue();
      for (String name : List.of("dev.backplane.tfjava.TfJavaProbe", "org.tensorflow.TensorFlow",
          "org.tensorflow.Graph", "org.tensorflow.internal.c_api.global.tensorflow",
          "org.bytedeco.javacpp.Loader")) {
        assertThat(loader.loaded(name)).as(name + " loaded during discovery").isFalse();
      }
    }
  }

  @Test
  void missingNativeJarMakesProbeUnavailableAndOpenFail() throws Exception {
    try (Isolated loader = new Isolated(classPath(true))) {
      Class<?> configClass = loader.loadClass("dev.backplane.config.BackplaneConfig");
      Object builder = configClass.getMethod("builder").invoke(null);
      builder.getClass().getMethod("classpathFile", boolean.class).invoke(builder, false);
      Object config = builder.getClass().getMethod("build").invoke(builder);
      Class<?> contextClass = loader.loadClass("dev.backplane.spi.BackendContext");
      Object context = contextClass.getConstructor(configClass, boolean.class)
          .newInstance(config, false);
      Class<?> providerClass = loader.loadClass("dev.backplane.tfjava.TfJavaProvider");
      Object provider = providerClass.getConstructor().newInstance();

      Object probe = providerClass.getMethod("probe", contextClass).invoke(provider, context);
      assertThat(probe.toString()).contains("tf-java:cpu:0", "UNAVAILABLE",
          "TensorFlow Java native library could not be loaded");

      assertThatThrownBy(() -> {
        try {
          providerClass.getMethod("open", contextClass).invoke(provider, context);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
      }).satisfies(t -> assertThat(t.getClass().getName())
          .isEqualTo(BackendException.class.getName()))
          .hasMessageContaining("Cannot open backend 'tf-java'");
    }
  }

  /** The test class path, optionally without TensorFlow's native-library jar. */
  private static List<URL> classPath(boolean withoutNativeJar) throws MalformedURLException {
    String path = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    List<URL> urls = new ArrayList<>();
    for (String entry : path.split(File.pathSeparator)) {
      String name = new File(entry).getName();
      if (withoutNativeJar && name.startsWith("tensorflow-core-native-")
          && !name.equals("tensorflow-core-native-1.1.0.jar")) {
        continue;
      }
      urls.add(new File(entry).toURI().toURL());
    }
    return urls;
  }

  /** A class loader over the given class path alone (parent: the platform loader). */
  private static final class Isolated extends URLClassLoader {
    Isolated(List<URL> urls) {
      super(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    boolean loaded(String name) {
      return findLoadedClass(name) != null;
    }
  }
}
