package dev.backplane.tfjava;

import dev.backplane.DeviceInfo;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SplittableRandom;

/**
 * Trains the same model on two executables — same spec (so the same seeded initial weights), same
 * data, same batches in the same order — and compares the per-epoch losses and the final state.
 * Written against the SPI only, so the conformance kit can lift it unchanged; backends are found
 * by id through {@link ServiceLoader}.
 */
public final class CrossBackendComparison {
  private CrossBackendComparison() {}

  /**
   * One comparison.
   *
   * @param name for messages
   * @param spec the model, with its seeded initial state
   * @param x inputs, {@code (n, inputs...)}
   * @param y labels, {@code (n, outputs)} or {@code (n, 1)} class indices
   * @param batchSize rows per step; the last batch of an epoch may be smaller
   * @param epochs passes over the data, batches in order (no shuffling)
   */
  public record Case(String name, ModelSpec spec, Tensor x, Tensor y, int batchSize, int epochs) {
    @Override
    public String toString() {
      return name;
    }
  }

  /**
   * What one executable did.
   *
   * @param epochLosses mean loss per epoch (sum of the steps' loss sums over the rows)
   * @param finalState the state after the last epoch
   */
  public record Run(double[] epochLosses, ModelState finalState) {}

  /** Both runs of a case, {@code a} the backend under test and {@code b} the reference. */
  public record Outcome(Case testCase, Run a, Run b) {}

  /** Trains {@code executable} as the case says. */
  public static Run train(Executable executable, Case c) {
    int n = c.x().rows();
    float[] outputs = new float[c.batchSize() * c.spec().outputSize()];
    double[] losses = new double[c.epochs()];
    for (int epoch = 0; epoch < c.epochs(); epoch++) {
      double sum = 0;
      for (int from = 0; from < n; from += c.batchSize()) {
        int to = Math.min(n, from + c.batchSize());
        sum += executable.trainStep(c.x().rows(from, to), c.y().rows(from, to), outputs);
      }
      losses[epoch] = sum / n;
    }
    return new Run(losses, executable.snapshot());
  }

  /** Trains both and returns what they did. */
  public static Outcome compare(Case c, Executable a, Executable b) {
    return new Outcome(c, train(a, c), train(b, c));
  }

  /**
   * Optimizer slots are compared at this multiple of the tolerance. A slot such as Adam's first
   * moment of an output bias is a running mean of gradients whose per-sample terms nearly cancel,
   * so its float32 round-off is large relative to its own (small) magnitude while the weights it
   * moves still agree; a formula difference would still show by orders of magnitude.
   */
  public static final double SLOT_TOLERANCE_FACTOR = 10;

  /**
   * Everything that differs by more than {@code rtol}: each epoch loss relative to the
   * reference's, and each parameter (and, at {@link #SLOT_TOLERANCE_FACTOR} times {@code rtol},
   * each optimizer slot) by its largest absolute difference relative to the reference array's
   * largest magnitude. Empty when the runs agree.
   */
  public static List<String> disagreements(Outcome o, double rtol) {
    List<String> problems = new ArrayList<>();
    double[] la = o.a().epochLosses();
    double[] lb = o.b().epochLosses();
    for (int e = 0; e < lb.length; e++) {
      double rel = Math.abs(la[e] - lb[e]) / Math.max(Math.abs(lb[e]), Double.MIN_NORMAL);
      if (!(rel <= rtol)) {
        problems.add(String.format("epoch %d loss %.9g vs %.9g (relative %.3g)", e + 1, la[e],
            lb[e], rel));
      }
    }
    ModelState sa = o.a().finalState();
    ModelState sb = o.b().finalState();
    if (sa.iterations() != sb.iterations()) {
      problems.add("iterations " + sa.iterations() + " vs " + sb.iterations());
    }
    compareArrays(sa.parameters(), sb.parameters(), rtol, problems);
    compareArrays(sa.variables(), sb.variables(), rtol, problems);
    compareArrays(sa.slots(), sb.slots(), rtol * SLOT_TOLERANCE_FACTOR, problems);
    return problems;
  }

