package dev.backplane.accelerate;

import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.ModelSpec;
import java.util.List;

/**
 * Prints {@link GemmTimer}'s answer for each product of mnist-mlp's training step on both
 * kernels, for a few rounds in one JVM (the first round shows what a cold JIT costs). Asserts
 * nothing; not a test. Class path as for {@link MnistCnnBench}; argument: threads.
 */
public final class KernelTimes {
  private KernelTimes() {}

  public static void main(String[] args) {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    ModelSpec spec = ModelSpec.create("mnist-mlp", new int[] {784}, Fixtures.named(
        new Dense(512, "relu"), new Dense(512, "relu"), new Dense(10, "softmax")),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 1);
    List<GemmShape> shapes = GraphCompiler.gemmShapes(GraphCompiler.compile(
        spec.programs().train()), KernelChoice.BATCH);
    ComputePool pool = new ComputePool(threads);
    try (AccelerateBackend backend = Fixtures.backend("native", threads)) {
      GemmTimer timer = new GemmTimer(MatrixEngine.nativeBlas((NativeGemm) backend.gemm()),
          MatrixEngine.java(new VectorGemm(pool)));
      for (int round = 0; round < 3; round++) {
        for (GemmShape s : shapes) {
          System.out.printf("round %d %-22s native %8.3f ms  vector %8.3f ms%n", round, s,
              timer.nanos(KernelChoice.Kernel.NATIVE, s) / 1e6,
              timer.nanos(KernelChoice.Kernel.JAVA, s) / 1e6);
        }
      }
    } finally {
      pool.close();
    }
  }
}
