package dev.backplane.internal.placement;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Probes a provider on a daemon thread with a deadline. A probe that throws or runs past the
 * deadline becomes an {@link DeviceStatus#UNAVAILABLE} device with the reason; the caller never
 * hangs (a hung probe thread is abandoned, and being a daemon it cannot keep the JVM alive).
 */
public final class DeviceProber {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private DeviceProber() {}

  public static List<DeviceInfo> probe(BackendProvider provider, BackendContext context,
      Duration timeout) {
    Device nominal = Device.of(provider.id(), provider.deviceType(), 0);
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "backplane-probe-" + provider.id() + "-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      Future<Probe> future = executor.submit(() -> provider.probe(context));
      Probe probe = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (probe == null) {
        return List.of(unavailable(nominal, "probe returned nothing"));
      }
      return probe.devices();
    } catch (TimeoutException e) {
      return List.of(unavailable(nominal, "probe timed out after " + format(timeout)
          + " (backplane.probe.timeout) and was abandoned"));
    } catch (ExecutionException e) {
      return List.of(unavailable(nominal,
          "probe failed: " + ProviderDiscovery.describe(e.getCause())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return List.of(unavailable(nominal, "probe interrupted"));
    } finally {
      executor.shutdownNow();
    }
  }

  private static DeviceInfo unavailable(Device device, String reason) {
    return new DeviceInfo(device, DeviceStatus.UNAVAILABLE, reason);
  }

  public static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
