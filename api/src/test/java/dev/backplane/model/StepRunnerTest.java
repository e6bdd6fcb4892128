package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Device;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The deadline worker's hand-off. */
class StepRunnerTest {
  /** A step that only writes its outputs. */
  private static final class Trivial implements Executable {
    @Override
    public Device device() {
      return Device.gpu("trivial", 0);
    }

    @Override
    public double trainStep(Tensor x, Tensor y, float[] outputs) {
      outputs[0] += 1;
      return outputs[0];
    }

    @Override
    public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
      return 0;
    }

    @Override
    public void predict(Tensor x, float[] outputs) {}

    @Override
    public ModelState snapshot() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void restore(ModelState state) {}

    @Override
    public void close() {}
  }

  @Test
  void aStepAllocatesNothingOnTheCallingThread() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Trivial exe = new Trivial();
    Tensor x = Tensor.zeros(1, 1);
    float[] out = new float[1];
    try (StepRunner runner = new StepRunner(Duration.ofSeconds(10))) {
      for (int i = 0; i < 20_000; i++) {
        runner.trainStep(exe, x, x, out);
      }
      long id = Thread.currentThread().getId();
      long before = threads.getThreadAllocatedBytes(id);
      double last = 0;
      for (int i = 0; i < 10_000; i++) {
        last = runner.trainStep(exe, x, x, out);
      }
      long allocated = threads.getThreadAllocatedBytes(id) - before;
      assertThat(last).isEqualTo(30_000);
      assertThat(out[0]).isEqualTo(30_000f);
      // a Future, a lambda and a queue node per step would be over 500 kB here
      assertThat(allocated).as("bytes allocated by 10,000 steps").isLessThan(50_000);
    }
  }
}
