package dev.backplane.testing;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.DeviceType;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A configurable provider for tests that need no real kernels: its devices have the given
 * statuses, and it compiles {@link RecordingExecutable}s.
 */
public class FakeProvider implements BackendProvider {
  private final String id;
  private final int priority;
  private final List<DeviceInfo> devices;
  /** Executables compiled so far, in order. */
  public final List<RecordingExecutable> compiled = new ArrayList<>();
  /** Number of times {@link #open} ran. */
  public final AtomicInteger opens = new AtomicInteger();
  /** Number of times the opened backend was closed. */
  public final AtomicInteger closes = new AtomicInteger();

  /** One READY CPU device {@code id:cpu:0}. */
  public FakeProvider(String id, int priority) {
    this(id, priority, new DeviceInfo(Device.cpu(id, 0), DeviceStatus.READY, "fake " + id));
  }

  /** The given devices. */
  public FakeProvider(String id, int priority, DeviceInfo... devices) {
    this.id = id;
    this.priority = priority;
    this.devices = List.of(devices);
  }

  /** A provider whose only device has this type and status. */
  public static FakeProvider withDevice(String id, int priority, DeviceType type,
      DeviceStatus status, String detail) {
    return new FakeProvider(id, priority,
        new DeviceInfo(Device.of(id, type, 0), status, detail));
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public Probe probe(BackendContext context) {
    return new Probe(devices);
  }

  @Override
  public Backend open(BackendContext context) {
    opens.incrementAndGet();
    return new SimpleBackend(id, devices, (spec, device) -> {
      RecordingExecutable e = new RecordingExecutable(spec, device);
      synchronized (compiled) {
        compiled.add(e);
      }
      return e;
    }, closes::incrementAndGet);
  }
}