  private static void compareArrays(List<NamedArray> a, List<NamedArray> b, double rtol,
      List<String> problems) {
    for (int i = 0; i < b.size(); i++) {
      float[] va = a.get(i).values();
      float[] vb = b.get(i).values();
      double scale = 0;
      double worst = 0;
      int at = 0;
      for (int j = 0; j < vb.length; j++) {
        scale = Math.max(scale, Math.abs(vb[j]));
        double d = Math.abs((double) va[j] - vb[j]);
        if (!(d <= worst)) {
          worst = d;
          at = j;
        }
      }
      double rel = worst / Math.max(scale, Double.MIN_NORMAL);
      if (!(rel <= rtol)) {
        problems.add(String.format("%s[%d] %.9g vs %.9g (relative to max |%.3g|: %.3g > %.3g)",
            b.get(i).name(), at, va[at], vb[at], scale, rel, rtol));
      }
    }
  }

  /**
   * The largest relative differences of an outcome, measured as {@link #disagreements} measures
   * them: over the epoch losses, over the parameters and over the optimizer slots.
   */
  public record Summary(double loss, double parameters, double slots) {
    @Override
    public String toString() {
      return String.format("loss %.2e, parameters %.2e, slots %.2e", loss, parameters, slots);
    }
  }

  /** The largest relative differences of an outcome. */
  public static Summary summary(Outcome o) {
    double loss = 0;
    for (int e = 0; e < o.b().epochLosses().length; e++) {
      double lb = o.b().epochLosses()[e];
      loss = Math.max(loss, Math.abs(o.a().epochLosses()[e] - lb) / Math.abs(lb));
    }
    return new Summary(loss, worst(o.a().finalState().parameters(),
        o.b().finalState().parameters()), worst(o.a().finalState().slots(),
        o.b().finalState().slots()));
  }

  private static double worst(List<NamedArray> a, List<NamedArray> b) {
    double worst = 0;
    for (int i = 0; i < b.size(); i++) {
      double scale = 0;
      double diff = 0;
      for (int j = 0; j < b.get(i).values().length; j++) {
        scale = Math.max(scale, Math.abs(b.get(i).values()[j]));
        diff = Math.max(diff, Math.abs((double) a.get(i).values()[j] - b.get(i).values()[j]));
      }
      worst = Math.max(worst, scale == 0 ? diff : diff / scale);
    }
    return worst;
  }

  /**
   * Fails with every disagreement listed.
   *
   * @throws AssertionError naming the case, both devices' runs and what differs
   */
  public static void assertAgree(Outcome o, double rtol, String aName, String bName) {
    List<String> problems = disagreements(o, rtol);
    if (!problems.isEmpty()) {
      throw new AssertionError("Case '" + o.testCase().name() + "': " + aName + " and " + bName
          + " differ by more than relative " + rtol + ":\n  " + String.join("\n  ", problems));
    }
  }

  /** The provider with this id on the class path, if any (broken providers are skipped). */
  public static Optional<BackendProvider> provider(String id) {
    var it = ServiceLoader.load(BackendProvider.class).iterator();
    while (true) {
      try {
        if (!it.hasNext()) {
          return Optional.empty();
        }
        BackendProvider p = it.next();
        if (p.id().equals(id)) {
          return Optional.of(p);
        }
      } catch (ServiceConfigurationError e) {
        // A broken provider is not the one asked for; keep looking.
      }
    }
  }

  /** A context with default configuration (no class-path file, fixed threads). */
  public static BackendContext context(int threads, boolean reference) {
    BackplaneConfig config = BackplaneConfig.builder().classpathFile(false)
        .set("backplane.threads", Integer.toString(threads)).build();
    return new BackendContext(config, reference);
  }

  /** Compiles on the backend's first usable device. */
  public static Executable compileOnFirstDevice(Backend backend, ModelSpec spec) {
    for (DeviceInfo d : backend.devices()) {
      if (d.status().usable()) {
        return backend.compile(spec, d.device());
      }
    }
    throw new IllegalStateException("Backend '" + backend.id() + "' has no usable device: "
        + backend.devices());
  }

