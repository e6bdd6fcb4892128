package dev.backplane.accelerate;

import dev.backplane.config.ConfigKey;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import java.util.List;

/**
 * The {@link java.util.ServiceLoader} entry of the accelerate CPU backend: id
 * {@value #ID}, priority {@value #PRIORITY}, one device {@code accelerate:cpu:0}. It can serve
 * as the reference backend (then with its pure-Java kernels only). Construction, {@link #id()},
 * {@link #priority()} and {@link #configKeys()} load no native code; {@link #probe} and
 * {@link #open} load the native BLAS when {@code backplane.accelerate.blas} asks for it.
 */
public final class AccelerateProvider implements BackendProvider {
  /** The backend id. */
  public static final String ID = "accelerate";
  /** Default rank: the CPU backend, below accelerators. */
  public static final int PRIORITY = 100;

  /** The ServiceLoader constructor; does nothing. */
  public AccelerateProvider() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public List<ConfigKey<?>> configKeys() {
    return List.of(BlasMode.KEY);
  }

  @Override
  public boolean servesAsReference() {
    return true;
  }

  /** Reports {@code accelerate:cpu:0}, READY with the kernels in use, or why it cannot run. */
  @Override
  public Probe probe(BackendContext context) {
    return AccelerateProbe.probe(context);
  }

  @Override
  public Backend open(BackendContext context) {
    return AccelerateBackend.open(context);
  }
}
