package dev.backplane.accelerate;

import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;

/**
 * Run by {@link KernelSelectionTest} in a JVM started without {@code --add-modules
 * jdk.incubator.vector}: opens the accelerate backend on its pure-Java kernels, trains a few
 * steps large enough for the thread pool, and prints what it used. Not a test.
 */
public final class NoVectorApiMain {
  private NoVectorApiMain() {}

  public static void main(String[] args) {
    System.out.println("module present: " + VectorSupport.present());
    ModelSpec spec = Fixtures.spec(96, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 1,
        new Dense(128, "relu"), new Dense(10, "softmax"));
    Tensor x = Fixtures.uniform(1, 64, 96, -1, 1);
    Tensor y = Fixtures.labels(2, 64, 10, spec.loss());
    try (AccelerateBackend backend = Fixtures.backend("java", 2);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      System.out.println("gemm: " + backend.gemm().getClass().getSimpleName());
      System.out.println("detail: " + backend.devices().get(0).detail());
      double loss = 0;
      for (int step = 0; step < 3; step++) {
        loss = exe.trainStep(x, y, new float[64 * 10]);
      }
      System.out.println("loss finite: " + Double.isFinite(loss));
    }
  }
}
