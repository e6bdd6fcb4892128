package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.config.Fallback;
import dev.backplane.spi.NamedArray;
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
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The step guard with misbehaving accelerators (Mockito spies of the reference test kernels). */
class FailoverTest {
  private static final Device GPU = Device.gpu("flaky", 0);
  private static final Device CPU = Device.cpu("accelerate", 0);
  private final List<FailoverEvent> events = new ArrayList<>();
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
  private final List<Backplane> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(Backplane::close);
  }

  /** A spy of the reference kernels that misbehaves from step {@code from} on. */
  interface Misbehaviour {
    Object at(long step, org.mockito.invocation.InvocationOnMock inv) throws Throwable;
  }

  private static GpuProvider flaky(long from, Misbehaviour bad) {
    return new GpuProvider("flaky", (spec, device) -> flakySpy(spec, device, from, bad));
  }

  private static ReferenceExecutable flakySpy(dev.backplane.spi.ModelSpec spec, Device device,
      long from, Misbehaviour bad) {
    ReferenceExecutable e = spy(new ReferenceExecutable(spec, device, "flaky"));
    doAnswer(inv -> {
      long step = ((ReferenceExecutable) inv.getMock()).iterations();
      return step >= from ? bad.at(step, inv) : inv.callRealMethod();
    }).when(e).trainStep(any(), any(), any());
    return e;
  }

  private static Object nan(long step, org.mockito.invocation.InvocationOnMock inv)
      throws Throwable {
    inv.callRealMethod();
    Arrays.fill((float[]) inv.getArgument(2), Float.NaN);
    return Double.NaN;
  }

  private Backplane backplane(GpuProvider gpu, String... keys) {
    Backplane bp = Backplane.builder().serviceLoader(false)
        .config(TestBackplanes.config(keys)).addProvider(gpu)
        .addProvider(new ReferenceFakeProvider()).listener(events::add).build();
    opened.add(bp);
    return bp;
  }

  private static Sequential model() {
    return new Sequential(new int[] {4}, new Dense(8, "relu"), new Dense(1, "sigmoid"));
  }

  private Sequential compiled(Backplane bp, Fallback fallback, String... device) {
    Sequential m = model();
    CompileOptions.Builder b = CompileOptions.builder().optimizer("adam")
        .loss("binary_crossentropy").backplane(bp).seed(7).device(device);
    if (fallback != null) {
      b.fallback(fallback);
    }
    m.compile(b.build());
    return m;
  }

  /** 24 samples, 4 features, label x0 > x1; 6 steps per epoch at batch size 4. */
  static Tensor[] data() {
    SplittableRandom r = new SplittableRandom(3);
    float[] x = new float[24 * 4];
    float[] y = new float[24];
    for (int i = 0; i < 24; i++) {
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) r.nextDouble(-1, 1);
      }
      y[i] = x[i * 4] > x[i * 4 + 1] ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, 24, 4), Tensor.wrap(y, 24, 1)};
  }

  private History fit(Sequential m) {
    Tensor[] d = data();
    return m.fit(d[0], d[1], FitOptions.builder().epochs(2).batchSize(4)
        .verbose(Verbosity.SILENT).output(out).build());
  }

  /** The weights after the same fit on the reference CPU from the start. */
  private List<NamedArray> cpuWeights() {
    Backplane bp = backplane(new GpuProvider("flaky"));
    Sequential m = compiled(bp, null, "accelerate");
    fit(m);
    return m.getWeights();
  }

  private static void assertClose(List<NamedArray> actual, List<NamedArray> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      float[] a = actual.get(i).values();
      float[] e = expected.get(i).values();
      for (int k = 0; k < a.length; k++) {
        assertThat(a[k]).as(actual.get(i).name() + "[" + k + "]")
            .isCloseTo(e[k], org.assertj.core.data.Offset.offset(1e-6f));
      }
    }
  }

  @Test
  void nonFiniteLossMovesTrainingToTheCpuAtThatStepWithoutLosingOrRepeatingSteps() {
    Backplane bp = backplane(flaky(5, FailoverTest::nan));
    Sequential m = compiled(bp, null, "flaky", "cpu");
    assertThat(m.device()).isEqualTo(GPU);

    History h = fit(m);

    assertThat(m.device()).isEqualTo(CPU);
    assertThat(h.epochs()).isEqualTo(2);
    assertThat(h.stopReason()).isEmpty();
    assertThat(h.deviceRuns()).hasSize(2);
    History.DeviceRun first = h.deviceRuns().get(0);
    History.DeviceRun second = h.deviceRuns().get(1);
    assertThat(first).isEqualTo(new History.DeviceRun(GPU, 0, 0, 5, "placement"));
    assertThat(second.device()).isEqualTo(CPU);
    assertThat(second.firstEpoch()).isEqualTo(0);
    assertThat(second.firstStep()).isEqualTo(5);
    assertThat(second.steps()).isEqualTo(7);
    assertThat(second.reason()).contains("flaky:gpu:0 (test GPU flaky) returned a non-finite"
        + " loss (NaN) at step 5 (epoch 1)").contains("accelerate:cpu:0 gives a finite loss");
    assertThat(h.get("loss")).allSatisfy(l -> assertThat(l).isFinite());
    assertClose(m.getWeights(), cpuWeights());

    assertThat(m.placement().explain()).contains("flaky:gpu:0       rejected  UNSTABLE:")
        .contains("accelerate:cpu:0  fallback  failover at step 5 (backplane.fallback=cpu)");
    DeviceInfo gpu = bp.devices().get(0);
    assertThat(gpu.status()).isEqualTo(DeviceStatus.UNSTABLE);
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(FailoverEvent.Kind.FAILOVER);
      assertThat(e.step()).isEqualTo(5);
      assertThat(e.message()).startsWith("Failover: flaky:gpu:0 (test GPU flaky) returned a"
          + " non-finite loss (NaN) at step 5 (epoch 1); accelerate:cpu:0 gives a finite loss");
    });
  }

  /** {@link #flaky} that also notes the iteration count at each snapshot of the device. */
  private static GpuProvider counted(long from, Misbehaviour bad, List<Long> snapshots) {
    return new GpuProvider("flaky", (spec, device) -> {
      ReferenceExecutable e = flakySpy(spec, device, from, bad);
      doAnswer(inv -> {
        snapshots.add(((ReferenceExecutable) inv.getMock()).iterations());
        return inv.callRealMethod();
      }).when(e).snapshot();
      return e;
    });
  }

  private History cpuHistory() {
    Backplane bp = backplane(new GpuProvider("flaky"));
    return fit(compiled(bp, null, "accelerate"));
  }

  @Test
  void aFaultBetweenSnapshotsReplaysTheBatchesSinceTheLastSnapshotOnTheCpu() {
    List<Long> snapshots = new ArrayList<>();
    Backplane bp = backplane(counted(6, FailoverTest::nan, snapshots),
        "backplane.guard.snapshot.every", "4", "backplane.canary", "off");
    Sequential m = compiled(bp, null, "flaky");

    History h = fit(m);

    assertThat(snapshots).as("snapshots before steps 0 and 4 only").containsExactly(0L, 4L);
    assertThat(m.device()).isEqualTo(CPU);
    assertThat(h.deviceRuns()).hasSize(2);
    assertThat(h.deviceRuns().get(0)).isEqualTo(new History.DeviceRun(GPU, 0, 0, 6, "placement"));
    History.DeviceRun second = h.deviceRuns().get(1);
    assertThat(second.device()).isEqualTo(CPU);
    assertThat(second.firstEpoch()).isEqualTo(1);
    assertThat(second.firstStep()).isEqualTo(6);
    assertThat(second.steps()).isEqualTo(6);
    assertThat(second.reason()).contains("returned a non-finite loss (NaN) at step 6 (epoch 2)")
        .contains("accelerate:cpu:0 gives a finite loss");
    assertThat(m.getState().iterations()).as("each step counted once").isEqualTo(12);
    assertClose(m.getWeights(), cpuWeights());
    History cpu = cpuHistory();
    for (String key : List.of("loss", "accuracy")) {
      if (cpu.history().containsKey(key)) {
        assertThat(h.get(key)).as(key).hasSameSizeAs(cpu.get(key));
        for (int i = 0; i < h.get(key).size(); i++) {
          assertThat(h.get(key).get(i)).as(key + " of epoch " + (i + 1))
              .isCloseTo(cpu.get(key).get(i), org.assertj.core.data.Offset.offset(1e-6));
        }
      }
    }
  }

  @Test
  void unshuffledBatchesAreReplayedFromTheDataInOrder() {
    Tensor[] d = data();
    FitOptions inOrder = FitOptions.builder().epochs(2).batchSize(4).shuffle(false)
        .verbose(Verbosity.SILENT).output(out).build();
    Backplane bp = backplane(flaky(5, FailoverTest::nan), "backplane.guard.snapshot.every", "4",
        "backplane.canary", "off");
    Sequential m = compiled(bp, null, "flaky");
    m.fit(d[0], d[1], inOrder);
    Sequential cpu = compiled(backplane(new GpuProvider("flaky")), null, "accelerate");
    cpu.fit(d[0], d[1], inOrder);

    assertThat(m.device()).isEqualTo(CPU);
    assertThat(m.getState().iterations()).isEqualTo(12);
    assertClose(m.getWeights(), cpu.getWeights());
  }

  @Test
  void aFailoverReplaysSampleWeightedBatchesWithTheirWeights() {
    Tensor[] d = data();
    float[] w = new float[d[0].rows()];
    for (int i = 0; i < w.length; i++) {
      w[i] = 0.25f + (i % 4) * 0.5f;
    }
    FitOptions weighted = FitOptions.builder().epochs(2).batchSize(4).sampleWeight(w)
        .verbose(Verbosity.SILENT).output(out).build();
    Backplane bp = backplane(flaky(5, FailoverTest::nan), "backplane.guard.snapshot.every", "4",
        "backplane.canary", "off");
    Sequential m = compiled(bp, null, "flaky");
    History h = m.fit(d[0], d[1], weighted);
    Sequential cpu = compiled(backplane(new GpuProvider("flaky")), null, "accelerate");
    History ref = cpu.fit(d[0], d[1], weighted);

    assertThat(m.device()).isEqualTo(CPU);
    assertThat(m.spec().loss().sampleWeighted()).isTrue();
    assertThat(m.getState().iterations()).isEqualTo(12);
    assertClose(m.getWeights(), cpu.getWeights());
    assertThat(h.get("loss").get(1)).isCloseTo(ref.get("loss").get(1), within(1e-6));
  }

  @Test
  void snapshotsAreTakenEveryKStepsAndBeforeEachAuditedStep() {
    // The snapshot at compile (0) is the guard's first; 12 is the fit's end state, from which
    // a fallback takes over should inference fail on the device after the fit.
    assertThat(snapshotIterations("backplane.guard.snapshot.every", "1"))
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
    assertThat(snapshotIterations("backplane.guard.snapshot.every", "5"))
        .containsExactly(0L, 5L, 10L, 12L);
    assertThat(snapshotIterations()).as("the default").containsExactly(0L, 12L);
    // an audit compares the weights after the step too, hence 1, 6 and 11
    assertThat(snapshotIterations("backplane.audit.every", "5"))
        .containsExactly(0L, 1L, 5L, 6L, 10L, 11L, 12L);
  }

  private List<Long> snapshotIterations(String... keys) {
    List<Long> snapshots = new ArrayList<>();
    String[] all = Arrays.copyOf(keys, keys.length + 2);
    all[keys.length] = "backplane.canary";
    all[keys.length + 1] = "off";
    Backplane bp = backplane(counted(Long.MAX_VALUE, FailoverTest::nan, snapshots), all);
    fit(compiled(bp, null, "flaky"));
    return snapshots;
  }

  @Test
  void strictModeGivesTheDeviceBackTheStateFromJustBeforeTheFaultyStep() {
    Backplane bp = backplane(flaky(6, FailoverTest::nan), "backplane.guard.snapshot.every", "4");
    Sequential m = compiled(bp, Fallback.NONE, "flaky");
    assertThatThrownBy(() -> fit(m)).isInstanceOf(DeviceFaultException.class)
        .hasMessageContaining("at step 6 (epoch 2); accelerate:cpu:0 gives a finite loss");
    assertThat(m.getState().iterations()).isEqualTo(6);
    Backplane cpuBp = backplane(new GpuProvider("flaky"));
    Sequential cpu = compiled(cpuBp, null, "accelerate");
    Tensor[] d = data();
    cpu.fit(d[0], d[1], FitOptions.builder().epochs(1).batchSize(4).verbose(Verbosity.SILENT)
        .output(out).build());
    assertClose(m.getWeights(), cpu.getWeights());
  }

  @Test
  void aThrowingStepFailsOverInTheSecondEpoch() {
    Backplane bp = backplane(flaky(8, (s, inv) -> {
      throw new IllegalStateException("GPU lost");
    }));
    History h = fit(compiled(bp, null, "flaky"));
    assertThat(h.deviceRuns()).extracting(History.DeviceRun::firstStep).containsExactly(0L, 8L);
    assertThat(h.deviceRuns().get(1).firstEpoch()).isEqualTo(1);
    assertThat(h.deviceRuns().get(1).reason())
        .contains("threw at step 8 (epoch 2): IllegalStateException: GPU lost");
    assertThat(h.deviceRuns()).extracting(History.DeviceRun::steps).containsExactly(8L, 4L);
  }

  @Test
  void aHangingStepIsAbandonedAtTheStepDeadline() {
    CountDownLatch never = new CountDownLatch(1);
    Backplane bp = backplane(flaky(3, (s, inv) -> {
      never.await();
      return 0.0;
    }), "backplane.step.timeout", "300ms");
    Sequential m = compiled(bp, null, "flaky");
    History h = fit(m);
    assertThat(h.deviceRuns().get(1).reason()).contains("flaky:gpu:0 (test GPU flaky) timed out"
        + " at step 3 (epoch 1): no result within 300ms (backplane.step.timeout); the step was"
        + " abandoned");
    assertClose(m.getWeights(), cpuWeights());
  }

  @Test
  void whenTheCpuAgreesTheModelDivergedAndTrainingStops() {
    GpuProvider honest = new GpuProvider("flaky");
    Backplane bp = backplane(honest);
    Sequential m = new Sequential(new int[] {4}, new Dense(8, "relu"), new Dense(1));
    m.compile(CompileOptions.builder().optimizer(new dev.backplane.optimizer.SGD(1e6))
        .loss("mse").backplane(bp).seed(7).device("flaky").build());
    History h = fit(m);
    assertThat(h.stopReason()).get().asString().startsWith("the model diverged at step ")
        .endsWith("accelerate:cpu:0 also gives a non-finite loss from the same weights, so"
            + " flaky:gpu:0 is not at fault");
    assertThat(m.device()).isEqualTo(GPU);
    assertThat(bp.devices().get(0).status()).isEqualTo(DeviceStatus.READY);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains(": Invalid loss, terminating training (the model diverged");
    assertThat(events).singleElement().extracting(FailoverEvent::kind)
        .isEqualTo(FailoverEvent.Kind.DIVERGED);
  }

  @Test
  void strictModeRaisesTheDiagnosisInstead() {
    Backplane bp = backplane(flaky(5, FailoverTest::nan));
    Sequential m = compiled(bp, Fallback.NONE, "flaky");
    assertThatThrownBy(() -> fit(m)).isInstanceOf(DeviceFaultException.class)
        .hasMessageContaining("flaky:gpu:0 (test GPU flaky) returned a non-finite loss (NaN) at"
            + " step 5 (epoch 1); accelerate:cpu:0 gives a finite loss")
        .hasMessageContaining("so flaky:gpu:0 is at fault")
        .hasMessageContaining("backplane.fallback=none, so training stops");
    assertThat(m.device()).isEqualTo(GPU);
    assertThat(m.getState().iterations()).isEqualTo(5);
    assertThat(bp.devices().get(0).status()).isEqualTo(DeviceStatus.UNSTABLE);
    assertThat(events).singleElement().extracting(FailoverEvent::kind)
        .isEqualTo(FailoverEvent.Kind.DEVICE_FAULT);
  }

  @Test
  void anAuditCatchesSilentDriftAtTheFirstAuditedStepAfterItStarts() {
    Backplane bp = backplane(flaky(3, (s, inv) -> (double) inv.callRealMethod() * 1.05),
        "backplane.audit.every", "4");
    History h = fit(compiled(bp, null, "flaky"));
    assertThat(h.deviceRuns()).extracting(History.DeviceRun::firstStep).containsExactly(0L, 4L);
    assertThat(h.deviceRuns().get(1).reason()).contains("drifted from the reference CPU kernels at"
        + " step 4 (epoch 1): an audit (backplane.audit.every=4) found the loss (")
        .contains("differing by 5.0e-02 relative (tolerance 1.0e-03)");
  }

  @Test
  void aDriftingDeviceFailsItsCanaryAndTheModelStartsOnTheCpu() {
    Backplane bp = backplane(flaky(0, (s, inv) -> (double) inv.callRealMethod() * 1.05));
    Sequential m = compiled(bp, null, "flaky", "cpu");
    assertThat(m.device()).isEqualTo(CPU);
    assertThat(m.placement().explain()).contains("flaky:gpu:0       rejected  UNSTABLE: canary"
        + " failed: results differ from the reference CPU kernels (accelerate:cpu:0) by up to"
        + " 5.0e-02 relative, in the loss at step ").contains("(tolerance 1.0e-03,"
        + " backplane.trust.tolerance)");
    History h = fit(m);
    assertThat(h.deviceRuns()).singleElement().extracting(History.DeviceRun::device)
        .isEqualTo(CPU);
    assertClose(m.getWeights(), cpuWeights());
  }

  @Test
  void theReferenceCpuRunsUnguarded() {
    Backplane bp = backplane(new GpuProvider("flaky"));
    Sequential m = compiled(bp, null, "accelerate");
    assertThat(StepGuard.create(m, new History(), out)).isNull();
    Backplane timed = backplane(new GpuProvider("flaky"), "backplane.step.timeout", "5s");
    StepGuard guard = StepGuard.create(compiled(timed, null, "accelerate"), new History(), out);
    assertThat(guard).isNotNull();
    guard.close();
  }

  @Test
  void withoutAFallbackAStepErrorPropagates() {
    GpuProvider gpu = flaky(1, (s, inv) -> {
      throw new IllegalStateException("GPU lost");
    });
    Backplane bp = Backplane.builder().serviceLoader(false).config(TestBackplanes.config())
        .addProvider(gpu).build();
    opened.add(bp);
    Sequential m = compiled(bp, null, "flaky");
    assertThatThrownBy(() -> fit(m)).hasMessage("GPU lost");
  }
}
