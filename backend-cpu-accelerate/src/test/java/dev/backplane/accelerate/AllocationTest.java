package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * After warm-up a train step allocates nothing on the calling thread: a deterministic count from
 * {@link ThreadMXBean#getThreadAllocatedBytes}, not a timing. Includes the last, smaller batch of
 * an epoch, dropout, softmax and a model large enough for the thread pool.
 */
class AllocationTest {
  static Stream<Arguments> cases() {
    return Stream.of("java", "native").flatMap(mode -> Stream.of(
        Arguments.of(mode, "seed-mlp", Fixtures.spec(10, Loss.BINARY_CROSSENTROPY, new Adam(),
            1, new Dense(128, "relu"), new Dense(1, "sigmoid")), 32),
        Arguments.of(mode, "dropout+softmax", Fixtures.spec(30, Loss.CATEGORICAL_CROSSENTROPY,
            new SGD(0.01, 0.9, true), 2, new Dense(64, "gelu"), new Dropout(0.5),
            new Dense(5, "softmax")), 16),
        Arguments.of(mode, "parallel", Fixtures.spec(256, Loss.SPARSE_CATEGORICAL_CROSSENTROPY,
            new RMSprop(), 3, new Dense(256, "relu"), new Dense(10, "softmax")), 128)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void steadyStateTrainStepAllocatesNothing(String mode, String name, ModelSpec spec,
      int batch) {
    ThreadMXBean bean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long self = Thread.currentThread().getId();
    int rows = batch * 3 + batch / 4;
    Tensor x = Fixtures.uniform(1, rows, spec.inputSize(), -1, 1);
    Tensor y = Fixtures.labels(2, rows, spec.outputSize(), spec.loss());
    int count = (rows + batch - 1) / batch;
    Tensor[] xs = new Tensor[count];
    Tensor[] ys = new Tensor[count];
    for (int b = 0; b < count; b++) {
      int to = Math.min(rows, (b + 1) * batch);
      xs[b] = x.rows(b * batch, to);
      ys[b] = y.rows(b * batch, to);
    }
    float[] out = new float[batch * spec.outputSize()];
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      for (int i = 0; i < 300; i++) {
        exe.trainStep(xs[i % count], ys[i % count], out);
      }
      // The JIT may still be swapping code in (a one-off that can allocate a few bytes), so look
      // for a clean window; a step that allocated anything would dirty every window.
      int window = 50;
      long best = Long.MAX_VALUE;
      long first = -1;
      for (int w = 0; w < 20 && best > 0; w++) {
        long before = bean.getThreadAllocatedBytes(self);
        for (int i = 0; i < window; i++) {
          exe.trainStep(xs[i % count], ys[i % count], out);
        }
        long bytes = bean.getThreadAllocatedBytes(self) - before;
        first = first < 0 ? bytes : first;
        best = Math.min(best, bytes);
      }
      System.out.printf("%s %s: %d bytes in the first window of %d steps after warm-up,"
          + " %d in the best (%.2f per step)%n", mode, name, first, window, best,
          best / (double) window);
      assertThat(best).as("bytes allocated by %d steady-state steps", window).isZero();
    }
  }
}
