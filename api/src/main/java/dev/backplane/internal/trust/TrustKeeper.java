package dev.backplane.internal.trust;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.ConfigKey;
import dev.backplane.config.CoreKeys;
import dev.backplane.config.Fallback;
import dev.backplane.internal.placement.DeviceProber;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides how far a {@link Backplane} trusts its accelerator devices: probes them (bounded by a
 * deadline, optionally in a child JVM), runs their canaries, and keeps both verdicts in the
 * {@link VerdictCache}. The reference CPU backend is always probed fresh, in process, and never
 * needs a canary: it is what the others are compared with, and the fallback no stale verdict may
 * take away. A device that failed its canary is not touched again until the verdict expires.
 */
public final class TrustKeeper {
  private static final List<ConfigKey<?>> NOT_FOR_CHILD = List.of(CoreKeys.BACKEND,
      CoreKeys.DEVICE, CoreKeys.CONFIG, CoreKeys.PROBE_ISOLATION, CoreKeys.PROBE_CACHE,
      CoreKeys.CACHE_DIR);
  private static final List<ConfigKey<?>> VERDICT_KEYS = List.of(CoreKeys.THREADS,
      CoreKeys.PROBE_TIMEOUT, CoreKeys.PROBE_ISOLATION, CoreKeys.CANARY_TIMEOUT,
      CoreKeys.TRUST_TOLERANCE);

  private final Backplane backplane;
  private final BackplaneConfig config;
  private final VerdictCache cache;
  private final Map<Device, Canary.Verdict> canaries = new HashMap<>();
  private final Map<Device, Instant> cachedAt = new ConcurrentHashMap<>();
  private volatile boolean ignoreCache;

  public TrustKeeper(Backplane backplane, BackplaneConfig config) {
    this.backplane = backplane;
    this.config = config;
    this.cache = VerdictCache.of(config);
  }

  /** From now on, verdicts are made afresh (and still written to the cache). */
  public void ignoreCache() {
    ignoreCache = true;
    cachedAt.clear();
    synchronized (canaries) {
      canaries.clear();
    }
  }

  /** A measured step time cached under {@code key}, unless the cache is ignored. */
  public java.util.OptionalDouble cachedTiming(String key) {
    if (ignoreCache) {
      return java.util.OptionalDouble.empty();
    }
    Optional<VerdictCache.Entry> hit = cache.get("timing " + key);
    if (hit.isEmpty() || hit.get().lines().isEmpty()) {
      return java.util.OptionalDouble.empty();
    }
    try {
      return java.util.OptionalDouble.of(Double.parseDouble(hit.get().lines().get(0)));
    } catch (NumberFormatException e) {
      return java.util.OptionalDouble.empty();
    }
  }

  /** Caches a measured step time with the verdicts. */
  public void cacheTiming(String key, double millisPerStep) {
    cache.put("timing " + key, List.of(Double.toString(millisPerStep)));
  }

  private boolean isolated() {
    return config.get(CoreKeys.PROBE_ISOLATION).equals("process");
  }

  /** The provider's devices: from the cache, a child JVM, or an in-process probe. */
  public List<DeviceInfo> probe(BackendProvider provider, BackendContext context) {
    Duration timeout = config.get(CoreKeys.PROBE_TIMEOUT);
    if (provider.servesAsReference()) {
      return DeviceProber.probe(provider, context, timeout);
    }
    String key = VerdictCache.key("probe", provider, "-", fingerprint(provider));
    Optional<VerdictCache.Entry> hit = ignoreCache ? Optional.empty() : cache.get(key);
    if (hit.isPresent()) {
      try {
        List<DeviceInfo> cached = new ArrayList<>();
        for (String line : hit.get().lines()) {
          cached.add(Wire.decode(line));
        }
        Instant at = Instant.ofEpochMilli(hit.get().savedAtMillis());
        cached.forEach(d -> cachedAt.put(d.device(), at));
        return cached;
      } catch (RuntimeException malformed) {
        // fall through and probe again
      }
    }
    List<DeviceInfo> devices = isolated() ? probeInChild(provider, timeout)
        : DeviceProber.probe(provider, context, timeout);
    cache.put(key, devices.stream().map(Wire::encode).toList());
    devices.forEach(d -> cachedAt.remove(d.device()));
    return devices;
  }

