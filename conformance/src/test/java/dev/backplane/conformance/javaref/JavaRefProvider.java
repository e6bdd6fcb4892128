package dev.backplane.conformance.javaref;

import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.Activation;
import dev.backplane.model.ActivationLayer;
import dev.backplane.model.Dense;
import dev.backplane.model.Layer;
import dev.backplane.model.Programs;
import dev.backplane.ops.OpSet;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.OpSupport;
import dev.backplane.spi.Probe;
import dev.backplane.spi.Program;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A plainly correct pure-Java backend for testing the kit: the api's float64 reference
 * interpreter ({@link dev.backplane.spi.InterpreterExecutable}) behind the SPI, with optional
 * injected {@link Fault}s. Serves as a reference. It runs every layer, custom ones too, whose
 * graph uses only ops it lists in {@link Backend#supportedOps()} (all of the op set, less those
 * named in {@link #withoutOps}).
 */
public class JavaRefProvider implements BackendProvider {
  private final String id;
  private final Set<Fault> faults;
  private final Set<String> missingOps = new java.util.LinkedHashSet<>();
  /**
   * What {@link Fault#LEAKS_NATIVE_MEMORY} allocated; kept until {@link #releaseLeakedMemory}.
   */
  private static final List<java.nio.ByteBuffer> LEAKED =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private static final int LEAK_BYTES = 2 << 20;

  /** A correct backend with id {@code java-ref}. */
  public JavaRefProvider() {
    this("java-ref");
  }

  /** A backend with this id and these faults. */
  public JavaRefProvider(String id, Fault... faults) {
    this.id = id;
    this.faults = faults.length == 0 ? EnumSet.noneOf(Fault.class) : EnumSet.of(faults[0], faults);
  }

  /**
   * Frees what every {@link Fault#LEAKS_NATIVE_MEMORY} backend leaked so far, and waits (a
   * bounded number of collections) until the JDK's cleaner has given it back, so that it is not
   * freed in the middle of a later test's measurement.
   */
  public static void releaseLeakedMemory() {
    java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
        .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
        .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
    long held;
    synchronized (LEAKED) {
      held = LEAKED.size() * LEAK_BYTES;
      LEAKED.clear();
    }
    long target = direct.getMemoryUsed() - held;
    for (int i = 0; i < 100 && direct.getMemoryUsed() > target; i++) {
      System.gc();
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** This provider, whose backends do not list these ops in {@code supportedOps()}. */
  public JavaRefProvider withoutOps(String... ops) {
    missingOps.addAll(List.of(ops));
    return this;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public int priority() {
    return 10;
  }

  @Override
  public boolean servesAsReference() {
    return true;
  }

  @Override
  public Probe probe(BackendContext context) {
    return Probe.of(new DeviceInfo(Device.cpu(id, 0), DeviceStatus.READY, "pure Java, float32"));
  }

  @Override
  public Backend open(BackendContext context) {
    return new Backend() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public List<DeviceInfo> devices() {
        return probe(context).devices();
      }

      @Override
      public Set<String> supportedOps() {
        Set<String> ops = new java.util.LinkedHashSet<>(OpSet.names());
        ops.removeAll(missingOps);
        return ops;
      }

      @Override
      public Executable compile(ModelSpec spec, Device device) {
        for (Layer l : spec.layers()) {
          checkSupported(l);
        }
        Programs programs = spec.programs();
        if (faults.contains(Fault.VAGUE_UNKNOWN_LAYER)) {
          for (Program p : List.of(programs.train(), programs.evaluate(), programs.predict())) {
            if (!OpSet.names().containsAll(p.opNames())) {
              throw new IllegalStateException("unknown layer");
            }
          }
        }
        OpSupport.require(id, programs, supportedOps());
        if (faults.contains(Fault.LEAKS_THREADS)) {
          Thread t = new Thread(() -> {
            try {
              Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }, "java-ref-leak");
          t.setDaemon(true);
          t.start();
        }
        if (faults.contains(Fault.LEAKS_NATIVE_MEMORY)) {
          // allocateDirect zeroes the buffer, so its pages are resident.
          LEAKED.add(java.nio.ByteBuffer.allocateDirect(LEAK_BYTES));
        }
        return new JavaRefExecutable(spec, device, faults);
      }

      @Override
      public void close() {}
    };
  }

  private void checkSupported(Layer l) {
    Activation a = l instanceof Dense d ? d.activation()
        : l instanceof ActivationLayer al ? al.activation() : null;
    if (a == Activation.GELU && faults.contains(Fault.UNSUPPORTED_GELU)) {
      throw new UnsupportedFeatureException(id, "activation gelu in layer '" + l.name() + "'");
    }
  }
}
