package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackendException;
import dev.backplane.Device;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The deadline worker's hand-off. */
class StepRunnerTest {
  /** A step that only writes its outputs. */
  private static class Trivial implements Executable {
    volatile Thread lastThread;

    @Override
    public Device device() {
      return Device.gpu("trivial", 0);
    }

    @Override
    public double trainStep(Tensor x, Tensor y, float[] outputs) {
      lastThread = Thread.currentThread();
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

  /** A step that records its thread, waits for {@link #release} (ignoring interrupts), writes. */
  private static final class Blocking extends Trivial {
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch finished = new CountDownLatch(1);
    final AtomicReference<Thread> thread = new AtomicReference<>();
    final float value;

    Blocking(float value) {
      this.value = value;
    }

    @Override
    public double trainStep(Tensor x, Tensor y, float[] outputs) {
      thread.set(Thread.currentThread());
      boolean interrupted = false;
      while (release.getCount() > 0) {
        try {
          release.await();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      outputs[0] = value;
      finished.countDown();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return value;
    }
  }

  /** Returns once {@code t} is in {@code state}, e.g. parked. */
  private static void awaitState(Thread t, Thread.State state) throws InterruptedException {
    while (t.getState() != state) {
      Thread.sleep(1);
    }
  }

  @Test
  void aCallerParkedPastThePollingIsWokenByTheStepsCompletion() throws Exception {
    Blocking exe = new Blocking(5);
    Thread caller = Thread.currentThread();
    Thread releaser = new Thread(() -> {
      try {
        awaitState(caller, Thread.State.TIMED_WAITING);
        exe.release.countDown();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    releaser.start();
    float[] out = new float[1];
    try (StepRunner runner = new StepRunner(Duration.ofMinutes(5))) {
      assertThat(runner.trainStep(exe, Tensor.zeros(1, 1), Tensor.zeros(1, 1), out)).isEqualTo(5);
    }
    releaser.join();
    assertThat(out[0]).isEqualTo(5f);
  }

  @Test
  void aParkedWorkerIsWokenForTheNextStep() throws Exception {
    Trivial exe = new Trivial();
    Tensor x = Tensor.zeros(1, 1);
    float[] out = new float[1];
    try (StepRunner runner = new StepRunner(Duration.ofMinutes(5))) {
      assertThat(runner.trainStep(exe, x, x, out)).isEqualTo(1);
      awaitState(exe.lastThread, Thread.State.WAITING);
      assertThat(runner.trainStep(exe, x, x, out)).isEqualTo(2);
      assertThat(out[0]).isEqualTo(2f);
    }
  }

  @Test
  void aHungStepIsAbandonedAtTheDeadlineAndItsLateResultIsDropped() throws Exception {
    Blocking hung = new Blocking(99);
    float[] out = {-1};
    Tensor x = Tensor.zeros(1, 1);
    try (StepRunner runner = new StepRunner(Duration.ofMillis(50))) {
      assertThatThrownBy(() -> runner.trainStep(hung, x, x, out))
          .isInstanceOf(StepRunner.TimedOut.class);
      assertThat(out[0]).isEqualTo(-1f);
      hung.release.countDown();
      hung.finished.await();
      hung.thread.get().join();
      assertThat(hung.thread.get().isAlive()).as("the abandoned worker ends").isFalse();
      assertThat(out[0]).as("the late step wrote only into its own buffer").isEqualTo(-1f);
      Trivial next = new Trivial();
      assertThat(runner.trainStep(next, x, x, out)).isEqualTo(1);
      assertThat(out[0]).isEqualTo(1f);
      assertThat(next.lastThread).isNotSameAs(hung.thread.get());
    }
  }

  @Test
  void anInterruptedCallerAbandonsTheStepAndKeepsItsInterruptStatus() {
    Blocking hung = new Blocking(1);
    Tensor x = Tensor.zeros(1, 1);
    try (StepRunner runner = new StepRunner(Duration.ofMinutes(5))) {
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> runner.trainStep(hung, x, x, new float[1]))
          .isInstanceOf(BackendException.class)
          .hasMessage("Interrupted while waiting for a training step [device trivial:gpu:0]")
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(Thread.interrupted()).isTrue();
    } finally {
      hung.release.countDown();
    }
  }

  @Test
  void aStepsErrorsReachTheCaller() {
    Tensor x = Tensor.zeros(1, 1);
    try (StepRunner runner = new StepRunner(Duration.ofMinutes(5))) {
      assertThatThrownBy(() -> runner.trainStep(new Trivial() {
        @Override
        public double trainStep(Tensor x, Tensor y, float[] outputs) {
          throw new IllegalStateException("device lost");
        }
      }, x, x, new float[1])).isInstanceOf(IllegalStateException.class).hasMessage("device lost");
      assertThatThrownBy(() -> runner.trainStep(new Trivial() {
        @Override
        public double trainStep(Tensor x, Tensor y, float[] outputs) {
          return StepRunnerTest.<RuntimeException>sneaky(new IOException("pipe"));
        }
      }, x, x, new float[1])).isInstanceOf(BackendException.class)
          .hasMessageStartingWith("Training step failed: java.io.IOException: pipe")
          .hasCauseInstanceOf(IOException.class);
      assertThat(runner.trainStep(new Trivial(), x, x, new float[1])).isEqualTo(1);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> double sneaky(Throwable t) throws T {
    throw (T) t;
  }

  @Test
  void closeEndsTheWorker() throws Exception {
    Tensor x = Tensor.zeros(1, 1);
    StepRunner runner = new StepRunner(Duration.ofMinutes(5));
    Trivial exe = new Trivial();
    runner.trainStep(exe, x, x, new float[1]);
    Thread worker = exe.lastThread;
    runner.close();
    worker.join();
    assertThat(worker.isAlive()).isFalse();
  }

  @Test
  void aLargerOutputGrowsTheWorkersBuffer() {
    Tensor x = Tensor.zeros(1, 1);
    try (StepRunner runner = new StepRunner(Duration.ofMinutes(5))) {
      runner.trainStep(new Trivial(), x, x, new float[1]);
      float[] out = new float[3];
      runner.trainStep(new Trivial() {
        @Override
        public double trainStep(Tensor x, Tensor y, float[] outputs) {
          outputs[2] = 7;
          return 0;
        }
      }, x, x, out);
      assertThat(out).containsExactly(0f, 0f, 7f);
    }
  }
}
