package dev.backplane.tfjava;

import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * Times the backend against a hand-built TF Java graph of the same model in the same JVM (not a
 * Surefire test; nothing is asserted). Workloads: seed-mlp (the reference model, 1000×10, batch
 * 32, 10 epochs = 320 steps) and mnist-mlp (784→512 relu→512 relu→10 softmax, Adam, sparse
 * categorical cross-entropy, batch 128, synthetic data). The baseline runs twice: with the
 * backend's session configuration (Grappler off: the backend's own overhead) and with TF's default
 * (Grappler on: what a hand-written program gets). Runs interleave in rotating order so drift
 * and neighbours affect all three alike; medians and bests are reported.
 *
 * <p>Run: {@code java -cp <test class path> dev.backplane.tfjava.TfJavaSpeedCheck [threads] [reps]}
 */
public final class TfJavaSpeedCheck {
  private TfJavaSpeedCheck() {}

  /** Entry point. */
  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0])
        : Runtime.getRuntime().availableProcessors();
    int reps = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    try (Backend backend = new TfJavaProvider().open(CrossBackendComparison.context(threads,
        false))) {
      System.out.println(backend.devices().get(0));
      seedMlp(backend, threads, reps);
      mnistMlp(backend, threads, Math.max(3, reps / 2));
    }
  }

  private static void seedMlp(Backend backend, int threads, int reps) {
    Tensor[] data = CrossBackendComparison.binaryData(1000, 10, 7);
    ModelSpec spec = ModelSpec.create("seed-mlp", new int[] {10},
        List.of(dense(128, Activation.RELU, "dense"), dense(1, Activation.SIGMOID, "dense_1")),
        Loss.BINARY_CROSSENTROPY, new Adam(), 42);
    int[] sizes = {10, 128, 1};
    double[][] ms = interleaved(reps, List.of(
        () -> timeBackend(backend, spec, data, 32, 10),
        () -> timeHandBuilt(spec, sizes, data, 32, 10, threads, false, false),
        () -> timeHandBuilt(spec, sizes, data, 32, 10, threads, false, true)));
    report("seed-mlp 10 epochs (320 steps)", ms[0], ms[1], ms[2], "ms", 1);
  }

  private static void mnistMlp(Backend backend, int threads, int reps) {
    int n = 128 * 100;
    SplittableRandom random = new SplittableRandom(3);
    float[] x = new float[n * 784];
    int[] labels = new int[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(10);
    }
    Tensor[] data = {Tensor.wrap(x, n, 784), Tensor.ofLabels(labels)};
    ModelSpec spec = ModelSpec.create("mnist-mlp", new int[] {784},
        List.of(dense(512, Activation.RELU, "dense"), dense(512, Activation.RELU, "dense_1"),
            dense(10, Activation.SOFTMAX, "dense_2")),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 42);
    int[] sizes = {784, 512, 512, 10};
    double[][] rate = interleaved(reps, List.of(
        () -> n / timeBackend(backend, spec, data, 128, 1) * 1000,
        () -> n / timeHandBuilt(spec, sizes, data, 128, 1, threads, true, false) * 1000,
        () -> n / timeHandBuilt(spec, sizes, data, 128, 1, threads, true, true) * 1000));
    report("mnist-mlp batch 128 (" + n + " samples per run)", rate[0], rate[1], rate[2],
        "samples/s", -1);
  }

  /**
   * Runs each variant once per repetition, after one warm-up round, rotating their order so no
   * variant always follows the same one; returns {@code [variant][repetition]}.
   */
  private static double[][] interleaved(int reps, List<DoubleSupplier> variants) {
    int k = variants.size();
    double[][] results = new double[k][reps];
    for (int r = -1; r < reps; r++) {
      for (int j = 0; j < k; j++) {
        int v = (j + Math.max(r, 0)) % k;
        double value = variants.get(v).getAsDouble();
        if (r >= 0) {
          results[v][r] = value;
        }
      }
    }
    return results;
  }

  /** Milliseconds for the epochs through the backend; compiling is not timed. */
  private static double timeBackend(Backend backend, ModelSpec spec, Tensor[] data, int batch,
      int epochs) {
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(backend, spec)) {
      float[] outputs = new float[batch * spec.outputSize()];
      int n = data[0].rows();
      long t0 = System.nanoTime();
      double sink = 0;
      for (int epoch = 0; epoch < epochs; epoch++) {
        for (int from = 0; from < n; from += batch) {
          int to = Math.min(n, from + batch);
          sink += e.trainStep(data[0].rows(from, to), data[1].rows(from, to), outputs);
        }
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      check(sink);
      return ms;
    }
  }

  /** Milliseconds for the same epochs through the hand-built graph; building is not timed. */
  private static double timeHandBuilt(ModelSpec spec, int[] sizes, Tensor[] data, int batch,
      int epochs, int threads, boolean sparse, boolean grappler) {
    List<float[]> weights = new ArrayList<>();
    for (NamedArray p : spec.initialState().parameters()) {
      weights.add(p.values());
    }
    try (HandBuiltGraph g = new HandBuiltGraph(sizes, weights, sparse, threads, grappler)) {
      float[] xs = data[0].toArray();
      float[] ys = data[1].toArray();
      float[] outputs = new float[batch * spec.outputSize()];
      int n = data[0].rows();
      long t0 = System.nanoTime();
      double sink = 0;
      for (int epoch = 0; epoch < epochs; epoch++) {
        for (int from = 0; from < n; from += batch) {
          sink += g.step(xs, ys, from, Math.min(n, from + batch), outputs);
        }
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      check(sink);
      return ms;
    }
  }

  private static void check(double sink) {
    if (!Double.isFinite(sink)) {
      throw new IllegalStateException("non-finite loss: " + sink);
    }
  }

  /**
   * Prints medians and bests (the best run is the steadier figure on a shared machine);
   * {@code better} is 1 when lower is better (time), -1 for a rate.
   */
  private static void report(String what, double[] backend, double[] hand, double[] tfDefault,
      String unit, int better) {
    System.out.println(what);
    line("tf-java backend", backend, unit, better);
    line("hand-built graph, same session config (Grappler off)", hand, unit, better);
    line("hand-built graph, TF default config (Grappler on)", tfDefault, unit, better);
    System.out.printf("  backend overhead vs same config: %+.1f%% by median, %+.1f%% by best%n",
        overhead(median(backend), median(hand), better) * 100,
        overhead(best(backend, better), best(hand, better), better) * 100);
    System.out.printf("  backend vs TF default config:    %+.1f%% by median, %+.1f%% by best%n",
        overhead(median(backend), median(tfDefault), better) * 100,
        overhead(best(backend, better), best(tfDefault, better), better) * 100);
  }

  private static void line(String name, double[] values, String unit, int better) {
    System.out.printf("  %-53s median %8.1f %s, best %8.1f (runs %s)%n", name + ":",
        median(values), unit, best(values, better), fmt(values));
  }

  private static double best(double[] values, int better) {
    return better > 0 ? min(values) : -min(negate(values));
  }

  private static double overhead(double backend, double hand, int better) {
    return better > 0 ? backend / hand - 1 : hand / backend - 1;
  }

  private static double min(double[] values) {
    return Arrays.stream(values).min().orElse(Double.NaN);
  }

  private static double[] negate(double[] values) {
    return Arrays.stream(values).map(v -> -v).toArray();
  }

  private static String fmt(double[] values) {
    StringBuilder s = new StringBuilder();
    for (double v : values) {
      s.append(s.length() == 0 ? "" : " ").append(String.format("%.0f", v));
    }
    return s.toString();
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static Layer dense(int units, Activation activation, String name) {
    return new Dense(units, activation).withName(name);
  }
}
