package dev.backplane.accelerate;

import dev.backplane.model.Conv2D;
import dev.backplane.model.Dense;
import dev.backplane.model.Flatten;
import dev.backplane.model.Loss;
import dev.backplane.model.MaxPooling2D;
import dev.backplane.ops.Node;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Prints where a training step of mnist-cnn or mnist-mlp spends its wall time, per compiled step
 * (op, output shape, milliseconds per training step), largest first. Asserts nothing; not a
 * test. Class path as for {@link MnistCnnBench}; arguments {@code [cnn|mlp] [java|native]
 * [threads]}.
 */
public final class StepProfile {
  private StepProfile() {}

  public static void main(String[] args) {
    String model = args.length > 0 ? args[0] : "cnn";
    String mode = args.length > 1 ? args[1] : "native";
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int batch = 128;
    ModelSpec spec = model.equals("cnn")
        ? ModelSpec.create("mnist-cnn", new int[] {28, 28, 1}, Fixtures.named(
            new Conv2D(32, 3, "relu"), new MaxPooling2D(2), new Conv2D(64, 3, "relu"),
            new MaxPooling2D(2), new Flatten(), new Dense(10, "softmax")),
            Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 1)
        : ModelSpec.create("mnist-mlp", new int[] {784}, Fixtures.named(new Dense(512, "relu"),
            new Dense(512, "relu"), new Dense(10, "softmax")),
            Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 1);
    int size = model.equals("cnn") ? 784 : 784;
    SplittableRandom r = new SplittableRandom(42);
    float[] v = new float[batch * size];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble();
    }
    Tensor x = model.equals("cnn") ? Tensor.wrap(v, batch, 28, 28, 1) : Tensor.wrap(v, batch, 784);
    Tensor y = Fixtures.labels(43, batch, 10, spec.loss());
    float[] out = new float[batch * 10];
    try (AccelerateBackend backend = Fixtures.backend(mode, threads);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      int warm = model.equals("cnn") ? 30 : 300;
      int steps = model.equals("cnn") ? 30 : 300;
      for (int s = 0; s < warm; s++) {
        exe.trainStep(x, y, out);
      }
      GraphCompiler.Compiled c = GraphCompiler.compile(spec.programs().train());
      long[] times = new long[c.nodes.length];
      Frame.stepNanos = times;
      long t0 = System.nanoTime();
      for (int s = 0; s < steps; s++) {
        exe.trainStep(x, y, out);
      }
      long total = System.nanoTime() - t0;
      Frame.stepNanos = null;
      List<long[]> rows = new ArrayList<>();
      long sum = 0;
      for (int i = 0; i < times.length; i++) {
        if (times[i] > 0) {
          rows.add(new long[] {i, times[i]});
          sum += times[i];
        }
      }
      rows.sort((a, b) -> Long.compare(b[1], a[1]));
      System.out.printf("%s on %s, %d threads: %.3f ms a step, steps %.3f ms%n", model,
          backend.kernels(exe), threads, total / 1e6 / steps, sum / 1e6 / steps);
      for (long[] row : rows.subList(0, Math.min(25, rows.size()))) {
        Node n = c.nodes[(int) row[0]];
        String ins = "";
        for (Node in : n.inputs()) {
          ins += " " + in.opName() + java.util.Arrays.toString(in.shape());
        }
        System.out.printf("%8.3f ms  %-18s %-18s <-%s%n", row[1] / 1e6 / steps, n.opName(),
            java.util.Arrays.toString(n.shape()), ins);
      }
    }
  }
}
