package dev.backplane.conformance;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.backplane.NoBackendException;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.spi.BackendProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * The conformance kit: proves that a backend computes what the api means. A backend author runs
 * it from a test in a few lines:
 *
 * <pre>{@code
 * class MyBackendConformanceTest {
 *   @TestFactory
 *   Stream<DynamicNode> conformance() {
 *     return Conformance.of(new MyProvider()).dynamicTests();
 *   }
 * }
 * }</pre>
 *
 * <p>The checks (see {@link #checkIds()} and {@link Tolerances} for each tolerance): every layer,
 * activation and loss forward against the reference and its gradient against finite differences;
 * every optimizer against the reference; whole models (per-epoch losses and final state) against
 * the reference from the same seed and batches; determinism; snapshot round trips and moving a
 * model between backends mid-training; error behaviour; thread and memory release over many
 * compile/close cycles.
 *
 * <p>The reference is the CPU backend's plain kernels, opened through {@link
 * dev.backplane.Backplane#openReference()}: by default the first provider on the class path
 * (other than the one under test) that {@linkplain BackendProvider#servesAsReference() serves as
 * the reference}, else the tested provider itself in reference mode. Without a reference the
 * checks that need one are skipped with the reason, never passed.
 *
 * <p>Outcomes: <b>pass</b>; <b>fail</b>; <b>skip</b> with a reason when the device is missing or
 * unusable here, when the backend declines a feature at compile time with an {@link
 * dev.backplane.UnsupportedFeatureException}, when there is no reference, or when the check fails
 * but the backend declared it as a {@linkplain KnownGap known gap} (in {@value
 * KnownGaps#RESOURCE} in its jar, or through {@link #knownGap}).
 *
 * <p>Configure, then call {@link #run()} or {@link #dynamicTests()}; not thread-safe. By default
 * the backend is probed and opened with an isolated configuration (no system properties,
 * environment or files, no verdict cache, no canaries), so results do not depend on the
 * machine's settings; pass one with {@link #config} or {@link #set}.
 */
public final class Conformance {
  private static final Logger LOG = Logger.getLogger("dev.backplane.conformance");

  private final BackendProvider provider;
  private BackendProvider reference;
  private boolean referenceGiven;
  private BackplaneConfig config;
  private final Map<String, String> settings = new LinkedHashMap<>();
  private String device;
  private final List<KnownGap> gaps = new ArrayList<>();
  private final List<String> only = new ArrayList<>();

  private Conformance(BackendProvider provider) {
    this.provider = Objects.requireNonNull(provider, "provider");
  }

  /** The kit for this backend provider. */
  public static Conformance of(BackendProvider provider) {
    return new Conformance(provider);
  }

  /**
   * The kit for every provider {@link ServiceLoader} finds with the context class loader, highest
   * priority first; providers that fail to load are logged and left out.
   */
  public static List<Conformance> forClassPath() {
    List<Conformance> all = new ArrayList<>();
    for (BackendProvider p : discover(Thread.currentThread().getContextClassLoader())) {
      all.add(of(p));
    }
    return all;
  }

  /** The id of the backend under test. */
  public String backendId() {
    return provider.id();
  }

  /**
   * Uses this provider, opened in reference mode, as the reference; {@code null} means none (the
   * checks that need one are skipped).
   */
  public Conformance reference(BackendProvider referenceProvider) {
    this.reference = referenceProvider;
    this.referenceGiven = true;
    return this;
  }

  /** Probes and opens the backend under test with this configuration. */
  public Conformance config(BackplaneConfig configuration) {
    this.config = Objects.requireNonNull(configuration, "configuration");
    return this;
  }

  /** Sets one configuration key for the backend under test, e.g. a simulation switch. */
  public Conformance set(String key, String value) {
    settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return this;
  }

  /** Tests this device ({@code backend:type:index}) instead of the first usable one. */
  public Conformance device(String deviceName) {
    this.device = deviceName;
    return this;
  }

  /**
   * Declares a known gap in addition to those in the backend's {@value KnownGaps#RESOURCE}.
   *
   * @param checkPattern a check id, or a prefix ending in {@code *}
   * @param reason why, never blank
   */
  public Conformance knownGap(String checkPattern, String reason) {
    gaps.add(new KnownGap(checkPattern, reason, "program"));
    return this;
  }

  /**
   * Runs only the checks matching one of these patterns: an id ({@code forward/gelu}), a
   * category ({@code forward}) or a prefix ending in {@code *}.
   */
  public Conformance only(String... checkPatterns) {
    only.addAll(List.of(checkPatterns));
    return this;
  }

  /** The known gaps in force: the backend's file, then those declared in code. */
  public List<KnownGap> knownGaps() {
    List<KnownGap> all = new ArrayList<>(KnownGaps.of(provider));
    all.addAll(gaps);
    return all;
  }

  /** The id of every check, in report order. */
  public static List<String> checkIds() {
    return Catalog.all().stream().map(Check::id).toList();
  }

  /** Runs the checks and returns the report. */
  public ConformanceReport run() {
    return run(r -> { });
  }

  /** Runs the checks, telling the listener each result as it comes. */
  public ConformanceReport run(Consumer<CheckResult> listener) {
    try (Runner runner = newRunner()) {
      for (Check c : selected()) {
        listener.accept(runner.run(c));
      }
      return new ConformanceReport(runner.results());
    }
  }

  /**
   * The checks as JUnit 5 dynamic tests: one container for the backend, one inside it per
   * category. A failure fails its test; a skip aborts it with the reason. The backend is opened
   * on the first test and closed, and the report printed, when JUnit has run the container.
   */
  public Stream<DynamicNode> dynamicTests() {
    return Stream.of(dynamicContainer());
  }

  /** The container of {@link #dynamicTests()}, e.g. to gather several backends in one factory. */
  public DynamicContainer dynamicContainer() {
    Runner runner = newRunner();
    Map<String, List<Check>> byCategory = new LinkedHashMap<>();
    for (Check c : selected()) {
      byCategory.computeIfAbsent(c.category(), k -> new ArrayList<>()).add(c);
    }
    List<DynamicNode> categories = new ArrayList<>();
    byCategory.forEach((category, checks) -> categories.add(DynamicContainer.dynamicContainer(
        category, checks.stream().map(c -> dynamicTest(c.id(), () -> assertResult(runner.run(c))))
    )));
    // JUnit closes a container's children stream once they have run.
    return DynamicContainer.dynamicContainer("conformance of " + provider.id(),
        categories.stream().onClose(() -> {
          runner.close();
          List<CheckResult> results = runner.results();
          if (!results.isEmpty()) {
            System.out.println(new ConformanceReport(results).table());
          }
        }));
  }

  private static void assertResult(CheckResult r) {
    switch (r.status()) {
      case PASS:
        return;
      case SKIP:
        Assumptions.abort(r.reason());
        return;
      default:
        Assertions.fail(r.check() + " on " + r.device() + ": " + r.reason());
    }
  }

  private List<Check> selected() {
    List<Check> all = Catalog.all();
    if (only.isEmpty()) {
      return all;
    }
    List<Check> picked = all.stream().filter(c -> only.stream().anyMatch(p -> matches(p, c.id())))
        .toList();
    if (picked.isEmpty()) {
      throw new IllegalArgumentException("No conformance check matches " + only
          + ". Known checks: " + String.join(", ", checkIds()));
    }
    return picked;
  }

  private static boolean matches(String pattern, String id) {
    if (pattern.endsWith("*")) {
      return id.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return id.equals(pattern) || id.startsWith(pattern + "/");
  }

  private Runner newRunner() {
    BackplaneConfig cfg = config != null ? config : isolatedConfig();
    for (Map.Entry<String, String> e : settings.entrySet()) {
      cfg = cfg.with(e.getKey(), e.getValue());
    }
    BackendProvider ref;
    String noReference = null;
    if (referenceGiven) {
      ref = reference;
      if (ref == null) {
        noReference = "none was given to Conformance.reference(...)";
      }
    } else {
      ref = discoverReference();
      if (ref == null) {
        noReference = "no provider on the class path serves as the reference; add "
            + NoBackendException.CPU_ARTIFACT + " to the test class path";
      }
    }
    List<KnownGap> declared = knownGaps();
    List<String> ids = checkIds();
    for (KnownGap g : declared) {
      if (ids.stream().noneMatch(g::matches)) {
        throw new IllegalArgumentException("Known gap '" + g.pattern() + "' (declared in "
            + g.source() + ") matches no conformance check. Known checks: "
            + String.join(", ", ids));
      }
    }
    Session session = new Session(provider, cfg, device, ref, noReference);
    return new Runner(provider.id(), session, declared);
  }

  private BackendProvider discoverReference() {
    Set<BackendProvider> found = new LinkedHashSet<>();
    ClassLoader own = provider.getClass().getClassLoader();
    if (own != null) {
      found.addAll(discover(own));
    }
    found.addAll(discover(Thread.currentThread().getContextClassLoader()));
    return found.stream()
        .filter(p -> !p.id().equals(provider.id()) && p.servesAsReference())
        .max(Comparator.comparingInt(BackendProvider::priority))
        .orElse(provider.servesAsReference() ? provider : null);
  }

  private static List<BackendProvider> discover(ClassLoader loader) {
    Map<String, BackendProvider> byClass = new LinkedHashMap<>();
    Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class, loader).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        BackendProvider p = it.next();
        byClass.putIfAbsent(p.getClass().getName(), p);
      } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
        LOG.warning("A backend provider failed to load and is left out of conformance: "
            + describe(e));
      }
    }
    List<BackendProvider> list = new ArrayList<>(byClass.values());
    list.sort(Comparator.comparingInt(BackendProvider::priority).reversed()
        .thenComparing(BackendProvider::id));
    return list;
  }

  /**
   * A configuration that reads no system properties, environment or files, keeps no verdict
   * cache and runs no canaries: the kit is the judge here, and leaves nothing behind.
   */
  static BackplaneConfig isolatedConfig() {
    return BackplaneConfig.builder().systemProperties(new Properties()).environment(Map.of())
        .classpathFile(false).set("backplane.probe.cache", "0").set("backplane.canary", "off")
        .build();
  }

  /** An exception and its causes on one line. */
  static String describe(Throwable e) {
    StringBuilder b = new StringBuilder(String.valueOf(e));
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
      b.append("; caused by ").append(t);
    }
    return b.toString();
  }
}
