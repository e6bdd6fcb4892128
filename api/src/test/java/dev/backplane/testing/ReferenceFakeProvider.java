package dev.backplane.testing;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference CPU backend for tests that need real numbers but not the real CPU module: the
 * api's float64 interpreter ({@link dev.backplane.spi.InterpreterExecutable}) running the op set
 * (ops outside it are refused), serving as the reference. Its one device is
 * {@code <id>:cpu:0}, READY. Public with a no-argument constructor (id {@code accelerate}), so
 * child probe processes can instantiate it.
 */
public class ReferenceFakeProvider implements BackendProvider {
  private final String id;
  private final int priority;
  /** Number of times {@link #open} ran. */
  public final AtomicInteger opens = new AtomicInteger();

  /** Provider {@code accelerate}, priority 100, like the real CPU backend. */
  public ReferenceFakeProvider() {
    this("accelerate", 100);
  }

  /** A provider with this id and priority. */
  public ReferenceFakeProvider(String id, int priority) {
    this.id = id;
    this.priority = priority;
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
  public boolean servesAsReference() {
    return true;
  }

  private List<DeviceInfo> devices() {
    return List.of(new DeviceInfo(Device.cpu(id, 0), DeviceStatus.READY,
        "reference test kernels (plain Java)"));
  }

  @Override
  public Probe probe(BackendContext context) {
    return new Probe(devices());
  }

  @Override
  public Backend open(BackendContext context) {
    opens.incrementAndGet();
    return new SimpleBackend(id, devices(), (spec, device) -> {
      dev.backplane.spi.InterpreterExecutable exe =
          new dev.backplane.spi.InterpreterExecutable(spec, device);
      dev.backplane.spi.OpSupport.require(id, exe.programs(),
          new java.util.HashSet<>(dev.backplane.ops.OpSet.names()));
      return exe;
    });
  }
}
