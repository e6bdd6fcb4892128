package dev.backplane.accelerate;

import dev.backplane.config.CoreKeys;
import dev.backplane.spi.BackendContext;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@link KernelChoice} verdicts kept in {@code kernels.properties} beside the probe and canary
 * verdicts ({@code backplane.cache.dir}, default {@code $XDG_CACHE_HOME/backplane} or
 * {@code ~/.cache/backplane}), for as long as {@code backplane.probe.cache} says (0: no file,
 * every backend times afresh). Verdicts are also remembered in memory for the backend's life, so
 * one process never flips its choice for a model. Any I/O problem is a miss, never a failure.
 */
final class KernelCache {
  private static final Logger LOG = Logger.getLogger("dev.backplane.accelerate");
  static final String FILE = "kernels.properties";

  private final Path file;
  private final Duration ttl;
  private final Map<String, KernelChoice.Verdict> memory = new HashMap<>();

  KernelCache(Path file, Duration ttl) {
    this.file = file;
    this.ttl = ttl;
  }

  /** The cache a context's configuration names. */
  static KernelCache of(BackendContext context) {
    return new KernelCache(directory(context.get(CoreKeys.CACHE_DIR)).resolve(FILE),
        context.get(CoreKeys.PROBE_CACHE));
  }

  /** The directory the api's verdict cache uses for the same setting. */
  static Path directory(String configured) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "backplane");
    }
    return Path.of(System.getProperty("user.home"), ".cache", "backplane");
  }

  /** A short stable key for a machine description and a shape list. */
  static String key(String machine, String shapes) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest((machine + "\n" + shapes)
          .getBytes(StandardCharsets.UTF_8));
      return "kernels." + HexFormat.of().formatHex(d, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  Path file() {
    return file;
  }

  boolean persistent() {
    return !ttl.isZero();
  }

  /** The unexpired verdict for a key, or {@code null}. */
  synchronized KernelChoice.Verdict get(String key) {
    KernelChoice.Verdict v = memory.get(key);
    if (v != null || !persistent()) {
      return v;
    }
    String value = load().getProperty(key);
    if (value == null) {
      return null;
    }
    try {
      String[] p = value.split(",");
      long saved = Long.parseLong(p[7]);
      if (System.currentTimeMillis() - saved > ttl.toMillis()) {
        return null;
      }
      v = new KernelChoice.Verdict(KernelChoice.Kernel.valueOf(p[0]), Long.parseLong(p[1]),
          Long.parseLong(p[2]), Integer.parseInt(p[3]), Integer.parseInt(p[4]),
          Integer.parseInt(p[5]), true);
      memory.put(key, v);
      return v;
    } catch (RuntimeException e) {
      return null; // a damaged line is a miss
    }
  }

  /** Remembers a verdict, and writes it to the file when persistent. */
  synchronized void put(String key, KernelChoice.Verdict v) {
    memory.put(key, v);
    if (!persistent()) {
      return;
    }
    Properties p = load();
    p.setProperty(key, v.kernel() + "," + v.nativeNanos() + "," + v.javaNanos() + ","
        + v.products() + "," + v.nativeWins() + "," + v.javaWins() + ",measured,"
        + System.currentTimeMillis());
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), FILE, ".tmp");
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "accelerate kernel choices by measurement (safe to delete)");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "Cannot write " + file, e);
    }
  }

  private Properties load() {
    Properties p = new Properties();
    if (Files.isRegularFile(file)) {
      try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        p.load(r);
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.FINE, "Cannot read " + file, e);
      }
    }
    return p;
  }
}
