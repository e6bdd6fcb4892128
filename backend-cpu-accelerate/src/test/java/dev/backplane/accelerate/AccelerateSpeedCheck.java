package dev.backplane.accelerate;

import dev.backplane.config.BackplaneConfig;
import dev.backplane.model.Dense;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;

/**
 * Measures the two reference workloads through the SPI and prints the numbers; asserts nothing.
 * Not a test (Surefire does not pick it up). From the repository root:
 *
 * <pre>
 * ./mvnw -o -q -pl backend-cpu-accelerate -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/speed.cp -Dmdep.includeScope=test
 * java -cp "$(cat backend-cpu-accelerate/target/speed.cp):backend-cpu-accelerate/target/classes\
 * :backend-cpu-accelerate/target/test-classes" dev.backplane.accelerate.AccelerateSpeedCheck \
 *     [auto|native|java ...] [seed|mnist] [threads]
 * </pre>
 *
 * <ul>
 *   <li>seed-mlp: x 1000×10 uniform, y random 0/1, Dense(128, relu) → Dense(1, sigmoid), Adam,
 *       binary_crossentropy, batch 32, 10 epochs (320 steps, the last of each epoch 8 rows);
 *   <li>mnist-mlp: 784 → 512 relu → 512 relu → 10 softmax, Adam, sparse categorical
 *       crossentropy, batch 128, random data.
 * </ul>
 */
public final class AccelerateSpeedCheck {
  private AccelerateSpeedCheck() {}

  /** Runs both workloads for each mode given (default: native and java). */
  public static void main(String[] args) {
    List<String> modes = Arrays.stream(args).filter(a -> a.matches("auto|native|java")).toList();
    if (modes.isEmpty()) {
      modes = List.of("native", "java");
    }
    boolean seed = !Arrays.asList(args).contains("mnist");
    boolean mnist = !Arrays.asList(args).contains("seed");
    String threads = Arrays.stream(args).filter(a -> a.matches("\\d+")).findFirst().orElse("2");
    System.out.println("JVM " + System.getProperty("java.vm.version") + ", "
        + Runtime.getRuntime().availableProcessors() + " CPUs, backplane.threads=" + threads);
    for (String mode : modes) {
      try (AccelerateBackend backend = AccelerateBackend.open(context(mode, threads))) {
        System.out.println("== blas=" + mode + ": " + backend.devices().get(0).detail());
        if (seed) {
          seedMlp(backend);
        }
        if (mnist) {
          mnistMlp(backend);
        }
      }
    }
  }

  static BackendContext context(String blas, String threads) {
    BackplaneConfig config = BackplaneConfig.builder()
        .systemProperties(new Properties()).environment(Map.of()).classpathFile(false)
        .set(BlasMode.KEY, blas).set("backplane.threads", threads).build();
    return new BackendContext(config, false);
  }

  private static void seedMlp(AccelerateBackend backend) {
    SplittableRandom random = new SplittableRandom(7);
    int n = 1000;
    float[] x = new float[n * 10];
    float[] y = new float[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(2);
    }
    List<Layer> layers = List.of(new Dense(128, "relu").withName("dense"),
        new Dense(1, "sigmoid").withName("dense_1"));
    ModelSpec spec = ModelSpec.create("seed-mlp", new int[] {10}, layers,
        Loss.BINARY_CROSSENTROPY, new Adam(), 42);
    Batches batches = new Batches(Tensor.wrap(x, n, 10), Tensor.wrap(y, n, 1), 32);
    try (Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      System.out.println("  " + backend.kernels(exe));
      float[] out = new float[32];
      for (int warm = 0; warm < 100; warm++) {
        epochs(exe, batches, 10, out);
      }
      long best = Long.MAX_VALUE;
      long total = 0;
      int runs = 20;
      double loss = 0;
      for (int run = 0; run < runs; run++) {
        long t0 = System.nanoTime();
        loss = epochs(exe, batches, 10, out);
        long t = System.nanoTime() - t0;
        best = Math.min(best, t);
        total += t;
      }
      int steps = 10 * batches.count();
      System.out.printf("seed-mlp  : 10 epochs (%d steps) best %.2f ms, mean %.2f ms"
          + " (%.1f µs/step best); last epoch loss %.4f%n", steps, best / 1e6,
          total / 1e6 / runs, best / 1e3 / steps, loss / n);
    }
  }

  private static void mnistMlp(AccelerateBackend backend) {
    SplittableRandom random = new SplittableRandom(11);
    int n = 128 * 40;
    float[] x = new float[n * 784];
    float[] y = new float[n];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble();
    }
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(10);
    }
    List<Layer> layers = List.of(new Dense(512, "relu").withName("dense"),
        new Dense(512, "relu").withName("dense_1"), new Dense(10, "softmax").withName("dense_2"));
    ModelSpec spec = ModelSpec.create("mnist-mlp", new int[] {784}, layers,
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 42);
    Batches batches = new Batches(Tensor.wrap(x, n, 784), Tensor.wrap(y, n, 1), 128);
    try (Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      System.out.println("  " + backend.kernels(exe));
      float[] out = new float[128 * 10];
      epochs(exe, batches, 2, out);
      double best = 0;
      int runs = 10;
      for (int run = 0; run < runs; run++) {
        long t0 = System.nanoTime();
        epochs(exe, batches, 1, out);
        double rate = n / ((System.nanoTime() - t0) / 1e9);
        best = Math.max(best, rate);
      }
      System.out.printf("mnist-mlp : %.0f samples/s, best of %d epochs of %d samples"
          + " (%.2f ms/step)%n", best, runs, n, 128 / best * 1e3);
    }
  }

  private static double epochs(Executable exe, Batches batches, int epochs, float[] out) {
    double loss = 0;
    for (int e = 0; e < epochs; e++) {
      loss = 0;
      for (int b = 0; b < batches.count(); b++) {
        loss += exe.trainStep(batches.x[b], batches.y[b], out);
      }
    }
    return loss;
  }

  /** Pre-cut batch views, so the timed loop measures the backend only. */
  private static final class Batches {
    final Tensor[] x;
    final Tensor[] y;

    Batches(Tensor x, Tensor y, int size) {
      int count = (x.rows() + size - 1) / size;
      this.x = new Tensor[count];
      this.y = new Tensor[count];
      for (int b = 0; b < count; b++) {
        int from = b * size;
        int to = Math.min(x.rows(), from + size);
        this.x[b] = x.rows(from, to);
        this.y[b] = y.rows(from, to);
      }
    }

    int count() {
      return x.length;
    }
  }
}
