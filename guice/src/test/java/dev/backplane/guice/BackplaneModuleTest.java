package dev.backplane.guice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.util.Modules;
import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.DeviceType;
import dev.backplane.Placement;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.ConfigException;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.Sequential;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import dev.backplane.testing.FakeProvider;
import dev.backplane.testing.RecordingExecutable;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackplaneModuleTest {
  private static final FakeProvider FAKE = new FakeProvider("fake", 50,
      new DeviceInfo(Device.cpu("fake", 0), DeviceStatus.READY, "fake cpu 0"),
      new DeviceInfo(Device.cpu("fake", 1), DeviceStatus.READY, "fake cpu 1"));

  /** Adds the fake provider through the multibinder, as an application adds its own backend. */
  private static final AbstractModule WITH_FAKE = new AbstractModule() {
    @Override
    protected void configure() {
      BackplaneModule.backends(binder()).addBinding().toInstance(FAKE);
    }
  };

  @Test
  void theDefaultModuleGivesTheConfiguredDeviceFromTheClassPath() {
    Injector injector = Guice.createInjector(new BackplaneModule());
    try (Backplane bp = injector.getInstance(Backplane.class)) {
      assumeFalse(bp.providers().isEmpty(), "no backend on the guice test class path yet");
      Device device = injector.getInstance(Device.class);
      assertThat(device).isEqualTo(bp.place().device());
      assertThat(injector.getInstance(Placement.class).device()).isEqualTo(device);
    }
  }

  @Test
  void backendsBoundThroughTheMultibinderJoinServiceLoaderAndTheConfiguredDeviceWins() {
    // The fake computes nothing real, so it would fail the canary against the CPU reference.
    Injector injector = Guice.createInjector(BackplaneModule.builder()
        .config(TestBackplanes.config("backplane.canary", "off"))
        .set("backplane.device", "fake:cpu:1").build(), WITH_FAKE);
    try (Backplane bp = injector.getInstance(Backplane.class)) {
      assertThat(bp.providers()).contains(FAKE);
      assertThat(injector.getInstance(Device.class)).isEqualTo(Device.cpu("fake", 1));
      assertThat(injector.getInstance(Backplane.class)).isSameAs(bp);
      assertThat(injector.getInstance(Placement.class).explain()).contains("fake:cpu:1");
    }
  }

  @Test
  void configurationFollowsBackplanePrecedenceModuleOverridesAboveSystemProperties() {
    String key = "backplane.device";
    String before = System.getProperty(key);
    System.setProperty(key, "fake:cpu:0");
    try {
      Injector fromProperty = Guice.createInjector(BackplaneModule.builder()
          .serviceLoader(false).build(), WITH_FAKE);
      assertThat(fromProperty.getInstance(Device.class)).isEqualTo(Device.cpu("fake", 0));
      assertThat(fromProperty.getInstance(BackplaneConfig.class).sourceOf(
          dev.backplane.config.CoreKeys.DEVICE)).isEqualTo("system property");

      Injector overridden = Guice.createInjector(BackplaneModule.builder()
          .serviceLoader(false).set(key, "fake:cpu:1").build(), WITH_FAKE);
      assertThat(overridden.getInstance(Device.class)).isEqualTo(Device.cpu("fake", 1));
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }

  @Test
  void aTestModuleSwapsInAMockBackend() {
    BackendProvider provider = mock(BackendProvider.class);
    Backend backend = mock(Backend.class);
    Device gpu = Device.gpu("mock", 0);
    when(provider.id()).thenReturn("mock");
    when(provider.priority()).thenReturn(1000);
    when(provider.deviceType()).thenReturn(DeviceType.GPU);
    when(provider.configKeys()).thenReturn(List.of());
    when(provider.probe(any())).thenReturn(Probe.of(new DeviceInfo(gpu, DeviceStatus.READY,
        "a mock GPU")));
    when(provider.open(any())).thenReturn(backend);
    when(backend.id()).thenReturn("mock");
    when(backend.compile(any(), any())).thenAnswer(inv -> new RecordingExecutable(
        inv.getArgument(0), inv.getArgument(1)));

    Injector injector = Guice.createInjector(Modules.override(BackplaneModule.builder()
        .config(TestBackplanes.config()).build()).with(new AbstractModule() {
          @Provides
          @Singleton
          Backplane backplane(BackplaneConfig config) {
            return Backplane.builder().serviceLoader(false).config(config).addProvider(provider)
                .build();
          }
        }));

    assertThat(injector.getInstance(Device.class)).isEqualTo(gpu);
    Backplane bp = injector.getInstance(Backplane.class);
    try (Sequential model = new Sequential(new int[] {4}, new Dense(2))) {
      model.compile(CompileOptions.builder().optimizer("sgd").loss("mse").backplane(bp).build());
      assertThat(model.device()).isEqualTo(gpu);
    }
    verify(provider).open(any());
    verify(backend).compile(any(), any());
  }

  @Test
  void aConfigurationErrorFailsInjectorCreationWithBackplanesMessage() {
    BackplaneConfig bad = TestBackplanes.config("backplane.threads", "zero",
        "backplane.devise", "cpu");
    String expected;
    try {
      TestBackplanes.of(bad, FAKE);
      throw new AssertionError("the configuration should be rejected");
    } catch (ConfigException e) {
      expected = e.getMessage();
    }
    assertThat(expected).contains("backplane.threads").contains("backplane.devise");

    assertThatThrownBy(() -> Guice.createInjector(BackplaneModule.builder().config(bad)
        .serviceLoader(false).build(), WITH_FAKE))
        .isInstanceOf(CreationException.class)
        .hasMessageContaining(expected)
        .cause().isInstanceOf(ConfigException.class);
  }
}
