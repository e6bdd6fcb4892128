package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.backplane.model.BatchNormalization;
import dev.backplane.model.Conv2D;
import dev.backplane.model.Dense;
import dev.backplane.model.Flatten;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.model.MaxPooling2D;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A small convnet of the api's layers (Conv2D, MaxPooling2D, BatchNormalization, Flatten, Dense)
 * trained on the CPU backend: losses against the float64 interpreter, the same bits on one and
 * two threads, and a steady state that allocates nothing.
 */
class ConvNetTest {
  static ModelSpec convnet(int side, long seed) {
    Layer[] layers = {new Conv2D(6, 3, "relu"), new MaxPooling2D(2),
        new Conv2D(8, 3, "relu").withPadding("same"), new BatchNormalization(),
        new MaxPooling2D(2), new Flatten(), new Dense(10, "softmax")};
    return ModelSpec.create("convnet", new int[] {side, side, 1}, Fixtures.named(layers),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(0.01), seed);
  }

  static Tensor images(long seed, int n, int side) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n * side * side];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextDouble();
    }
    return Tensor.wrap(v, n, side, side, 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void trainsLikeTheInterpreter(String mode) {
    ModelSpec spec = convnet(12, 3);
    int n = 16;
    Tensor x = images(1, n, 12);
    Tensor y = Fixtures.labels(2, n, 10, spec.loss());
    float[] got = new float[n * 10];
    float[] want = new float[n * 10];
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE);
        InterpreterExecutable ref = new InterpreterExecutable(spec, AccelerateBackend.DEVICE)) {
      ref.restore(exe.snapshot());
      for (int step = 0; step < 6; step++) {
        double l = exe.trainStep(x, y, got);
        double lr = ref.trainStep(x, y, want);
        assertThat(Math.abs(l - lr) / Math.abs(lr)).as("relative loss error, step %d", step)
            .isLessThanOrEqualTo(1e-4);
      }
      SpatialOpsTest.sameState(exe.snapshot(), ref.snapshot(), 1e-3);
      exe.predict(x, got);
      ref.predict(x, want);
      SpatialOpsTest.close("predict", got, want, 1e-4);
    }
  }

  private record Run(double[] losses, ModelState state) {}

  private static Run run(String mode, int threads) {
    ModelSpec spec = convnet(16, 5);
    Tensor x = images(3, 40, 16);
    Tensor y = Fixtures.labels(4, 40, 10, spec.loss());
    float[] out = new float[32 * 10];
    double[] losses = new double[8];
    try (AccelerateBackend backend = Fixtures.backend(mode, threads);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      for (int s = 0; s < losses.length; s++) {
        // Batches of 32 and the last 8: both big enough to split over two threads.
        losses[s] = s % 2 == 0 ? exe.trainStep(x.rows(0, 32), y.rows(0, 32), out)
            : exe.trainStep(x.rows(32, 40), y.rows(32, 40), out);
      }
      return new Run(losses, exe.snapshot());
    }
  }

  @Test
  void javaKernelsGiveTheSameBitsOnOneAndTwoThreads() {
    Run one = run("java", 1);
    Run two = run("java", 2);
    assertThat(two.losses()).containsExactly(one.losses());
    assertThat(two.state()).isEqualTo(one.state());
  }

  @Test
  void nativeRunsRepeatBitForBit() {
    Run a = run("native", 2);
    Run b = run("native", 2);
    assertThat(b.losses()).containsExactly(a.losses());
    assertThat(b.state()).isEqualTo(a.state());
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void steadyStateTrainStepAllocatesNothing(String mode) {
    ThreadMXBean bean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    ModelSpec spec = convnet(16, 7);
    Tensor x = images(5, 40, 16);
    Tensor y = Fixtures.labels(6, 40, 10, spec.loss());
    Tensor[] xs = {x.rows(0, 32), x.rows(32, 40)};
    Tensor[] ys = {y.rows(0, 32), y.rows(32, 40)};
    float[] out = new float[32 * 10];
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      for (int i = 0; i < 200; i++) {
        exe.trainStep(xs[i % 2], ys[i % 2], out);
      }
      long best = Long.MAX_VALUE;
      for (int w = 0; w < 20 && best > 0; w++) {
        long before = bean.getThreadAllocatedBytes(self);
        for (int i = 0; i < 20; i++) {
          exe.trainStep(xs[i % 2], ys[i % 2], out);
        }
        best = Math.min(best, bean.getThreadAllocatedBytes(self) - before);
      }
      assertThat(best).as("bytes allocated by 20 steady-state conv train steps").isZero();
    }
  }
}
