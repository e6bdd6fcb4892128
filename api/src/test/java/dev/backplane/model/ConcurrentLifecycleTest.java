package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.Probe;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.SimpleBackend;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Compile and close racing predictions and evaluations, bounded in iterations: no executable is
 * used after or during its close (what frees native memory under a running kernel on a real
 * backend), and a call that loses the race fails with "model '...' is closed".
 */
class ConcurrentLifecycleTest {
  /** Counts calls in flight and flags any overlap with close or any call after it. */
  static final class Watched implements Executable {
    static final AtomicInteger violations = new AtomicInteger();
    private final Executable inner;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;

    Watched(Executable inner) {
      this.inner = inner;
    }

    private void enter() {
      inFlight.incrementAndGet();
      if (closed) {
        violations.incrementAndGet();
      }
    }

    @Override
    public Device device() {
      return inner.device();
    }

    @Override
    public double trainStep(Tensor x, Tensor y, float[] outputs) {
      enter();
      try {
        return inner.trainStep(x, y, outputs);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public double evaluateStep(Tensor x, Tensor y, float[] outputs) {
      enter();
      try {
        return inner.evaluateStep(x, y, outputs);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public void predict(Tensor x, float[] outputs) {
      enter();
      try {
        Thread.yield();
        inner.predict(x, outputs);
      } finally {
        inFlight.decrementAndGet();
      }
    }

    @Override
    public ModelState snapshot() {
      return inner.snapshot();
    }

    @Override
    public void restore(ModelState state) {
      inner.restore(state);
    }

    @Override
    public void close() {
      if (inFlight.get() != 0) {
        violations.incrementAndGet();
      }
      closed = true;
      inner.close();
    }
  }

  static final class WatchedProvider implements BackendProvider {
    @Override
    public String id() {
      return "watched";
    }

    @Override
    public int priority() {
      return 100;
    }

    @Override
    public boolean servesAsReference() {
      return true;
    }

    private List<DeviceInfo> devices() {
      return List.of(new DeviceInfo(Device.cpu("watched", 0), DeviceStatus.READY, "test"));
    }

    @Override
    public Probe probe(BackendContext context) {
      return new Probe(devices());
    }

    @Override
    public Backend open(BackendContext context) {
      return new SimpleBackend("watched", devices(),
          (spec, device) -> new Watched(new InterpreterExecutable(spec, device)));
    }
  }

  @Test
  void compileAndCloseWaitForInFlightCalls() throws Exception {
    Watched.violations.set(0);
    Sequential model = new Sequential(new int[] {3}, new Dense(4, "relu"), new Dense(1));
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
    Tensor y = Tensor.of(new float[] {1, 0}, 2, 1);
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.canary", "off"),
        new WatchedProvider())) {
      CompileOptions options = CompileOptions.builder().optimizer("sgd").loss("mse")
          .backplane(bp).build();
      model.compile(options);
      AtomicInteger closedErrors = new AtomicInteger();
      AtomicReference<Throwable> unexpected = new AtomicReference<>();
      CountDownLatch done = new CountDownLatch(2);
      Runnable caller = () -> {
        try {
          for (int i = 0; i < 300; i++) {
            try {
              if (i % 3 == 0) {
                model.evaluate(x, y);
              } else {
                model.predict(x);
              }
            } catch (IllegalStateException e) {
              if (!String.valueOf(e.getMessage()).contains("is closed")) {
                unexpected.compareAndSet(null, e);
              }
              closedErrors.incrementAndGet();
            }
          }
        } catch (Throwable t) {
          unexpected.compareAndSet(null, t);
        } finally {
          done.countDown();
        }
      };
      Thread a = new Thread(caller);
      Thread b = new Thread(caller);
      a.start();
      b.start();
      for (int i = 0; i < 60; i++) {
        if (i % 2 == 0) {
          model.close();
        } else {
          model.compile(options);
        }
      }
      done.await();
      model.close();
      assertThat(unexpected.get()).isNull();
      assertThat(Watched.violations.get()).as("calls overlapping or after a close").isZero();
    }
  }

  @Test
  void callsAfterCloseSayTheModelIsClosed() {
    Sequential model = new Sequential("m", new int[] {3}, new Dense(1));
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.canary", "off"),
        new WatchedProvider())) {
      model.compile(CompileOptions.builder().optimizer("sgd").loss("mse").backplane(bp).build());
      model.close();
      Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.predict(x))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("model 'm' is closed");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.fit(x,
          Tensor.of(new float[] {1}, 1, 1), 1, 1)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("model 'm' is closed");
    }
  }
}
