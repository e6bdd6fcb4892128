package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackendException;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A step that overruns {@code backplane.step.timeout} on the reference CPU backend, which has no
 * fallback: after the exception the state is the state before the step, and stays so.
 */
class AbandonedStepTest {
  /** Sleeps well past the deadline in its third step, then finishes the step anyway. */
  static final class SlowThirdStep extends dev.backplane.testing.ForwardingExecutable {
    private final AtomicInteger steps = new AtomicInteger();

    SlowThirdStep(Executable inner) {
      super(inner);
    }

    @Override
    public double trainStep(Tensor x, Tensor y, float[] outputs) {
      if (steps.incrementAndGet() == 3) {
        long end = System.nanoTime() + 400_000_000L;
        while (System.nanoTime() < end) {
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            // a hung device ignores interrupts, too
          }
        }
      }
      return inner.trainStep(x, y, outputs);
    }
  }

  static final class SlowProvider implements BackendProvider {
    @Override
    public String id() {
      return "slow";
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
      return List.of(new DeviceInfo(Device.cpu("slow", 0), DeviceStatus.READY, "test"));
    }

    @Override
    public Probe probe(BackendContext context) {
      return new Probe(devices());
    }

    @Override
    public Backend open(BackendContext context) {
      return new SimpleBackend("slow", devices(),
          (spec, device) -> new SlowThirdStep(new InterpreterExecutable(spec, device)));
    }
  }

  @Test
  void anOverrunningStepOnTheReferenceIsUndone() {
    Sequential model = new Sequential(new int[] {2}, new Dense(1));
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
    Tensor y = Tensor.of(new float[] {1, 2, 3, 4}, 4, 1);
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.canary", "off",
        "backplane.step.timeout", "50ms"), new SlowProvider())) {
      model.compile(CompileOptions.builder().optimizer("sgd").loss("mse").backplane(bp).build());
      FitOptions one = FitOptions.builder().epochs(1).batchSize(2).shuffle(false).verbose(0)
          .build();
      model.fit(x, y, one);
      ModelState before = model.getState();
      assertThat(before.iterations()).isEqualTo(2);
      assertThatThrownBy(() -> model.fit(x, y, one)).isInstanceOf(BackendException.class)
          .hasMessageContaining("the step was undone");
      ModelState after = model.getState();
      assertThat(after.iterations()).isEqualTo(2);
      assertThat(after.parameters()).isEqualTo(before.parameters());
      model.close();
    }
  }
}