  /**
   * Runs (once per process, or takes from the cache) the canary of a chosen device.
   *
   * @return {@code null} when the device may be used, else why not
   */
  public String canaryFailure(DeviceInfo chosen) {
    if (!config.get(CoreKeys.CANARY) || !backplane.failoverPolicy(Fallback.CPU).guards(chosen.device())) {
      return null;
    }
    BackendProvider provider = backplane.provider(chosen.device().backend()).orElseThrow();
    Canary.Verdict v;
    synchronized (canaries) {
      v = canaries.get(chosen.device());
      if (v == null) {
        v = verdict(provider, chosen);
        canaries.put(chosen.device(), v);
      }
    }
    return v.passed() ? null : v.detail();
  }

  private Canary.Verdict verdict(BackendProvider provider, DeviceInfo info) {
    String key = VerdictCache.key("canary", provider, info.device() + " " + info.detail(),
        fingerprint(provider));
    Optional<VerdictCache.Entry> hit = ignoreCache ? Optional.empty() : cache.get(key);
    if (hit.isPresent() && hit.get().lines().size() == 2) {
      List<String> lines = hit.get().lines();
      cachedAt.merge(info.device(), Instant.ofEpochMilli(hit.get().savedAtMillis()),
          (a, b) -> a.isBefore(b) ? a : b);
      return Canary.Verdict.of(lines.get(0), Wire.unescape(lines.get(1)));
    }
    Canary.Verdict v = isolated() ? canaryInChild(provider, info.device())
        : Canary.run(backplane, info.device());
    if (v.outcome() != Canary.Verdict.Outcome.SKIPPED) {
      cache.put(key, List.of(v.word(), Wire.escape(v.detail())));
    }
    return v;
  }

  /** When the device's probe or canary verdict in use was made, if it came from the cache. */
  public Optional<Instant> cachedAt(Device device) {
    return Optional.ofNullable(cachedAt.get(device));
  }

  /** A hash of the configuration a verdict depends on: the provider's keys and a few core keys. */
  private String fingerprint(BackendProvider provider) {
    StringBuilder b = new StringBuilder();
    List<ConfigKey<?>> keys = new ArrayList<>(VERDICT_KEYS);
    keys.addAll(provider.configKeys());
    for (ConfigKey<?> k : keys) {
      b.append(k.name()).append('=').append(config.raw(k)).append(';');
    }
    return Long.toHexString(b.toString().hashCode() & 0xffffffffL);
  }

  // ------------------------------------------------------------------ child processes

  private List<DeviceInfo> probeInChild(BackendProvider provider, Duration timeout) {
    Device nominal = Device.of(provider.id(), provider.deviceType(), 0);
    String unusable = notInstantiable(provider);
    if (unusable != null) {
      return List.of(unavailable(nominal, unusable));
    }
    ChildJvm.Outcome o;
    try {
      o = ChildJvm.run(childProperties(provider), childArgs("probe", provider.id(), provider),
          timeout.plus(ChildJvm.STARTUP_ALLOWANCE));
    } catch (IOException e) {
      return List.of(unavailable(nominal, "could not start a probe process: " + e));
    }
    List<DeviceInfo> devices = new ArrayList<>();
    for (String line : o.results()) {
      if (line.startsWith(ProbeChild.DEVICE)) {
        devices.add(Wire.decode(line.substring(ProbeChild.DEVICE.length())));
      }
    }
    if (!devices.isEmpty()) {
      return devices;
    }
    return List.of(unavailable(nominal, "probe " + childFailure(o, "backplane.probe.timeout",
        timeout)));
  }

