package dev.backplane.guice;

import dev.backplane.Backplane;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.spi.BackendProvider;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.util.Set;

/** Builds the application's Backplane from the bound configuration and providers. */
final class BackplaneProvider implements Provider<Backplane> {
  /** The module's options. */
  record Settings(boolean serviceLoader) {}

  private final BackplaneConfig config;
  private final Set<BackendProvider> extra;
  private final Settings settings;

  @Inject
  BackplaneProvider(BackplaneConfig config, Set<BackendProvider> extra, Settings settings) {
    this.config = config;
    this.extra = extra;
    this.settings = settings;
  }

  /**
   * {@inheritDoc}
   *
   * @throws dev.backplane.config.ConfigException listing every configuration problem
   */
  @Override
  public Backplane get() {
    Backplane.Builder b = Backplane.builder().config(config)
        .serviceLoader(settings.serviceLoader());
    extra.forEach(b::addProvider);
    return b.build();
  }
}
