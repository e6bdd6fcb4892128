package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceStatus;
import dev.backplane.config.Fallback;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.GpuProvider;
import dev.backplane.testing.ReferenceExecutable;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import dev.backplane.trust.DeviceFaultException;
import dev.backplane.trust.FailoverEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Inference on a guarded device ({@code predict}, {@code evaluate}, validation) gets the step
 * deadline and fails over like a training step; the device's executable is closed only once its
 * abandoned call has ended.
 */
class InferenceFailoverTest {
  private static final Device GPU = Device.gpu("flaky", 0);
  private static final Device CPU = Device.cpu("accelerate", 0);
  private final List<FailoverEvent> events = new CopyOnWriteArrayList<>();
  private final List<Backplane> opened = new ArrayList<>();
  /** Released at the end of each test, so that no hung call outlives it. */
  private final CountDownLatch release = new CountDownLatch(1);
  /** What happened to the user model's executables on the GPU, in order. */
  private final List<String> log = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    release.countDown();
    opened.forEach(Backplane::close);
  }

  /** A GPU whose user-model executables misbehave as {@code setup} says (canaries run clean). */
  private GpuProvider flaky(java.util.function.Consumer<ReferenceExecutable> setup) {
    return new GpuProvider("flaky", (spec, device) -> {
      ReferenceExecutable e = spy(new ReferenceExecutable(spec, device, "flaky"));
      if (!spec.name().equals("canary")) {
        setup.accept(e);
        doAnswer(inv -> {
          log.add("close");
          return inv.callRealMethod();
        }).when(e).close();
      }
      return e;
    });
  }

  /**
   * Every predict on the GPU hangs until the test ends, deaf to interrupts (as a native call is).
   */
  private GpuProvider hangingPredict() {
    return flaky(e -> doAnswer(inv -> {
      log.add("predict hangs");
      awaitUninterruptibly(release);
      log.add("predict returned");
      return null;
    }).when(e).predict(any(), any()));
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    while (latch.getCount() > 0) {
      try {
        latch.await();
      } catch (InterruptedException ignored) {
        // a hung device does not hear it
      }
    }
  }

  private Backplane backplane(GpuProvider gpu, String... keys) {
    Backplane bp = Backplane.builder().serviceLoader(false).config(TestBackplanes.config(keys))
        .addProvider(gpu).addProvider(new ReferenceFakeProvider()).listener(events::add).build();
    opened.add(bp);
    return bp;
  }

  private static Sequential compiled(Backplane bp, Fallback fallback, String device) {
    Sequential m = new Sequential(new int[] {4}, new Dense(8, "relu"), new Dense(1, "sigmoid"));
    CompileOptions.Builder b = CompileOptions.builder().optimizer("adam")
        .loss("binary_crossentropy").backplane(bp).seed(7).device(device);
    if (fallback != null) {
      b.fallback(fallback);
    }
    m.compile(b.build());
    return m;
  }

  private static Tensor[] data() {
    return FailoverTest.data();
  }

  /** The same model's predictions on the reference CPU. */
  private Tensor cpuPredictions(Tensor x) {
    Sequential m = compiled(backplane(new GpuProvider("flaky")), null, "accelerate");
    return m.predict(x);
  }

  @Test
  void aHangingPredictFailsOverToTheCpuAtTheDeadlineAndReturnsItsOutputs() {
    Backplane bp = backplane(hangingPredict(), "backplane.step.timeout", "200ms");
    Sequential m = compiled(bp, null, "flaky");
    assertThat(m.device()).isEqualTo(GPU);
    Tensor x = data()[0];

    Tensor predicted = m.predict(x);

    assertThat(predicted.data()).containsExactly(cpuPredictions(x).data());
    assertThat(m.device()).isEqualTo(CPU);
    assertThat(bp.devices().get(0).status()).isEqualTo(DeviceStatus.UNSTABLE);
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(FailoverEvent.Kind.FAILOVER);
      assertThat(e.to()).isEqualTo(CPU);
      assertThat(e.reason()).startsWith("flaky:gpu:0 (test GPU flaky) timed out in predict: no"
          + " result within 200ms (backplane.step.timeout); the predict call was abandoned")
          .endsWith("; flaky:gpu:0 is marked UNSTABLE and the model continues on"
              + " accelerate:cpu:0");
    });
    assertThat(m.placement().explain()).contains("failover in predict");
    // The hung call still runs in the GPU's executable: it must not be closed under it.
    assertThat(log).containsExactly("predict hangs");
  }

  @Test
  void theDevicesExecutableIsClosedOnlyAfterTheAbandonedCallEnds() throws Exception {
    Backplane bp = backplane(hangingPredict(), "backplane.step.timeout", "100ms");
    Sequential m = compiled(bp, null, "flaky");
    m.predict(data()[0]);
    assertThat(log).containsExactly("predict hangs");

    release.countDown();
    for (int i = 0; i < 500 && !log.contains("close"); i++) {
      Thread.sleep(10);
    }
    assertThat(log).containsExactly("predict hangs", "predict returned", "close");
  }

  @Test
  void closingTheModelWhileACallIsAbandonedWaitsForItBeforeFreeingTheExecutable()
      throws Exception {
    Backplane bp = backplane(hangingPredict(), "backplane.step.timeout", "100ms");
    Sequential m = compiled(bp, Fallback.NONE, "flaky");
    assertThatThrownBy(() -> m.predict(data()[0])).isInstanceOf(DeviceFaultException.class);

    m.close();
    assertThat(log).containsExactly("predict hangs");
    assertThatThrownBy(() -> m.predict(data()[0])).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("model 'sequential' is closed");

    release.countDown();
    for (int i = 0; i < 500 && !log.contains("close"); i++) {
      Thread.sleep(10);
    }
    assertThat(log).containsExactly("predict hangs", "predict returned", "close");
  }

  @Test
  void strictModeRaisesTheFaultAndKeepsTheModelOnTheDevice() {
    Backplane bp = backplane(hangingPredict(), "backplane.step.timeout", "100ms");
    Sequential m = compiled(bp, Fallback.NONE, "flaky");
    assertThatThrownBy(() -> m.predict(data()[0])).isInstanceOf(DeviceFaultException.class)
        .hasMessageStartingWith("flaky:gpu:0 (test GPU flaky) timed out in predict")
        .hasMessageContaining("backplane.fallback=none, so the model stays on flaky:gpu:0; set"
            + " backplane.fallback=cpu to fail over")
        .hasMessageContaining("The device never returned: compile the model again before using"
            + " it");
    assertThat(m.device()).isEqualTo(GPU);
    assertThat(events).singleElement().extracting(FailoverEvent::kind)
        .isEqualTo(FailoverEvent.Kind.DEVICE_FAULT);
  }

  @Test
  void aThrowingEvaluateFailsOverAndGivesTheCpusLoss() {
    GpuProvider gpu = flaky(e -> doAnswer(inv -> {
      throw new dev.backplane.BackendException(GPU, "GPU lost", null);
    }).when(e).evaluateStep(any(), any(), any()));
    Backplane bp = backplane(gpu);
    Sequential m = compiled(bp, null, "flaky");
    Tensor[] d = data();

    double loss = m.evaluate(d[0], d[1]).get("loss");

    Sequential cpu = compiled(backplane(new GpuProvider("flaky")), null, "accelerate");
    assertThat(loss).isEqualTo(cpu.evaluate(d[0], d[1]).get("loss"));
    assertThat(m.device()).isEqualTo(CPU);
    assertThat(events).singleElement().extracting(FailoverEvent::reason).asString()
        .startsWith("flaky:gpu:0 (test GPU flaky) threw in evaluate: BackendException: GPU lost");
  }

  @Test
  void aHangingEvaluateDoesNotBlockPredictionsOnOtherThreads() throws Exception {
    CountDownLatch evaluating = new CountDownLatch(1);
    GpuProvider gpu = flaky(e -> doAnswer(inv -> {
      evaluating.countDown();
      awaitUninterruptibly(release);
      return 0.0;
    }).when(e).evaluateStep(any(), any(), any()));
    Backplane bp = backplane(gpu, "backplane.step.timeout", "60s");
    Sequential m = compiled(bp, null, "flaky");
    Tensor[] d = data();
    AtomicBoolean evaluated = new AtomicBoolean();
    Thread evaluator = new Thread(() -> {
      m.evaluate(d[0], d[1]);
      evaluated.set(true);
    });
    evaluator.setDaemon(true);
    evaluator.start();
    evaluating.await();

    // The evaluation holds only the read lock and the evaluation lock: predict runs beside it.
    Sequential honest = compiled(backplane(new GpuProvider("flaky")), null, "flaky");
    assertThat(m.predict(d[0]).data()).containsExactly(honest.predict(d[0]).data());
    assertThat(evaluated).isFalse();
    release.countDown();
    evaluator.join();
    assertThat(evaluated).isTrue();
  }

  @Test
  void aHangingValidationMidFitMovesTrainingToTheCpuWithoutLosingSteps() {
    // The second validation batch (the last of epoch 1, after step 3) hangs.
    AtomicInteger evaluations = new AtomicInteger();
    GpuProvider gpu = flaky(e -> doAnswer(inv -> {
      if (evaluations.incrementAndGet() >= 2) {
        awaitUninterruptibly(release);
      }
      return inv.callRealMethod();
    }).when(e).evaluateStep(any(), any(), any()));
    // A deadline far above a step of this model, so only the hung evaluation meets it, even on
    // a loaded machine.
    Backplane bp = backplane(gpu, "backplane.step.timeout", "2s",
        "backplane.guard.snapshot.every", "4");
    Sequential m = compiled(bp, null, "flaky");
    History h = fitWithValidation(m);

    Sequential cpu = compiled(backplane(new GpuProvider("flaky")), null, "accelerate");
    History expected = fitWithValidation(cpu);
    assertThat(m.device()).isEqualTo(CPU);
    assertThat(h.deviceRuns()).extracting(History.DeviceRun::device).containsExactly(GPU, CPU);
    assertThat(h.deviceRuns().get(1).reason()).startsWith("flaky:gpu:0 (test GPU flaky) timed"
        + " out in evaluate: no result within 2s").contains("training continues on accelerate:cpu:0 from step 4");
    // Epoch 1 ran on the GPU's kernels, which round differently from the CPU's in the 8th digit.
    for (String key : List.of("loss", "val_loss")) {
      for (int i = 0; i < 3; i++) {
        assertThat(h.get(key).get(i)).as(key + " " + i)
            .isCloseTo(expected.get(key).get(i), org.assertj.core.data.Offset.offset(1e-6));
      }
    }
    List<float[]> got = m.getWeights().stream().map(dev.backplane.spi.NamedArray::values)
        .toList();
    List<float[]> want = cpu.getWeights().stream().map(dev.backplane.spi.NamedArray::values)
        .toList();
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i)).containsExactly(want.get(i),
          org.assertj.core.data.Offset.offset(1e-6f));
    }
  }

  private static History fitWithValidation(Sequential m) {
    Tensor[] d = data();
    Tensor x = d[0];
    Tensor y = d[1];
    return m.fit(x.rows(0, 16), y.rows(0, 16), FitOptions.builder().epochs(3).batchSize(4)
        .validationData(x.rows(16, 24), y.rows(16, 24)).verbose(Verbosity.SILENT)
        .output(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
        .build());
  }

  @Test
  void theReferenceCpuRunsInferenceUnguarded() {
    Backplane bp = backplane(new GpuProvider("flaky"), "backplane.step.timeout", "100ms");
    Sequential m = compiled(bp, null, "accelerate");
    m.predict(data()[0]);
    assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName()
        .startsWith("backplane-inference-accelerate"));
  }
}
