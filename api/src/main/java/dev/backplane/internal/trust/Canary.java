package dev.backplane.internal.trust;

import dev.backplane.BackendException;
import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.NoBackendException;
import dev.backplane.config.CoreKeys;
import dev.backplane.internal.placement.DeviceProber;
import dev.backplane.internal.placement.ProviderDiscovery;
import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Initializer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import dev.backplane.trust.Diff;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Does a device compute right? A tiny fixed model (4 inputs, Dense(8, tanh), Dense(1, sigmoid),
 * binary cross-entropy, Adam(0.01), seed 1234, 16 fixed samples) is trained {@value #STEPS} full
 * batch steps on the device and on the reference CPU kernels; every step's loss and outputs and
 * the final weights must agree within {@code backplane.trust.tolerance} (relative, see
 * {@link Diff}). Bounded by {@code backplane.canary.timeout}.
 */
public final class Canary {
  public static final int STEPS = 3;
  private static final int SAMPLES = 16;
  private static final int INPUTS = 4;

  /**
   * What the canary found.
   *
   * @param passed whether the device may be used
   * @param detail the largest difference measured, or why it failed; never {@code null}
   */
  public record Verdict(Outcome outcome, String detail) {
    /** How a canary ended. */
    public enum Outcome {
      /** The device matched the reference. */
      PASSED,
      /** The device failed or differed. */
      FAILED,
      /** Nothing to compare with (no reference backend): the device is let through, and the
       * verdict is not cached, since a later run may have the reference. */
      SKIPPED
    }

    static Verdict pass(String detail) {
      return new Verdict(Outcome.PASSED, detail);
    }

    static Verdict skipped(String detail) {
      return new Verdict(Outcome.SKIPPED, detail);
    }

    static Verdict fail(String detail) {
      return new Verdict(Outcome.FAILED, "canary failed: " + detail);
    }

    /** Whether the device may be used. */
    public boolean passed() {
      return outcome != Outcome.FAILED;
    }

    /** The verdict as one word for the cache and the child-process wire, e.g. {@code PASSED}. */
    public String word() {
      return outcome.name();
    }

    /** A verdict read back from {@link #word()} and the detail. */
    public static Verdict of(String word, String detail) {
      return new Verdict(word.equals("PASS") ? Outcome.PASSED : word.equals("FAIL")
          ? Outcome.FAILED : Outcome.valueOf(word), detail);
    }
  }

  private Canary() {}

  /** Runs the canary of a device in this JVM, bounded by {@code backplane.canary.timeout}. */
  public static Verdict run(Backplane backplane, Device device) {
    Duration timeout = backplane.config().get(CoreKeys.CANARY_TIMEOUT);
    double tolerance = backplane.config().get(CoreKeys.TRUST_TOLERANCE);
    Resources held = new Resources();
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "backplane-canary-" + device);
      t.setDaemon(true);
      return t;
    });
    try {
      Future<Verdict> f = executor.submit(() -> compare(backplane, device, tolerance, held));
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return Verdict.fail("timed out after " + DeviceProber.format(timeout)
          + " (backplane.canary.timeout) and was abandoned");
    } catch (ExecutionException e) {
      return Verdict.fail(ProviderDiscovery.describe(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Verdict.fail("interrupted");
    } finally {
      executor.shutdownNow();
      held.closeInBackground();
    }
  }

  private static Verdict compare(Backplane backplane, Device device, double tolerance,
      Resources held) {
    Backend ref;
    try {
      ref = held.reference = backplane.openReference();
    } catch (NoBackendException e) {
      return Verdict.skipped("no reference backend to compare with; canary skipped");
    }
    Executable d;
    try {
      d = held.device = backplane.compile(spec(), device);
    } catch (RuntimeException e) {
      return Verdict.fail("could not compile the canary model: " + e.getMessage());
    }
    Device refDevice = referenceDevice(ref);
    Executable r = held.referenceExecutable = ref.compile(spec(), refDevice);
    Tensor[] data = data();
    float[] od = new float[SAMPLES];
    float[] or = new float[SAMPLES];
    double worst = 0;
    String worstWhat = "";
    for (int s = 0; s < STEPS; s++) {
      double ld;
      try {
        ld = d.trainStep(data[0], data[1], od);
      } catch (RuntimeException e) {
        return Verdict.fail("step " + s + " threw " + e.getClass().getSimpleName()
            + (e.getMessage() == null ? "" : ": " + e.getMessage()));
      }
      double lr = r.trainStep(data[0], data[1], or);
      if (!Double.isFinite(ld) || !Diff.finite(od, SAMPLES)) {
        return Verdict.fail(String.format(java.util.Locale.ROOT, "non-finite results at step %d"
            + " (mean loss %.4f; the reference CPU kernels give %.4f)", s, ld / SAMPLES,
            lr / SAMPLES));
      }
      double dl = Diff.relative(ld, lr);
      double dout = Diff.relative(od, or, SAMPLES);
      if (Math.max(dl, dout) > worst) {
        worst = Math.max(dl, dout);
        worstWhat = (dl >= dout ? "the loss" : "the outputs") + " at step " + s;
      }
    }
    double dw = Diff.parameters(d.snapshot(), r.snapshot());
    if (dw > worst) {
      worst = dw;
      worstWhat = "the weights after " + STEPS + " steps";
    }
    if (worst > tolerance) {
      return Verdict.fail("results differ from the reference CPU kernels (" + refDevice
          + ") by up to " + Diff.format(worst) + " relative, in " + worstWhat + " (tolerance "
          + Diff.format(tolerance) + ", backplane.trust.tolerance)");
    }
    return Verdict.pass("canary matches the reference CPU kernels within "
        + Diff.format(tolerance) + " (largest relative difference " + Diff.format(worst) + ")");
  }

  public static Device referenceDevice(Backend ref) {
    for (DeviceInfo d : ref.devices()) {
      if (d.status().usable()) {
        return d.device();
      }
    }
    throw new BackendException(null, "The reference backend '" + ref.id()
        + "' reports no usable device", null);
  }

  /** The canary model. */
  public static ModelSpec spec() {
    List<dev.backplane.model.Layer> layers = List.of(
        new Dense(8, Activation.TANH, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS,
            "canary_hidden"),
        new Dense(1, Activation.SIGMOID, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS,
            "canary_output"));
    return ModelSpec.create("canary", new int[] {INPUTS}, layers, Loss.BINARY_CROSSENTROPY,
        new Adam(0.01), 1234);
  }

  /** The canary data: 16 samples, inputs uniform in [-1, 1), label 1 when x0 + x1 > 0. */
  public static Tensor[] data() {
    SplittableRandom random = new SplittableRandom(20240601);
    float[] x = new float[SAMPLES * INPUTS];
    float[] y = new float[SAMPLES];
    for (int i = 0; i < SAMPLES; i++) {
      for (int j = 0; j < INPUTS; j++) {
        x[i * INPUTS + j] = (float) (random.nextDouble() * 2 - 1);
      }
      y[i] = x[i * INPUTS] + x[i * INPUTS + 1] > 0 ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, SAMPLES, INPUTS), Tensor.wrap(y, SAMPLES, 1)};
  }

  /** What the canary opened, closed when it ends (in the background: a hung device may block). */
  private static final class Resources {
    volatile Backend reference;
    volatile Executable device;
    volatile Executable referenceExecutable;

    void closeInBackground() {
      Thread t = new Thread(() -> {
        closeQuietly(device);
        closeQuietly(referenceExecutable);
        closeQuietly(reference);
      }, "backplane-canary-close");
      t.setDaemon(true);
      t.start();
    }

    private static void closeQuietly(AutoCloseable c) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          // the canary's verdict already says what went wrong
        }
      }
    }
  }
}
