package dev.backplane.spi;

import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.ConfigKey;
import dev.backplane.config.CoreKeys;

/**
 * What a backend is given when probed or opened: the validated configuration, and whether it is
 * opened as the reference backend (then it must compute with its plainest, library-free kernels).
 *
 * @param config the validated configuration; never {@code null}
 * @param reference whether the backend is opened to serve as the reference
 */
public record BackendContext(BackplaneConfig config, boolean reference) {
  /** The value of a key (the backend's own or a core key). */
  public <T> T get(ConfigKey<T> key) {
    return config.get(key);
  }

  /** {@code backplane.threads}. */
  public int threads() {
    return config.get(CoreKeys.THREADS);
  }
}