  private Canary.Verdict canaryInChild(BackendProvider provider, Device device) {
    String unusable = notInstantiable(provider);
    if (unusable != null) {
      return Canary.Verdict.fail(unusable);
    }
    Duration timeout = config.get(CoreKeys.CANARY_TIMEOUT);
    ChildJvm.Outcome o;
    try {
      o = ChildJvm.run(childProperties(provider),
          childArgs("canary", device.toString(), provider),
          timeout.plus(ChildJvm.STARTUP_ALLOWANCE));
    } catch (IOException e) {
      return Canary.Verdict.fail("could not start a canary process: " + e);
    }
    for (String line : o.results()) {
      if (line.startsWith(ProbeChild.CANARY)) {
        String[] parts = line.substring(ProbeChild.CANARY.length()).split("\t", 2);
        return Canary.Verdict.of(parts[0], Wire.unescape(parts[1]));
      }
    }
    return Canary.Verdict.fail(childFailure(o, "backplane.canary.timeout", timeout));
  }

  private static String childFailure(ChildJvm.Outcome o, String key, Duration timeout) {
    for (String line : o.results()) {
      if (line.startsWith(ProbeChild.ERROR)) {
        return "process failed: " + Wire.unescape(line.substring(ProbeChild.ERROR.length()));
      }
    }
    if (o.killed()) {
      return "process did not finish within " + DeviceProber.format(timeout) + " (" + key
          + ") plus " + DeviceProber.format(ChildJvm.STARTUP_ALLOWANCE)
          + " to start a JVM, and was killed";
    }
    return "process crashed (exit code " + o.exitCode() + ") before reporting" + o.tailText()
        + "; only the child JVM was affected (backplane.probe.isolation=process)";
  }

  /** The provider itself and the reference providers, by class name. */
  private List<String> childArgs(String mode, String what, BackendProvider provider) {
    List<String> args = new ArrayList<>(List.of(mode, what, provider.getClass().getName()));
    for (BackendProvider p : childReferences(provider)) {
      args.add(p.getClass().getName());
    }
    return args;
  }

  private List<BackendProvider> childReferences(BackendProvider provider) {
    List<BackendProvider> refs = new ArrayList<>();
    for (BackendProvider p : backplane.providers()) {
      if (p != provider && p.servesAsReference() && notInstantiable(p) == null) {
        refs.add(p);
      }
    }
    return refs;
  }

  private Map<String, String> childProperties(BackendProvider provider) {
    Map<String, String> props = new LinkedHashMap<>();
    List<ConfigKey<?>> keys = new ArrayList<>(CoreKeys.all());
    keys.addAll(provider.configKeys());
    childReferences(provider).forEach(p -> keys.addAll(p.configKeys()));
    Set<String> skipped = new java.util.HashSet<>();
    NOT_FOR_CHILD.forEach(k -> skipped.add(k.name()));
    for (ConfigKey<?> k : keys) {
      String raw = config.raw(k);
      if (raw != null && !skipped.contains(k.name())) {
        props.put(k.name(), raw);
      }
    }
    return props;
  }

  private static String notInstantiable(BackendProvider provider) {
    Class<?> c = provider.getClass();
    try {
      if (Modifier.isPublic(c.getModifiers()) && Modifier.isPublic(c.getConstructor()
          .getModifiers())
          && ClassLoader.getSystemResource(c.getName().replace('.', '/') + ".class") != null) {
        return null;
      }
    } catch (NoSuchMethodException | LinkageError e) {
      // reported below
    }
    return "cannot be checked in a child process (backplane.probe.isolation=process): "
        + c.getName() + " is not a public class with a public no-argument constructor on the"
        + " class path";
  }

  private static DeviceInfo unavailable(Device device, String reason) {
    return new DeviceInfo(device, DeviceStatus.UNAVAILABLE, reason);
  }
}
