package dev.backplane;

import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.ConfigException;
import dev.backplane.config.ConfigKey;
import dev.backplane.config.CoreKeys;
import dev.backplane.config.Fallback;
import dev.backplane.internal.BackplaneAccess;
import dev.backplane.internal.placement.Placer;
import dev.backplane.internal.placement.ProviderDiscovery;
import dev.backplane.internal.trust.TrustKeeper;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.trust.FailoverEvent;
import dev.backplane.trust.FailoverListener;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * The entry point: discovers backend providers, probes their devices, places models on a device
 * and compiles them there.
 *
 * <p>{@link #create()} reads the configuration from its standard sources and finds providers with
 * {@link java.util.ServiceLoader}; {@link #builder()} takes configuration and providers directly
 * (tests, Guice). Thread-safe. Backends are opened lazily, once, on first compile, and closed by
 * {@link #close()}.
 *
 * <p>Trust: probes are bounded by {@code backplane.probe.timeout} and, with
 * {@code backplane.probe.isolation=process}, run in a child JVM; a device of a non-reference
 * backend must pass a canary against the reference CPU kernels before placement chooses it;
 * verdicts are cached per machine ({@code backplane.probe.cache}). Every fallback and failover is
 * logged once and delivered to the registered {@link FailoverListener}s.
 */
public final class Backplane implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("dev.backplane");

  static {
    BackplaneAccess.install(Backplane::report);
  }

  private final java.util.concurrent.atomic.AtomicBoolean deviceOverrideLogged =
      new java.util.concurrent.atomic.AtomicBoolean();
  private static volatile Backplane global;

  private final BackplaneConfig config;
  private final Map<String, BackendProvider> providers;
  private final List<String> discoveryProblems;
  private final Map<String, Backend> opened = new ConcurrentHashMap<>();
  private final Map<Device, String> unstable = new ConcurrentHashMap<>();
  private final List<FailoverListener> listeners = new CopyOnWriteArrayList<>();
  private final TrustKeeper trust;
  private volatile List<DeviceInfo> probed;
  private volatile boolean closed;
  private java.util.function.LongSupplier nanoClock = System::nanoTime;

  private Backplane(BackplaneConfig config, Map<String, BackendProvider> providers,
      List<String> discoveryProblems) {
    this.config = config;
    this.providers = providers;
    this.discoveryProblems = List.copyOf(discoveryProblems);
    this.trust = new TrustKeeper(this, config);
  }

  /**
   * Reads configuration from its standard sources and discovers providers on the class path.
   *
   * @throws ConfigException listing every configuration problem
   */
  public static Backplane create() {
    return builder().build();
  }

  /**
   * The process-wide instance used by models compiled without an explicit {@code Backplane};
   * created on first use from the standard configuration and closed at JVM exit.
   */
  public static Backplane global() {
    Backplane b = global;
    if (b == null) {
      synchronized (Backplane.class) {
        b = global;
        if (b == null) {
          b = create();
          Backplane created = b;
          Runtime.getRuntime().addShutdownHook(new Thread(created::close, "backplane-shutdown"));
          global = b;
        }
      }
    }
    return b;
  }

  /** A builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configuration in force. */
  public BackplaneConfig config() {
    return config;
  }

  /** The providers, highest priority first. */
  public List<BackendProvider> providers() {
    return List.copyOf(providers.values());
  }

  /** Problems met while discovering providers (broken jars that were skipped). */
  public List<String> discoveryProblems() {
    return discoveryProblems;
  }

  /** The provider with this id. */
  public Optional<BackendProvider> provider(String id) {
    return Optional.ofNullable(providers.get(id));
  }

  /**
   * Every device of every provider, probed once (each probe bounded by
   * {@code backplane.probe.timeout}, accelerator probes isolated and cached as configured), with
   * devices marked unstable in this process shown so.
   *
   * @throws NoBackendException if there is no provider at all
   */
  public List<DeviceInfo> devices() {
    requireProviders();
    List<DeviceInfo> list = probed;
    if (list == null) {
      synchronized (this) {
        list = probed;
        if (list == null) {
          list = probeAll();
          probed = list;
        }
      }
    }
    List<DeviceInfo> view = new ArrayList<>(list.size());
    for (DeviceInfo d : list) {
      String why = unstable.get(d.device());
      view.add(why == null ? d : d.withStatus(DeviceStatus.UNSTABLE, why));
    }
    return view;
  }

  private List<DeviceInfo> probeAll() {
    List<DeviceInfo> all = new ArrayList<>();
    for (BackendProvider p : providers.values()) {
      all.addAll(trust.probe(p, context(false)));
    }
    return List.copyOf(all);
  }

  private BackendContext context(boolean reference) {
    return new BackendContext(config, reference, this::openReference);
  }

  /**
   * Forgets the probe and canary results, and ignores cached verdicts from now on: the next
   * {@link #devices()} probes again ({@code backplane devices --refresh}).
   */
  public void refresh() {
    trust.ignoreCache();
    probed = null;
  }

  /**
   * A step time measured by {@code backplane.placement=fastest} for this key (program
   * fingerprint and device), cached with the probe verdicts; empty after {@link #refresh()}.
   */
  public java.util.OptionalDouble cachedStepTime(String key) {
    return trust.cachedTiming(key);
  }

  /** Caches a measured step time with the probe verdicts ({@code backplane.probe.cache}). */
  public void cacheStepTime(String key, double millisPerStep) {
    trust.cacheTiming(key, millisPerStep);
  }

  /** The clock placement measures step times with ({@link System#nanoTime} unless a test sets one). */
  public long nanoTime() {
    return nanoClock.getAsLong();
  }

  /**
   * When the device's probe or canary verdict in use was made, if it was read from the verdict
   * cache ({@code backplane.probe.cache}) rather than checked in this process; empty otherwise.
   */
  public Optional<java.time.Instant> cachedVerdict(Device device) {
    return trust.cachedAt(device);
  }

  /**
   * Marks a device unstable for the rest of this process: placement never chooses it again.
   *
   * @param reason what it did wrong, shown in explanations
   */
  void markUnstable(Device device, String reason) {
    unstable.put(device, reason);
    LOG.warning("Device " + device + " marked UNSTABLE for this process: " + reason);
  }

  /** Registers a listener for every later fallback and failover. */
  public void addListener(FailoverListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /**
   * Reports a fallback or failover: marks its device unstable when the event says so, logs it
   * once (warning, logger {@code dev.backplane}) and delivers it to every listener. Called by the
   * placement and training code (through {@link BackplaneAccess}); applications listen rather
   * than report.
   */
  void report(FailoverEvent event) {
    if (event.marksUnstable()) {
      unstable.put(event.from(), event.reason());
    }
    LOG.warning(event.message());
    for (FailoverListener l : listeners) {
      try {
        l.onEvent(event);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "A failover listener failed: " + e, e);
      }
    }
  }

  /**
   * Whether a device is served by a reference backend (plain CPU kernels): such devices need no
   * canary and run their training steps unguarded.
   */
  boolean isReference(Device device) {
    BackendProvider p = providers.get(device.backend());
    return p != null && p.servesAsReference() && device.type().equals(DeviceType.CPU);
  }

  /**
   * The failover rule under this fallback mode: which devices are guarded and where a failing
   * device's work moves (see {@link FailoverPolicy}).
   */
  public FailoverPolicy failoverPolicy(Fallback mode) {
    return new FailoverPolicy(mode, this::isReference, this::devices);
  }

  /** Places by the configuration: {@code backplane.device}, else {@code backplane.backend}. */
  public Placement place() {
    return place(configuredPreferences(), config.get(CoreKeys.FALLBACK));
  }

  /**
   * Places by an explicit preference list and fallback policy. A chosen device of a non-reference
   * backend must first pass its canary (once per process, or cached); one that fails is marked
   * UNSTABLE with the measured difference and placement moves on.
   *
   * @param preferences device names or short forms, most preferred first; empty means priority
   * @throws ConfigException for an unknown backend id or malformed device name
   * @throws PlacementException when nothing usable is found under the policy
   */
  public Placement place(List<String> preferences, Fallback fallback) {
    Objects.requireNonNull(fallback, "fallback");
    List<String> problems = new ArrayList<>();
    for (String token : preferences) {
      String problem = Placer.checkToken(token, providers.keySet());
      if (problem != null) {
        problems.add("Invalid device preference: " + problem);
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    Placement placement;
    while (true) {
      placement = Placer.place(preferences, fallback, devices(), providers.keySet());
      String failure = trust.canaryFailure(placement.chosen());
      if (failure == null) {
        break;
      }
      unstable.put(placement.device(), failure);
    }
    reportFallback(placement);
    return placement;
  }

  /**
   * Reports a placement that fell back to the CPU, or that passed over a device the preferences
   * named (placement by priority passes over unavailable devices silently).
   */
  private void reportFallback(Placement placement) {
    List<String> rejected = new ArrayList<>();
    Device first = null;
    for (Candidate c : placement.candidates()) {
      if (c.verdict() == Candidate.Verdict.CHOSEN) {
        break;
      }
      if (c.verdict() == Candidate.Verdict.REJECTED) {
        first = first == null ? c.device() : first;
        rejected.add(c.device() + " rejected: " + c.reason());
      }
    }
    if (!placement.fellBack() && (placement.preferences().isEmpty() || rejected.isEmpty())) {
      return;
    }
    String why = String.join("; ", rejected);
    if (placement.fellBack()) {
      why = "no preferred device is usable (backplane.fallback=cpu)"
          + (why.isEmpty() ? "" : "; " + why);
    }
    report(new FailoverEvent(FailoverEvent.Kind.FALLBACK, first, placement.device(), -1, -1,
        why));
  }

  /** The preference list from the configuration. */
  public List<String> configuredPreferences() {
    if (config.isSet(CoreKeys.DEVICE)) {
      if (config.isSet(CoreKeys.BACKEND) && !deviceOverrideLogged.getAndSet(true)) {
        LOG.info("backplane.device=" + config.get(CoreKeys.DEVICE) + " overrides backplane.backend="
            + String.join(",", config.get(CoreKeys.BACKEND)) + "; unset one of them");
      }
      return List.of(config.get(CoreKeys.DEVICE));
    }
    List<String> backends = config.get(CoreKeys.BACKEND);
    return backends == null ? List.of() : backends;
  }

  /**
   * Compiles a model on a device, opening its backend on first use.
   *
   * @throws BackendException if the backend cannot be opened or the device fails
   * @throws UnsupportedFeatureException if the backend cannot run the model
   */
  public Executable compile(ModelSpec spec, Device device) {
    return backend(device.backend()).compile(spec, device);
  }

  /**
   * The opened backend with this id, opening it on first use.
   *
   * @throws ConfigException for an unknown id, listing the known ones
   * @throws BackendException if it cannot be opened
   */
  public Backend backend(String id) {
    if (closed) {
      throw new IllegalStateException("This Backplane is closed");
    }
    BackendProvider provider = providers.get(id);
    if (provider == null) {
      throw new ConfigException(List.of("Unknown backend id '" + id + "'. Known backends: "
          + String.join(", ", providers.keySet())));
    }
    return opened.computeIfAbsent(id, k -> open(provider, false));
  }

  /**
   * Opens a fresh reference backend (plain CPU kernels, no native library) for canaries, audits
   * and conformance. The caller closes it.
   *
   * @throws NoBackendException if no provider serves as the reference
   */
  public Backend openReference() {
    for (BackendProvider p : providers.values()) {
      if (p.servesAsReference()) {
        return open(p, true);
      }
    }
    throw new NoBackendException("No provider serves as the reference CPU backend");
  }

  private Backend open(BackendProvider provider, boolean reference) {
    try {
      return provider.open(context(reference));
    } catch (BackplaneException e) {
      throw e;
    } catch (RuntimeException | LinkageError e) {
      throw new BackendException(null, "Backend '" + provider.id() + "' failed to open: "
          + ProviderDiscovery.describe(e), e);
    }
  }

  private void requireProviders() {
    if (providers.isEmpty()) {
      throw new NoBackendException(String.join(" ", discoveryProblems));
    }
  }

  /**
   * One line naming every provider with its id, priority and class, e.g. for logs:
   * {@code Backplane backends: accelerate (priority 100, ...AccelerateProvider)}.
   */
  public String summaryLine() {
    if (providers.isEmpty()) {
      return "Backplane backends: none (add " + NoBackendException.CPU_ARTIFACT + ")";
    }
    return "Backplane backends: " + providers.values().stream()
        .map(p -> p.id() + " (priority " + p.priority() + ", " + p.getClass().getName() + ")")
        .collect(Collectors.joining(", "));
  }

  /** A multi-line dump for bug reports: JVM, OS, configuration, providers, devices. */
  public String debugEnvironment() {
    StringBuilder b = new StringBuilder("----------- Backplane environment -----------\n");
    b.append("Java: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.version")).append('\n');
    b.append("OS: ").append(System.getProperty("os.name")).append(' ')
        .append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch"))
        .append(", ").append(Runtime.getRuntime().availableProcessors()).append(" processors\n");
    b.append("Configuration:\n");
    for (ConfigKey<?> key : knownKeys()) {
      Object value = config.get(key);
      b.append("  ").append(key.name()).append(" = ").append(value == null ? "(unset)" : value)
          .append("  [").append(config.sourceOf(key)).append("]\n");
    }
    b.append(summaryLine()).append('\n');
    for (String problem : discoveryProblems) {
      b.append("Discovery problem: ").append(problem).append('\n');
    }
    if (!providers.isEmpty()) {
      for (DeviceInfo d : devices()) {
        b.append("Device ").append(d.device()).append(": ").append(d.status()).append(" — ")
            .append(d.detail()).append('\n');
      }
    }
    return b.toString();
  }

  /** The core keys and every provider's keys. */
  public List<ConfigKey<?>> knownKeys() {
    return knownKeys(providers.values());
  }

  private static List<ConfigKey<?>> knownKeys(Iterable<BackendProvider> providers) {
    Map<String, ConfigKey<?>> keys = new LinkedHashMap<>();
    CoreKeys.all().forEach(k -> keys.put(k.name(), k));
    for (BackendProvider p : providers) {
      p.configKeys().forEach(k -> keys.putIfAbsent(k.name(), k));
    }
    return List.copyOf(keys.values());
  }

  /** Closes every opened backend (and with them their executables). Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (Backend b : opened.values()) {
      try {
        b.close();
      } catch (RuntimeException e) {
        LOG.warning("Closing backend " + b.id() + " failed: " + e);
      }
    }
    opened.clear();
  }

  /** Builds a {@link Backplane}. */
  public static final class Builder {
    private BackplaneConfig config;
    private final List<BackendProvider> extra = new ArrayList<>();
    private boolean serviceLoader = true;
    private ClassLoader classLoader;
    private final List<FailoverListener> listeners = new ArrayList<>();
    private java.util.function.LongSupplier nanoClock = System::nanoTime;

    private Builder() {}

    /** Registers a listener for every fallback and failover (see {@link #addListener}). */
    public Builder listener(FailoverListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /** Uses this configuration instead of {@link BackplaneConfig#load()}. */
    public Builder config(BackplaneConfig config) {
      this.config = Objects.requireNonNull(config, "config");
      return this;
    }

    /** Adds a provider directly, in addition to (or instead of) ServiceLoader discovery. */
    public Builder addProvider(BackendProvider provider) {
      extra.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /**
     * The clock that {@code backplane.placement=fastest} measures steps with; tests pass a fake
     * that their fake executables advance.
     */
    public Builder nanoClock(java.util.function.LongSupplier clock) {
      this.nanoClock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Whether to discover providers with ServiceLoader (default true); tests turn it off. */
    public Builder serviceLoader(boolean enabled) {
      this.serviceLoader = enabled;
      return this;
    }

    /** The class loader for ServiceLoader discovery (default: the context class loader). */
    public Builder classLoader(ClassLoader loader) {
      this.classLoader = loader;
      return this;
    }

    /**
     * Discovers providers and validates the configuration against every known key and backend
     * id.
     *
     * @throws ConfigException listing every problem
     * @throws BackplaneException if two providers claim one id
     */
    public Backplane build() {
      BackplaneConfig cfg = config != null ? config : BackplaneConfig.load();
      List<BackendProvider> found = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      if (serviceLoader) {
        ClassLoader cl = classLoader != null ? classLoader
            : Thread.currentThread().getContextClassLoader();
        ProviderDiscovery.Result r = ProviderDiscovery.discover(
            cl != null ? cl : Backplane.class.getClassLoader());
        found.addAll(r.providers().values());
        problems.addAll(r.problems());
      }
      found.addAll(extra);
      ProviderDiscovery.Result result = ProviderDiscovery.validate(found, problems);
      List<BackendProvider> ranked = new ArrayList<>(result.providers().values());
      ranked.sort(Comparator.comparingInt(Backplane::priorityOf).reversed()
          .thenComparing(BackendProvider::id));
      Map<String, BackendProvider> byId = new LinkedHashMap<>();
      ranked.forEach(p -> byId.put(p.id(), p));

      cfg.validate(knownKeys(byId.values()));
      List<String> prefProblems = new ArrayList<>();
      List<String> prefs = new ArrayList<>();
      if (cfg.isSet(CoreKeys.BACKEND)) {
        prefs.addAll(cfg.get(CoreKeys.BACKEND));
      }
      if (cfg.isSet(CoreKeys.DEVICE)) {
        prefs.add(cfg.get(CoreKeys.DEVICE));
      }
      if (!byId.isEmpty()) {
        for (String token : prefs) {
          String problem = Placer.checkToken(token, byId.keySet());
          if (problem != null) {
            prefProblems.add("Invalid backplane.backend/backplane.device: " + problem);
          }
        }
      }
      if (!prefProblems.isEmpty()) {
        throw new ConfigException(prefProblems);
      }
      Backplane backplane = new Backplane(cfg, byId, result.problems());
      backplane.listeners.addAll(listeners);
      backplane.nanoClock = nanoClock;
      LOG.fine(backplane.summaryLine());
      return backplane;
    }
  }

  private static int priorityOf(BackendProvider p) {
    try {
      return p.priority();
    } catch (RuntimeException e) {
      return Integer.MIN_VALUE;
    }
  }
}
