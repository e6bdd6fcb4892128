package dev.backplane.conformance;

import dev.backplane.Backplane;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.conformance.javaref.JavaRefProvider;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The backends a cross-check runs on: the reference (the class path's reference provider in
 * reference mode, or the pure-Java test backend when there is none yet) and every provider on the
 * test class path with a usable device.
 */
public final class Targets implements AutoCloseable {
  /** One backend and device to compile on. */
  public record Target(String name, Backend backend, DeviceInfo device) {
    /** Compiles on this target. */
    public Executable compile(ModelSpec spec) {
      return backend.compile(spec, device.device());
    }
  }

  private final List<Target> targets = new ArrayList<>();
  private final List<String> unusable = new ArrayList<>();
  private final List<AutoCloseable> owned = new ArrayList<>();

  /** Opens the reference and every usable backend on the class path. */
  public Targets() {
    List<BackendProvider> onClassPath = providers();
    BackendProvider ref = onClassPath.stream().filter(BackendProvider::servesAsReference)
        .findFirst().orElse(new JavaRefProvider());
    Backplane bp = Backplane.builder().serviceLoader(false).config(Conformance.isolatedConfig())
        .addProvider(ref).build();
    owned.add(bp);
    Backend reference = bp.openReference();
    owned.add(reference);
    targets.add(new Target("reference (" + ref.id() + ")", reference,
        reference.devices().get(0)));
    for (BackendProvider p : onClassPath) {
      BackendContext ctx = new BackendContext(Conformance.isolatedConfig(), false);
      DeviceInfo usable = p.probe(ctx).devices().stream()
          .filter(d -> d.status() == DeviceStatus.READY).findFirst().orElse(null);
      if (usable == null) {
        unusable.add(p.id() + ": " + p.probe(ctx).devices());
        continue;
      }
      Backend b = p.open(ctx);
      owned.add(b);
      targets.add(new Target(p.id(), b, usable));
    }
  }

  /** The targets, the reference first. */
  public List<Target> all() {
    return List.copyOf(targets);
  }

  /** Backends on the class path without a usable device, with their probe. */
  public List<String> unusable() {
    return List.copyOf(unusable);
  }

  /** The providers ServiceLoader finds on the test class path. */
  public static List<BackendProvider> providers() {
    List<BackendProvider> found = new ArrayList<>();
    Iterator<BackendProvider> it = ServiceLoader.load(BackendProvider.class).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          break;
        }
        found.add(it.next());
      } catch (ServiceConfigurationError e) {
        // A broken jar is the class path scenario tests' business, not this one's.
      }
    }
    return found;
  }

  @Override
  public void close() {
    for (int i = owned.size() - 1; i >= 0; i--) {
      try {
        owned.get(i).close();
      } catch (Exception e) {
        throw new IllegalStateException("Closing " + owned.get(i) + " failed", e);
      }
    }
  }
}
