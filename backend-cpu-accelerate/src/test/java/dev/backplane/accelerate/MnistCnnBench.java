package dev.backplane.accelerate;

import dev.backplane.model.Conv2D;
import dev.backplane.model.Dense;
import dev.backplane.model.Flatten;
import dev.backplane.model.Loss;
import dev.backplane.model.MaxPooling2D;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Times epochs of the Keras MNIST convnet without dropout: Conv2D(32, 3, relu) →
 * MaxPooling2D(2) → Conv2D(64, 3, relu) → MaxPooling2D(2) → Flatten → Dense(10, softmax), Adam,
 * sparse categorical cross-entropy, batch 128, 8192 samples of 28×28×1 drawn from U[0, 1), and
 * prints samples/s per epoch. Asserts nothing; not a test. From the repository root, after
 * {@code ./mvnw -o -q test-compile -pl backend-cpu-accelerate}:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp "$(cat backend-cpu-accelerate/target/speed.cp)\
 * :backend-cpu-accelerate/target/classes:backend-cpu-accelerate/target/test-classes" \
 *   dev.backplane.accelerate.MnistCnnBench [auto|java|native] [threads] [epochs]
 * </pre>
 */
public final class MnistCnnBench {
  private MnistCnnBench() {}

  public static void main(String[] args) {
    String mode = args.length > 0 ? args[0] : "native";
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int samples = 8192;
    int batch = 128;
    ModelSpec spec = ModelSpec.create("mnist-cnn", new int[] {28, 28, 1}, Fixtures.named(
        new Conv2D(32, 3, "relu"), new MaxPooling2D(2), new Conv2D(64, 3, "relu"),
        new MaxPooling2D(2), new Flatten(), new Dense(10, "softmax")),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 1);
    SplittableRandom r = new SplittableRandom(42);
    float[] v = new float[samples * 784];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble();
    }
    Tensor x = Tensor.wrap(v, samples, 28, 28, 1);
    Tensor y = Fixtures.labels(43, samples, 10, spec.loss());
    int steps = samples / batch;
    Tensor[] xs = new Tensor[steps];
    Tensor[] ys = new Tensor[steps];
    for (int s = 0; s < steps; s++) {
      xs[s] = x.rows(s * batch, (s + 1) * batch);
      ys[s] = y.rows(s * batch, (s + 1) * batch);
    }
    float[] out = new float[batch * 10];
    try (AccelerateBackend backend = Fixtures.backend(mode, threads);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      System.out.println("mnist-cnn, " + backend.kernels(exe) + ", " + threads
          + " threads, batch " + batch + ", " + samples + " samples per epoch");
      for (int e = 0; e <= epochs; e++) {
        long t0 = System.nanoTime();
        double loss = 0;
        for (int s = 0; s < steps; s++) {
          loss += exe.trainStep(xs[s], ys[s], out);
        }
        double sec = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%s %d: %.3f s, %.0f samples/s, mean loss %.4f%n",
            e == 0 ? "warm-up epoch" : "epoch", e, sec, samples / sec, loss / steps);
      }
    }
  }
}
