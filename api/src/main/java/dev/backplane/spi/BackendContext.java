package dev.backplane.spi;

import dev.backplane.NoBackendException;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.ConfigKey;
import dev.backplane.config.CoreKeys;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a backend is given when probed or opened: the validated configuration, whether it is
 * opened as the reference backend (then it must compute with its plainest, library-free kernels),
 * and a way to open the reference backend, for backends that wrap it (the simulated Metal device)
 * instead of depending on another backend's module.
 *
 * @param config the validated configuration; never {@code null}
 * @param reference whether the backend is opened to serve as the reference
 * @param referenceOpener opens a fresh reference backend; never {@code null}
 */
public record BackendContext(BackplaneConfig config, boolean reference,
    Supplier<Backend> referenceOpener) {
  /** Validates the components. */
  public BackendContext {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(referenceOpener, "referenceOpener");
  }

  /** A context that cannot open a reference backend ({@link #openReference()} throws). */
  public BackendContext(BackplaneConfig config, boolean reference) {
    this(config, reference, () -> {
      throw new NoBackendException("No provider serves as the reference CPU backend");
    });
  }

  /** The value of a key (the backend's own or a core key). */
  public <T> T get(ConfigKey<T> key) {
    return config.get(key);
  }

  /** {@code backplane.threads}. */
  public int threads() {
    return config.get(CoreKeys.THREADS);
  }

  /**
   * Opens a fresh reference backend (plain CPU kernels, no native library), found through the
   * SPI like any other. The caller closes it.
   *
   * @throws NoBackendException if no provider serves as the reference
   */
  public Backend openReference() {
    return referenceOpener.get();
  }
}
