package dev.backplane.tfjava;

import dev.backplane.BackendException;
import dev.backplane.BackplaneException;
import dev.backplane.Device;
import dev.backplane.config.ConfigKey;
import dev.backplane.config.Values;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The {@code tf-java} backend: models run as TensorFlow graphs through TensorFlow Java.
 *
 * <p>Cheap by contract: the constructor, {@link #id()}, {@link #priority()} and
 * {@link #configKeys()} load no TensorFlow class and no native code. {@link #probe} loads the
 * native library and lists TensorFlow's own devices (GPUs first, then the CPU); any failure,
 * including {@link UnsatisfiedLinkError} and {@link ExceptionInInitializerError}, becomes an
 * unavailable {@code tf-java:cpu:0} carrying the cause.
 *
 * <p>Priority {@value #PRIORITY} is below the CPU backend's, so a CPU-only machine prefers the CPU
 * backend; a GPU device, when TensorFlow finds one, is listed first.
 */
public final class TfJavaProvider implements BackendProvider {
  /** The backend id. */
  public static final String ID = "tf-java";
  /** Default rank: below the CPU backend (100). */
  public static final int PRIORITY = 50;

  /**
   * Whether TensorFlow's graph optimizer (Grappler) rewrites each model graph; default off. Off,
   * the graph runs exactly as built (the api's formulas op for op) and a model compiles and
   * first runs several times faster; the steps of small and mid-size MLPs measured no slower.
   */
  public static final ConfigKey<Boolean> GRAPPLER = ConfigKey.of("backplane.tf-java.grappler",
      "let TensorFlow's Grappler optimizer rewrite model graphs", "on | off", "off",
      s -> Values.choice(s, "on", "off").equals("on"));

  private final Function<BackendContext, Probe> prober;

  /** The provider {@link java.util.ServiceLoader} creates. */
  public TfJavaProvider() {
    // A lambda, not TfJavaProbe::probe: the method reference would resolve TfJavaProbe eagerly.
    this(context -> TfJavaProbe.probe(context));
  }

  /** Tests substitute the prober to simulate a broken native library. */
  TfJavaProvider(Function<BackendContext, Probe> prober) {
    this.prober = Objects.requireNonNull(prober, "prober");
  }

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
    return List.of(GRAPPLER);
  }

  @Override
  public Probe probe(BackendContext context) {
    try {
      return prober.apply(context);
    } catch (Throwable t) {
      // Never throw from a probe: a broken native build must not take discovery down.
      return Probe.unavailable(Device.cpu(ID, 0), failure(t));
    }
  }

  @Override
  public Backend open(BackendContext context) {
    try {
      return TfJavaBackend.open(context);
    } catch (BackplaneException e) {
      throw e; // already says what went wrong: a configuration or backend error
    } catch (Throwable t) {
      throw new BackendException(null, "Cannot open backend '" + ID + "': " + failure(t), t);
    }
  }

  /** One line naming the failure and what to do about it; touches no TensorFlow class. */
  static String failure(Throwable t) {
    Throwable root = t;
    boolean linkage = t instanceof LinkageError;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
      linkage |= root instanceof LinkageError;
    }
    String cause = t.getClass().getSimpleName() + ": " + t.getMessage();
    if (root != t) {
      cause += " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    if (!linkage) {
      return "Probing TensorFlow failed: " + cause;
    }
    return "TensorFlow Java native library could not be loaded: " + cause
        + ". Put org.tensorflow:tensorflow-core-native with the classifier of this platform on the"
        + " class path, or choose another backend with backplane.backend";
  }
}
