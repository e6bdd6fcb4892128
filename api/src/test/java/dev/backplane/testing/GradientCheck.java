package dev.backplane.testing;

import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Checks a backend's gradients against central finite differences, through the SPI only, so
 * any backend (and the conformance kit) can use it.
 *
 * <p>The analytic gradient is read off one {@link SGD} step with learning rate 1 from the spec's
 * initial state: {@code g = w_before - w_after}. The numeric one is
 * {@code (L(w + h) - L(w - h)) / (w+h - (w-h))} per checked element, with {@code L} the batch-mean
 * loss from {@link Executable#evaluateStep}; the step is taken on the float values actually
 * stored, and losses are summed in double by the backend. The forward pass still runs in float,
 * so choose {@code h} around {@code 1e-3} to {@code 1e-2} and relative tolerances around
 * {@code 1e-2}. Models must be deterministic in training mode (no active dropout).
 */
public final class GradientCheck {
  private GradientCheck() {}

  /** One compared gradient element. */
  public record Entry(String parameter, int index, double analytic, double numeric) {
    /** Whether {@code |analytic - numeric| <= atol + rtol · max(|analytic|, |numeric|)}. */
    public boolean within(double rtol, double atol) {
      double scale = Math.max(Math.abs(analytic), Math.abs(numeric));
      return Math.abs(analytic - numeric) <= atol + rtol * scale;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s[%d]: analytic %.6g, numeric %.6g", parameter, index,
          analytic, numeric);
    }
  }

  /** The compared elements of one check. */
  public record Report(List<Entry> entries) {
    /** Copies the list. */
    public Report {
      entries = List.copyOf(entries);
    }

    /** The elements outside the tolerance. */
    public List<Entry> failures(double rtol, double atol) {
      return entries.stream().filter(e -> !e.within(rtol, atol)).toList();
    }

    /**
     * Throws an {@link AssertionError} listing every element outside the tolerance.
     *
     * @return this report, for chaining
     */
    public Report assertWithin(double rtol, double atol) {
      List<Entry> bad = failures(rtol, atol);
      if (!bad.isEmpty()) {
        StringBuilder s = new StringBuilder(bad.size() + " of " + entries.size()
            + " gradient elements differ from central differences (rtol " + rtol + ", atol "
            + atol + "):");
        for (Entry e : bad) {
          s.append("\n  ").append(e);
        }
        throw new AssertionError(s.toString());
      }
      return this;
    }

    /** The largest absolute analytic gradient, to check a test is not vacuous. */
    public double maxAbsAnalytic() {
      return entries.stream().mapToDouble(e -> Math.abs(e.analytic())).max().orElse(0);
    }
  }

  /**
   * Compares analytic and numeric gradients of every parameter element (up to
   * {@code maxPerParameter} per parameter, spread evenly).
   *
   * @param compiler compiles a spec on the backend under test; the executable is closed here
   * @param spec the model; its optimizer is replaced by {@code SGD(1.0)}
   * @param x a batch of inputs
   * @param y its labels
   * @param h the finite-difference step
   * @param maxPerParameter how many elements of each parameter to check at most
   */
  public static Report check(Function<ModelSpec, Executable> compiler, ModelSpec spec, Tensor x,
      Tensor y, double h, int maxPerParameter) {
    ModelState initial = new ModelState(spec.initialState().copy().parameters(), List.of(), 0);
    ModelSpec sgd = new ModelSpec(spec.name(), spec.inputShape(), spec.layers(), spec.loss(),
        new SGD(1.0), spec.seed(), initial);
    int n = x.rows();
    float[] out = new float[n * sgd.outputSize()];
    List<Entry> entries = new ArrayList<>();
    try (Executable exe = compiler.apply(sgd)) {
      exe.trainStep(x, y, out);
      ModelState after = exe.snapshot();
      for (int p = 0; p < initial.parameters().size(); p++) {
        NamedArray before = initial.parameters().get(p);
        float[] stepped = after.parameters().get(p).values();
        int size = before.values().length;
        int stride = Math.max(1, size / Math.max(1, maxPerParameter));
        for (int i = 0; i < size; i += stride) {
          double analytic = (double) before.values()[i] - stepped[i];
          entries.add(new Entry(before.name(), i, analytic,
              numeric(exe, initial, p, i, h, x, y, out)));
        }
      }
    }
    return new Report(entries);
  }

  private static double numeric(Executable exe, ModelState initial, int p, int i, double h,
      Tensor x, Tensor y, float[] out) {
    float w = initial.parameters().get(p).values()[i];
    float plus = (float) (w + h);
    float minus = (float) (w - h);
    double lossPlus = lossWith(exe, initial, p, i, plus, x, y, out);
    double lossMinus = lossWith(exe, initial, p, i, minus, x, y, out);
    return (lossPlus - lossMinus) / ((double) plus - minus);
  }

  private static double lossWith(Executable exe, ModelState initial, int p, int i, float value,
      Tensor x, Tensor y, float[] out) {
    ModelState state = initial.copy();
    state.parameters().get(p).values()[i] = value;
    exe.restore(state);
    return exe.evaluateStep(x, y, out) / x.rows();
  }
}
