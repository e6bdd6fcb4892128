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

/**
 * Times the backend against a hand-built TF Java graph of the same model in the same JVM (not a
 * Surefire test; nothing is asserted). Workloads: seed-mlp (the reference model, 1000×10, batch
 * 32, 10 epochs = 320 steps) and mnist-mlp (784→512 relu→512 relu→10 softmax, Adam, sparse
 * categorical cross-entropy, batch 128, synthetic data). Runs alternate between the two so drift
 * affects both; medians are reported.
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
    double[] backendMs = new double[reps];
    double[] handMs = new double[reps];
    for (int r = -1; r < reps; r++) { // r = -1 warms both up
      double b = timeBackend(backend, spec, data, 32, 10);
      double h = timeHandBuilt(spec, new int[] {10, 128, 1}, data, 32, 10, threads, false);
      if (r >= 0) {
        backendMs[r] = b;
        handMs[r] = h;
      }
    }
    report("seed-mlp 10 epochs (320 steps)", backendMs, handMs, "ms", 1);
  }

  private static void mnistMlp(Backend backend, int threads, int reps) {
    int n = 128 * 40;
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
    double[] backendRate = new double[reps];
    double[] handRate = new double[reps];
    for (int r = -1; r < reps; r++) {
      double b = n / timeBackend(backend, spec, data, 128, 1) * 1000;
      double h = n / timeHandBuilt(spec, new int[] {784, 512, 512, 10}, data, 128, 1, threads,
          true) * 1000;
      if (r >= 0) {
        backendRate[r] = b;
        handRate[r] = h;
      }
    }
    report("mnist-mlp batch 128 (" + n + " samples per run)", backendRate, handRate,
        "samples/s", -1);
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
      int epochs, int threads, boolean sparse) {
    List<float[]> weights = new ArrayList<>();
    for (NamedArray p : spec.initialState().parameters()) {
      weights.add(p.values());
    }
    try (HandBuiltGraph g = new HandBuiltGraph(sizes, weights, sparse, threads)) {
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

  /** Prints medians; {@code better} is 1 when lower is better (time), -1 for a rate. */
  private static void report(String what, double[] backend, double[] hand, String unit,
      int better) {
    double b = median(backend);
    double h = median(hand);
    double overhead = better > 0 ? b / h - 1 : h / b - 1;
    System.out.printf("%s: tf-java backend median %.1f %s (runs %s), hand-built graph median"
        + " %.1f %s (runs %s); backend overhead %+.1f%%%n", what, b, unit, fmt(backend), h, unit,
        fmt(hand), overhead * 100);
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
