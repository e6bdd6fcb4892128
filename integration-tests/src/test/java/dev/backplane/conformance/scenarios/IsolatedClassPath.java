package dev.backplane.conformance.scenarios;

import dev.backplane.conformance.Targets;
import dev.backplane.spi.BackendProvider;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Builds class loaders from the test class path with only some backend jars on them, to play a
 * user's class path: the test class path minus every backend location not wanted, plus extra
 * directories, with the platform class loader as parent so nothing leaks in from the test's own
 * loader.
 */
final class IsolatedClassPath {
  private static final String SERVICES = "META-INF/services/" + BackendProvider.class.getName();

  /** The test class path, entry by entry. */
  static List<Path> testClassPath() {
    String cp = System.getProperty("java.class.path");
    List<Path> entries = new ArrayList<>();
    for (String e : cp.split(File.pathSeparator)) {
      if (!e.isBlank()) {
        entries.add(Path.of(e));
      }
    }
    return entries;
  }

  /** Where each backend provider on the test class path lives, by backend id. */
  static Map<String, Path> backendLocations() throws Exception {
    Map<String, Path> found = new LinkedHashMap<>();
    for (BackendProvider p : Targets.providers()) {
      found.put(p.id(), Path.of(p.getClass().getProtectionDomain().getCodeSource().getLocation()
          .toURI()));
    }
    return found;
  }

  /** A directory registering these provider classes, like a provider jar's services file. */
  static Path servicesDir(Path dir, String... providerClasses) throws Exception {
    Path f = dir.resolve(SERVICES);
    Files.createDirectories(f.getParent());
    Files.writeString(f, String.join("\n", providerClasses) + "\n");
    return dir;
  }

  /**
   * Runs {@link ScenarioProbe} in a loader over the test class path without the excluded
   * locations and with the extra ones (first).
   */
  @SuppressWarnings("unchecked")
  static Map<String, Object> run(Set<Path> exclude, Path... extra) throws Exception {
    Set<URL> urls = new LinkedHashSet<>();
    for (Path p : extra) {
      urls.add(p.toUri().toURL());
    }
    for (Path p : testClassPath()) {
      if (!exclude.contains(p)) {
        urls.add(p.toUri().toURL());
      }
    }
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader("scenario", urls.toArray(URL[]::new),
        ClassLoader.getPlatformClassLoader())) {
      Thread.currentThread().setContextClassLoader(loader);
      Class<?> probe = loader.loadClass(ScenarioProbe.class.getName());
      if (probe == ScenarioProbe.class) {
        throw new IllegalStateException("The scenario loader is not isolated");
      }
      return ((Callable<Map<String, Object>>) probe.getConstructor().newInstance()).call();
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  private IsolatedClassPath() {}
}