  /**
   * The cases: the reference model (Dense(128, relu) → Dense(1, sigmoid), Adam, binary
   * cross-entropy, 1000×10, batch 32), a 3-class softmax with sparse categorical cross-entropy, a
   * regression with mean squared error, and each optimizer configuration; one epoch each.
   */
  public static List<Case> standardCases() {
    List<Case> cases = new ArrayList<>();
    Tensor[] binary = binaryData(1000, 10, 7);
    cases.add(new Case("reference model", ModelSpec.create("reference", new int[] {10},
        List.of(dense(128, Activation.RELU, "dense"), dense(1, Activation.SIGMOID, "dense_1")),
        Loss.BINARY_CROSSENTROPY, new Adam(), 42), binary[0], binary[1], 32, 1));
    Tensor[] classes = classData(600, 4, 3, 11);
    cases.add(new Case("softmax-3 sparse CCE", ModelSpec.create("softmax3", new int[] {4},
        List.of(dense(16, Activation.TANH, "dense"), dense(3, Activation.SOFTMAX, "dense_1")),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(0.01), 43), classes[0], classes[1], 32, 1));
    Tensor[] regression = regressionData(500, 5, 13);
    cases.add(new Case("regression MSE", ModelSpec.create("regression", new int[] {5},
        List.of(dense(32, Activation.RELU, "dense"), dense(1, Activation.LINEAR, "dense_1")),
        Loss.MEAN_SQUARED_ERROR, new SGD(0.01), 44), regression[0], regression[1], 25, 1));
    Optimizer[] optimizers = {new SGD(0.05), new SGD(0.05, 0.9, false), new SGD(0.05, 0.9, true),
        new Adam(0.01), new RMSprop(0.01), new RMSprop(0.01, 0.9, 0.5, 1e-7)};
    for (Optimizer opt : optimizers) {
      cases.add(new Case("optimizer " + opt, ModelSpec.create("opt-" + opt.kerasName(),
          new int[] {10}, List.of(dense(32, Activation.RELU, "dense"),
              dense(1, Activation.SIGMOID, "dense_1")), Loss.BINARY_CROSSENTROPY, opt, 45),
          binary[0], binary[1], 32, 1));
    }
    return cases;
  }

  static Layer dense(int units, Activation activation, String name) {
    return new Dense(units, activation).withName(name);
  }

  /** Gaussian inputs; label 1 where {@code x0 + x1 - x2 > 0}. */
  public static Tensor[] binaryData(int n, int features, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * features];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < features; j++) {
        x[i * features + j] = (float) r.nextGaussian();
      }
      y[i] = x[i * features] + x[i * features + 1] - x[i * features + 2] > 0 ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, n, features), Tensor.wrap(y, n, 1)};
  }

  /** Gaussian inputs; the class is the arg-max of a fixed random linear map. */
  public static Tensor[] classData(int n, int features, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[] w = new double[features * classes];
    for (int i = 0; i < w.length; i++) {
      w[i] = r.nextGaussian();
    }
    float[] x = new float[n * features];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < features; j++) {
        x[i * features + j] = (float) r.nextGaussian();
      }
      double best = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        double s = 0;
        for (int j = 0; j < features; j++) {
          s += x[i * features + j] * w[j * classes + c];
        }
        if (s > best) {
          best = s;
          y[i] = c;
        }
      }
    }
    return new Tensor[] {Tensor.wrap(x, n, features), Tensor.ofLabels(y)};
  }

  /** Uniform inputs; a smooth non-linear target. */
  public static Tensor[] regressionData(int n, int features, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n * features];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < features; j++) {
        x[i * features + j] = (float) r.nextDouble(-1, 1);
        s += (j + 1) * x[i * features + j];
      }
      y[i] = (float) (Math.sin(s) + 0.5 * s);
    }
    return new Tensor[] {Tensor.wrap(x, n, features), Tensor.wrap(y, n, 1)};
  }
}
