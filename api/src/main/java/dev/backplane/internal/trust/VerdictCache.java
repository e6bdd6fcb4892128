package dev.backplane.internal.trust;

import dev.backplane.Backplane;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.CoreKeys;
import dev.backplane.spi.BackendProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.Writer;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Probe and canary verdicts kept between runs in {@code verdicts.properties} under the user's
 * cache directory, so a slow or dangerous probe is paid once per machine and expiry period.
 *
 * <p>Keys name the kind (probe or canary), the backend id, the provider's version (its jar's
 * {@code Implementation-Version}, else the modification time of its class file, so a rebuild
 * invalidates), the OS, the device (for canaries) and a fingerprint of the configuration the
 * verdict depends on. Values are the time of the verdict and its lines ({@link Wire}). Any I/O
 * problem makes the cache miss, never fail: it is an optimisation.
 */
public final class VerdictCache {
  private static final Logger LOG = Logger.getLogger("dev.backplane");
  private static final String FILE = "verdicts.properties";

  /** A cached verdict: when it was made, and its lines. */
  record Entry(long savedAtMillis, List<String> lines) {}

  private final Path file;
  private final Duration ttl;

  private VerdictCache(Path file, Duration ttl) {
    this.file = file;
    this.ttl = ttl;
  }

  /** The cache the configuration asks for ({@code backplane.probe.cache}, {@code .cache.dir}). */
  public static VerdictCache of(BackplaneConfig config) {
    Duration ttl = config.get(CoreKeys.PROBE_CACHE);
    String dir = config.get(CoreKeys.CACHE_DIR);
    return new VerdictCache(directory(dir).resolve(FILE), ttl);
  }

  public static Path directory(String configured) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "backplane");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "backplane");
  }

  public boolean enabled() {
    return !ttl.isZero();
  }

  public Path file() {
    return file;
  }

  /** The unexpired entry for this key, if any. */
  public synchronized Optional<Entry> get(String key) {
    if (!enabled()) {
      return Optional.empty();
    }
    String value = load().getProperty(key);
    if (value == null) {
      return Optional.empty();
    }
    String[] lines = value.split("\n", -1);
    try {
      long saved = Long.parseLong(lines[0]);
      if (System.currentTimeMillis() - saved >= ttl.toMillis()) {
        return Optional.empty();
      }
      return Optional.of(new Entry(saved, List.of(Arrays.copyOfRange(lines, 1, lines.length))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Stores a verdict now, dropping entries that have expired. */
  public synchronized void put(String key, List<String> lines) {
    if (!enabled()) {
      return;
    }
    Properties all = load();
    long now = System.currentTimeMillis();
    all.stringPropertyNames().forEach(k -> {
      String v = all.getProperty(k);
      int nl = v.indexOf('\n');
      try {
        if (now - Long.parseLong(nl < 0 ? v : v.substring(0, nl)) >= ttl.toMillis()) {
          all.remove(k);
        }
      } catch (NumberFormatException e) {
        all.remove(k);
      }
    });
    all.setProperty(key, now + "\n" + String.join("\n", lines));
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), FILE, ".tmp");
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        all.store(w, "Backplane probe and canary verdicts; delete freely"
            + " (backplane devices --refresh ignores them)");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      LOG.fine("Could not write the verdict cache " + file + ": " + e);
    }
  }

  private Properties load() {
    Properties p = new Properties();
    if (Files.isRegularFile(file)) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException | RuntimeException e) {
        LOG.fine("Could not read the verdict cache " + file + ": " + e);
      }
    }
    return p;
  }

  /** The cache key of a verdict. */
  public static String key(String kind, BackendProvider provider, String device, String fingerprint) {
    return String.join(" | ", kind, provider.id(), version(provider), os(), device, fingerprint);
  }

  public static String os() {
    return System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch");
  }

  /** The provider's version: its jar's Implementation-Version, else its class file's mtime. */
  public static String version(BackendProvider provider) {
    Class<?> c = provider.getClass();
    Package pkg = c.getPackage();
    String v = pkg == null ? null : pkg.getImplementationVersion();
    if (v != null && !v.endsWith("SNAPSHOT")) {
      return v;
    }
    URL url = c.getResource(c.getSimpleName() + ".class");
    if (url == null) {
      return v == null ? "unknown" : v;
    }
    try {
      URLConnection conn = url.openConnection();
      conn.setUseCaches(false);
      long modified = conn.getLastModified();
      try (InputStream ignored = conn.getInputStream()) {
        // opened only to release the jar file handle on close
      }
      return (v == null ? "" : v + "@") + modified;
    } catch (IOException e) {
      return v == null ? "unknown" : v;
    }
  }
}
