package dev.backplane.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Binder;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.Placement;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.spi.BackendProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Binds Backplane for a Guice application: the configured {@link Backplane} as an eager
 * singleton, its {@link Placement} (from {@code backplane.device} / {@code backplane.backend})
 * and the placed {@link Device} as singletons, and the {@link BackplaneConfig} they were built
 * from.
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new BackplaneModule(), new AbstractModule() {
 *   @Override
 *   protected void configure() {
 *     BackplaneModule.backends(binder()).addBinding().to(MyProvider.class);
 *   }
 * });
 * Device device = injector.getInstance(Device.class);
 * }</pre>
 *
 * <p>Configuration is read with Backplane's own precedence: this module's overrides ({@link
 * Builder#set}), then system properties {@code backplane.*}, environment variables
 * {@code BACKPLANE_*}, the properties file, defaults. Backends come from {@link
 * java.util.ServiceLoader} (unless turned off) plus every provider bound through {@link
 * #backends(Binder)}. The Backplane is built while the injector is created, so a configuration
 * error fails {@code Guice.createInjector} with a {@link com.google.inject.CreationException}
 * carrying Backplane's message. The application closes the Backplane when it shuts down.
 */
public final class BackplaneModule extends AbstractModule {
  private final Map<String, String> overrides;
  private final BackplaneConfig base;
  private final boolean serviceLoader;

  /** The standard configuration sources and ServiceLoader discovery. */
  public BackplaneModule() {
    this(builder());
  }

  private BackplaneModule(Builder b) {
    this.overrides = Map.copyOf(b.overrides);
    this.base = b.base;
    this.serviceLoader = b.serviceLoader;
  }

  /** A builder for overrides and options. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The multibinder to add backend providers through, in addition to those ServiceLoader finds.
   * Call from any module's {@code configure()}.
   */
  public static Multibinder<BackendProvider> backends(Binder binder) {
    return Multibinder.newSetBinder(binder, BackendProvider.class);
  }

  @Override
  protected void configure() {
    backends(binder());
    bind(BackplaneProvider.Settings.class)
        .toInstance(new BackplaneProvider.Settings(serviceLoader));
    bind(Backplane.class).toProvider(BackplaneProvider.class).asEagerSingleton();
  }

  @Provides
  @Singleton
  BackplaneConfig config() {
    if (base != null) {
      BackplaneConfig c = base;
      for (Map.Entry<String, String> e : overrides.entrySet()) {
        c = c.with(e.getKey(), e.getValue());
      }
      return c;
    }
    BackplaneConfig.Builder b = BackplaneConfig.builder();
    overrides.forEach(b::set);
    return b.build();
  }

  @Provides
  @Singleton
  Placement placement(Backplane backplane) {
    return backplane.place();
  }

  @Provides
  @Singleton
  Device device(Placement placement) {
    return placement.device();
  }

  /** Builds a {@link BackplaneModule}. */
  public static final class Builder {
    private final Map<String, String> overrides = new LinkedHashMap<>();
    private BackplaneConfig base;
    private boolean serviceLoader = true;

    private Builder() {}

    /** Sets a configuration key: the highest precedence, above system properties. */
    public Builder set(String key, String value) {
      overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Uses this configuration instead of reading the standard sources (tests); overrides still
     * apply on top.
     */
    public Builder config(BackplaneConfig config) {
      this.base = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Whether to discover providers with ServiceLoader too (default true). */
    public Builder serviceLoader(boolean enabled) {
      this.serviceLoader = enabled;
      return this;
    }

    /** The module. */
    public BackplaneModule build() {
      return new BackplaneModule(this);
    }
  }
}
