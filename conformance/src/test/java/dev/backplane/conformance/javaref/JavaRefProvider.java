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
   * Addresses {@link Fault#LEAKS_NATIVE_MEMORY} allocated; freed only by {@link
   * #releaseLeakedMemory}, so a leak does not end in the middle of a later test's measurement.
   */
  private static final List<Long> LEAKED =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());
  private static final long LEAK_BYTES = 2 << 20;

  /** A correct backend with id {@code java-ref}. */
  public JavaRefProvider() {
    this("java-ref");
  }

  /** A backend with this id and these faults. */
  public JavaRefProvider(String id, Fault... faults) {
    this.id = id;
    this.faults = faults.length == 0 ? EnumSet.noneOf(Fault.class) : EnumSet.of(faults[0], faults);
  }

  /** Frees what every {@link Fault#LEAKS_NATIVE_MEMORY} backend leaked so far. */
  public static void releaseLeakedMemory() {
    synchronized (LEAKED) {
      LEAKED.forEach(UnsafeAccess.UNSAFE::freeMemory);
      LEAKED.clear();
    }
  }

  /** {@code sun.misc.Unsafe}, for memory no garbage collector frees behind a test's back. */
  private static final class UnsafeAccess {
    static final sun.misc.Unsafe UNSAFE;

    static {
      try {
        java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        UNSAFE = (sun.misc.Unsafe) f.get(null);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
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
          long address = UnsafeAccess.UNSAFE.allocateMemory(LEAK_BYTES);
          UnsafeAccess.UNSAFE.setMemory(address, LEAK_BYTES, (byte) 1); // resident pages
          LEAKED.add(address);
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
