package dev.backplane.conformance;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.NoBackendException;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.CoreKeys;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.Probe;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * What the checks of one backend share: its probed device, the opened backend and the opened
 * reference. Started on first use, closed once at the end of the run.
 */
final class Session implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("dev.backplane.conformance");

  private final BackendProvider provider;
  private final BackplaneConfig config;
  private final String deviceName;
  private final BackendProvider referenceProvider;
  private final String noReferenceReason;
  private final Map<String, Object> memo = new HashMap<>();

  private boolean started;
  private DeviceInfo device;
  private String unusable;
  private RuntimeException openFailure;
  private Backend backend;
  private Backplane referenceBackplane;
  private Backend reference;
  private Device referenceDevice;
  private String referenceFailure;

  Session(BackendProvider provider, BackplaneConfig config, String deviceName,
      BackendProvider referenceProvider, String noReferenceReason) {
    this.provider = provider;
    this.config = config;
    this.deviceName = deviceName;
    this.referenceProvider = referenceProvider;
    this.noReferenceReason = noReferenceReason;
  }

  /** The tested provider. */
  BackendProvider provider() {
    return provider;
  }

  /**
   * The context the tested backend is probed and opened with; a backend that wraps the reference
   * (the simulated Metal device) opens the kit's reference through it.
   */
  BackendContext context() {
    return new BackendContext(config, false, this::openFreshReference);
  }

  private Backend openFreshReference() {
    if (referenceProvider == null) {
      throw new NoBackendException("No reference backend for conformance: " + noReferenceReason);
    }
    return Backplane.builder().serviceLoader(false).config(Conformance.isolatedConfig())
        .addProvider(referenceProvider).build().openReference();
  }

  /** The device under test, or {@code null} when none is usable. */
  synchronized DeviceInfo deviceInfo() {
    start();
    return device;
  }

  /** A short description of the reference, for reports. */
  String referenceDescription() {
    return referenceProvider == null ? "none (" + noReferenceReason + ")"
        : referenceProvider.id() + " (reference mode)";
  }

  private void start() {
    if (started) {
      return;
    }
    started = true;
    List<DeviceInfo> devices;
    try {
      devices = probe();
    } catch (ProbeFailed e) {
      unusable = "probe failed: " + e.getMessage();
      return;
    }
    for (DeviceInfo d : devices) {
      boolean wanted = deviceName == null || d.device().toString().equals(deviceName);
      if (wanted && d.status() == DeviceStatus.READY) {
        device = d;
        break;
      }
    }
    for (DeviceInfo d : devices) {
      boolean wanted = deviceName == null || d.device().toString().equals(deviceName);
      if (device == null && wanted && d.status() == DeviceStatus.EXPERIMENTAL) {
        device = d;
      }
    }
    if (device == null) {
      unusable = "no usable device" + (deviceName == null ? "" : " named " + deviceName) + ": "
          + devices.stream().map(d -> d.device() + " " + d.status() + ": " + d.detail())
          .collect(Collectors.joining("; "));
      return;
    }
    try {
      backend = provider.open(context());
    } catch (RuntimeException | LinkageError e) {
      openFailure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  private List<DeviceInfo> probe() {
    Duration timeout = config.get(CoreKeys.PROBE_TIMEOUT);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "conformance-probe-" + provider.id());
      t.setDaemon(true);
      return t;
    });
    try {
      Future<Probe> f = executor.submit(() -> provider.probe(context()));
      Probe p = f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (p == null) {
        throw new ProbeFailed("probe returned null");
      }
      return p.devices();
    } catch (TimeoutException e) {
      throw new ProbeFailed("timed out after " + timeout.toMillis() + " ms"
          + " (backplane.probe.timeout)");
    } catch (ExecutionException e) {
      throw new ProbeFailed(Conformance.describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProbeFailed("interrupted");
    } finally {
      executor.shutdownNow();
    }
  }

  /**
   * The opened backend under test.
   *
   * @throws CheckSkipped if no device is usable here
   * @throws CheckFailed if a usable device's backend failed to open
   */
  synchronized Backend backend() {
    start();
    if (unusable != null) {
      throw new CheckSkipped(unusable);
    }
    if (openFailure != null) {
      throw new CheckFailed("backend '" + provider.id() + "' reports " + device.device() + " "
          + device.status() + " but failed to open: " + Conformance.describe(openFailure),
          openFailure);
    }
    return backend;
  }

  /** The device under test; see {@link #backend()} for what it throws. */
  Device device() {
    backend();
    return device.device();
  }

  /** Compiles on the device under test. */
  Executable compile(ModelSpec spec) {
    return backend().compile(spec, device());
  }

  /**
   * The opened reference backend.
   *
   * @throws CheckSkipped if there is none
   */
  synchronized Backend reference() {
    if (referenceProvider == null) {
      throw new CheckSkipped("no reference backend: " + noReferenceReason);
    }
    if (referenceFailure != null) {
      throw new CheckSkipped("the reference backend failed to open: " + referenceFailure);
    }
    if (reference == null) {
      try {
        referenceBackplane = Backplane.builder().serviceLoader(false)
            .config(Conformance.isolatedConfig()).addProvider(referenceProvider).build();
        reference = referenceBackplane.openReference();
        referenceDevice = reference.devices().stream()
            .filter(d -> d.status().usable()).map(DeviceInfo::device).findFirst()
            .orElseThrow(() -> new IllegalStateException("the reference reports no usable"
                + " device: " + reference.devices()));
      } catch (RuntimeException | LinkageError e) {
        referenceFailure = Conformance.describe(e);
        throw new CheckSkipped("the reference backend failed to open: " + referenceFailure);
      }
    }
    return reference;
  }

  /** Compiles on the reference device. */
  Executable compileReference(ModelSpec spec) {
    Backend ref = reference();
    return ref.compile(spec, referenceDevice);
  }

  /** A value computed once per session (e.g. a measurement two checks report on). */
  @SuppressWarnings("unchecked")
  synchronized <T> T memo(String key, Supplier<T> compute) {
    Object v = memo.get(key);
    if (v == null) {
      try {
        v = compute.get();
      } catch (RuntimeException e) {
        v = e;
      }
      memo.put(key, v);
    }
    if (v instanceof RuntimeException e) {
      throw e;
    }
    return (T) v;
  }

  /** Why a probe gave no devices. */
  private static final class ProbeFailed extends RuntimeException {
    ProbeFailed(String message) {
      super(message, null, false, false);
    }
  }

  @Override
  public synchronized void close() {
    if (backend != null) {
      try {
        backend.close();
      } catch (RuntimeException e) {
        LOG.warning("Closing backend " + provider.id() + " failed: " + e);
      }
      backend = null;
    }
    if (reference != null) {
      try {
        reference.close();
      } catch (RuntimeException e) {
        LOG.warning("Closing the reference backend failed: " + e);
      }
      reference = null;
    }
    if (referenceBackplane != null) {
      referenceBackplane.close();
      referenceBackplane = null;
    }
    memo.clear();
    started = false;
    device = null;
    unusable = null;
    openFailure = null;
    referenceFailure = null;
  }
}
