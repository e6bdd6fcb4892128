package dev.backplane.metal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackplaneException;
import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceStatus;
import dev.backplane.PlacementException;
import dev.backplane.config.Fallback;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import dev.backplane.trust.DeviceFaultException;
import dev.backplane.trust.FailoverEvent;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every simulated Metal fault, end to end: {@code fit} with preference {@code metal,accelerate}
 * finishes on the CPU, with the weights of a run that used the CPU from the start, the switch at
 * the right step in the history, and the fault named in the explanation.
 */
class SimulatedFailoverTest {
  static final Device METAL = MetalProvider.DEVICE;
  static final Device CPU = Device.cpu("accelerate", 0);
  private final List<Backplane> opened = new ArrayList<>();
  private final List<FailoverEvent> events = new ArrayList<>();

  /** The reference CPU backend: the api's plain-Java test kernels (see the subclass). */
  BackendProvider cpu() {
    return new ReferenceFakeProvider();
  }

  /** How close the weights must be to a run on the CPU from the start. */
  float tolerance() {
    return 1e-6f;
  }

  @AfterEach
  void close() {
    opened.forEach(Backplane::close);
  }

  private Backplane backplane(String... keys) {
    Backplane bp = Backplane.builder().serviceLoader(false).config(TestBackplanes.config(keys))
        .addProvider(new MetalProvider()).addProvider(cpu()).listener(events::add).build();
    opened.add(bp);
    return bp;
  }

  private static Sequential compiled(Backplane bp, Fallback fallback, String... device) {
    Sequential m = new Sequential(new int[] {4}, new Dense(8, "relu"), new Dense(1, "sigmoid"));
    CompileOptions.Builder b = CompileOptions.builder().optimizer("adam")
        .loss("binary_crossentropy").backplane(bp).seed(11).device(device);
    if (fallback != null) {
      b.fallback(fallback);
    }
    m.compile(b.build());
    return m;
  }

  /** 24 samples, 6 steps per epoch at batch size 4; 2 epochs = 12 steps. */
  static History fit(Sequential m) {
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[24 * 4];
    float[] y = new float[24];
    for (int i = 0; i < 24; i++) {
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) r.nextDouble(-1, 1);
      }
      y[i] = x[i * 4] + x[i * 4 + 2] > 0 ? 1 : 0;
    }
    return m.fit(Tensor.wrap(x, 24, 4), Tensor.wrap(y, 24, 1), FitOptions.builder().epochs(2)
        .batchSize(4).verbose(Verbosity.SILENT)
        .output(new PrintStream(OutputStream.nullOutputStream())).build());
  }

  private List<NamedArray> cpuFromTheStart() {
    Sequential m = compiled(backplane(), null, "accelerate");
    fit(m);
    return m.getWeights();
  }

  static void assertSameWeights(List<NamedArray> actual, List<NamedArray> expected,
      float tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      float[] a = actual.get(i).values();
      float[] e = expected.get(i).values();
      for (int k = 0; k < a.length; k++) {
        assertThat(a[k]).as("%s[%d]", actual.get(i).name(), k)
            .isCloseTo(e[k], org.assertj.core.data.Offset.offset(tolerance));
      }
    }
  }

  /**
   * Mode, extra configuration, the step the CPU takes over (0 with a single run means the model
   * started on the CPU: placement rejected Metal), and what the explanation says.
   */
  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of("crash", List.of(), 0, "UNSTABLE: canary failed: step 0 threw"
            + " BackendException: simulated Metal fault"
            + " (backplane.metal.simulate=crash): the device crashed at step 0"),
        Arguments.of("crash", List.of("backplane.canary", "off"), 0, "metal:gpu:0"
            + " (simulated Metal device (mode crash) computing with the reference CPU kernels)"
            + " threw at step 0 (epoch 1): BackendException: simulated Metal fault"),
        Arguments.of("crash-after:5", List.of(), 5, "threw at step 5 (epoch 1):"
            + " BackendException: simulated Metal fault (backplane.metal.simulate=crash-after:5):"
            + " the device crashed at step 5"),
        Arguments.of("crash-probe", List.of(), 0, "UNAVAILABLE: probe failed:"
            + " java.lang.IllegalStateException: simulated Metal fault"
            + " (backplane.metal.simulate=crash-probe): the probe crashed"),
        Arguments.of("hang", List.of("backplane.canary.timeout", "300ms"), 0, "UNSTABLE: canary"
            + " failed: timed out after 300ms (backplane.canary.timeout) and was abandoned"),
        Arguments.of("hang-after:7", List.of("backplane.step.timeout", "300ms"), 7, "timed out"
            + " at step 7 (epoch 2): no result within 300ms (backplane.step.timeout); the step"
            + " was abandoned"),
        Arguments.of("hang-probe", List.of("backplane.probe.timeout", "300ms"), 0, "UNAVAILABLE:"
            + " probe timed out after 300ms (backplane.probe.timeout) and was abandoned"),
        Arguments.of("nan-after:0", List.of(), 0, "UNSTABLE: canary failed: non-finite results"
            + " at step 0"),
        Arguments.of("nan-after:5", List.of(), 5, "returned a non-finite loss (NaN) at step 5"
            + " (epoch 1)"),
        Arguments.of("drift:0.05", List.of(), 0, "UNSTABLE: canary failed: results differ from"
            + " the reference CPU kernels (accelerate:cpu:0) by up to "),
        Arguments.of("drift:0.05", List.of("backplane.canary", "off", "backplane.audit.every",
            "1"), 0, "drifted from the reference CPU kernels at step 0 (epoch 1): an audit"
            + " (backplane.audit.every=1) found "),
        Arguments.of("slow:150", List.of("backplane.step.timeout", "50ms"), 0, "timed out at"
            + " step 0 (epoch 1): no result within 50ms (backplane.step.timeout)"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("faults")
  void everyFaultEndsOnTheCpuWithTheWeightsOfACpuRun(String mode, List<String> extra,
      int switchStep, String explanation) {
    List<String> keys = new ArrayList<>(List.of("backplane.metal.simulate", mode));
    keys.addAll(extra);
    Backplane bp = backplane(keys.toArray(String[]::new));
    Sequential m = compiled(bp, null, "metal", "accelerate");

    History h = fit(m);

    assertThat(m.device()).isEqualTo(CPU);
    assertThat(h.epochs()).isEqualTo(2);
    assertThat(h.deviceRuns().stream().mapToLong(History.DeviceRun::steps).sum()).isEqualTo(12);
    History.DeviceRun last = h.deviceRuns().get(h.deviceRuns().size() - 1);
    assertThat(last.device()).isEqualTo(CPU);
    assertThat(last.firstStep()).isEqualTo(switchStep);
    if (h.deviceRuns().size() == 2) {
      assertThat(h.deviceRuns().get(0).device()).isEqualTo(METAL);
      assertThat(h.deviceRuns().get(0).steps()).isEqualTo(switchStep);
      assertThat(last.reason()).contains(explanation);
      assertThat(events).extracting(FailoverEvent::kind).containsExactly(
          FailoverEvent.Kind.FAILOVER);
    } else {
      assertThat(h.deviceRuns()).singleElement().extracting(History.DeviceRun::reason)
          .asString().startsWith("placement; metal:gpu:0 rejected: ").contains(explanation);
      assertThat(events).extracting(FailoverEvent::kind).containsExactly(
          FailoverEvent.Kind.FALLBACK);
    }
    assertThat(m.placement().explain()).contains("metal:gpu:0").contains(explanation);
    assertThat(bp.devices().get(0).status()).isIn(DeviceStatus.UNSTABLE,
        DeviceStatus.UNAVAILABLE);
    assertSameWeights(m.getWeights(), cpuFromTheStart(), tolerance());
  }

  /**
   * Predictions on two other threads while {@code fit} meets each fault: none fails or sees a
   * poisoned or half-moved model (bounded: the predicting threads stop when the fit ends).
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("faults")
  void predictionsDuringEveryFaultNeverFail(String mode, List<String> extra, int switchStep,
      String explanation) throws Exception {
    List<String> keys = new ArrayList<>(List.of("backplane.metal.simulate", mode));
    keys.addAll(extra);
    Sequential m = compiled(backplane(keys.toArray(String[]::new)), null, "metal",
        "accelerate");
    Tensor x = Tensor.wrap(new float[] {0.5f, -0.25f, 0.125f, 1f, -1f, 0.75f, 0f, 0.3f}, 2, 4);
    java.util.concurrent.atomic.AtomicBoolean fitting =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicInteger predictions =
        new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < 100_000 && fitting.get(); i++) {
          try {
            float[] out = m.predict(x).data();
            for (float v : out) {
              if (!Float.isFinite(v)) {
                throw new AssertionError("non-finite prediction " + v);
              }
            }
            predictions.incrementAndGet();
          } catch (Throwable e) {
            failures.add(e);
            return;
          }
        }
      });
      th.setDaemon(true);
      th.start();
      threads.add(th);
    }
    try {
      fit(m);
    } finally {
      fitting.set(false);
      for (Thread th : threads) {
        th.join();
      }
    }
    assertThat(failures).isEmpty();
    assertThat(m.device()).isEqualTo(CPU);
    assertThat(finite(m.predict(x).data())).isTrue();
    assertSameWeights(m.getWeights(), cpuFromTheStart(), tolerance());
  }

  private static boolean finite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return values.length > 0;
  }

  @Test
  void aCrashingPredictMovesTheModelToTheCpuWithItsTrainedWeights() {
    Sequential m = compiled(backplane("backplane.metal.simulate", "crash-inference"), null,
        "metal", "accelerate");
    History h = fit(m);
    assertThat(h.deviceRuns()).singleElement().extracting(History.DeviceRun::device)
        .isEqualTo(METAL);
    List<NamedArray> trained = m.getWeights();
    Tensor x = Tensor.wrap(new float[] {0.5f, -0.25f, 0.125f, 1f}, 1, 4);

    float[] predicted = m.predict(x).data();

    assertThat(m.device()).isEqualTo(CPU);
    assertSameWeights(m.getWeights(), trained, 0f);
    assertThat(finite(predicted)).isTrue();
    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(FailoverEvent.Kind.FAILOVER);
      assertThat(e.reason()).contains("threw in predict: BackendException: simulated Metal"
          + " fault (backplane.metal.simulate=crash-inference): the device crashed in predict");
    });
  }

  @Test
  void aHangingValidationMovesTrainingToTheCpuWithoutLosingSteps() {
    // A deadline far above a training step here, so only the hung evaluation meets it.
    Sequential m = compiled(backplane("backplane.metal.simulate", "hang-inference",
        "backplane.step.timeout", "2s"), null, "metal", "accelerate");
    SplittableRandom r = new SplittableRandom(5);
    float[] x = new float[24 * 4];
    float[] y = new float[24];
    for (int i = 0; i < 24; i++) {
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) r.nextDouble(-1, 1);
      }
      y[i] = x[i * 4] + x[i * 4 + 2] > 0 ? 1 : 0;
    }
    FitOptions opts = FitOptions.builder().epochs(2).batchSize(4).validationSplit(0.25)
        .verbose(Verbosity.SILENT).output(new PrintStream(OutputStream.nullOutputStream()))
        .build();
    History h = m.fit(Tensor.wrap(x, 24, 4), Tensor.wrap(y, 24, 1), opts);

    Sequential cpu = compiled(backplane(), null, "accelerate");
    History expected = cpu.fit(Tensor.wrap(x, 24, 4), Tensor.wrap(y, 24, 1), opts);
    assertThat(h.deviceRuns()).extracting(History.DeviceRun::device)
        .containsExactly(METAL, CPU);
    assertThat(h.deviceRuns().get(1).reason()).contains("timed out in evaluate: no result within"
        + " 2s (backplane.step.timeout); the evaluate call was abandoned");
    assertThat(h.get("val_loss")).hasSize(2);
    for (int i = 0; i < 2; i++) {
      assertThat(h.get("val_loss").get(i)).isCloseTo(expected.get("val_loss").get(i),
          org.assertj.core.data.Offset.offset((double) tolerance()));
    }
    assertSameWeights(m.getWeights(), cpu.getWeights(), tolerance());
  }

  @Test
  void okAndSlowRunOnTheSimulatedDeviceAllTheWay() {
    for (String mode : List.of("ok", "slow:5")) {
      Sequential m = compiled(backplane("backplane.metal.simulate", mode), null, "metal",
          "accelerate");
      History h = fit(m);
      assertThat(h.deviceRuns()).singleElement().satisfies(r -> {
        assertThat(r.device()).isEqualTo(METAL);
        assertThat(r.steps()).isEqualTo(12);
      });
      assertThat(m.placement().explain()).contains("metal:gpu:0       chosen    EXPERIMENTAL:"
          + " simulated Metal device (mode " + mode + ") computing with the reference CPU"
          + " kernels");
      assertSameWeights(m.getWeights(), cpuFromTheStart(), tolerance());
    }
    assertThat(events).isEmpty();
  }

  @Test
  void strictModeTurnsAStepFaultIntoAClearError() {
    Sequential m = compiled(backplane("backplane.metal.simulate", "nan-after:5"), Fallback.NONE,
        "metal");
    assertThatThrownBy(() -> fit(m)).isInstanceOf(DeviceFaultException.class)
        .hasMessageStartingWith("metal:gpu:0 (simulated Metal device (mode nan-after:5)"
            + " computing with the reference CPU kernels) returned a non-finite loss (NaN) at"
            + " step 5 (epoch 1); accelerate:cpu:0 gives a finite loss (")
        .hasMessageContaining("so metal:gpu:0 is at fault. backplane.fallback=none, so training"
            + " stops instead of moving to the CPU; set backplane.fallback=cpu to fail over");
    assertThat(events).extracting(FailoverEvent::kind)
        .containsExactly(FailoverEvent.Kind.DEVICE_FAULT);
  }

  @Test
  void strictModeTurnsAHangIntoAClearError() {
    Sequential m = compiled(backplane("backplane.metal.simulate", "hang-after:3",
        "backplane.step.timeout", "200ms"), Fallback.NONE, "metal");
    assertThatThrownBy(() -> fit(m)).isInstanceOf(DeviceFaultException.class)
        .hasMessageContaining("timed out at step 3 (epoch 1): no result within 200ms")
        .hasMessageContaining("The device never returned: compile the model again");
  }

  @Test
  void strictModeTurnsACanaryFailureIntoAPlacementError() {
    Backplane bp = backplane("backplane.metal.simulate", "drift:0.05");
    assertThatThrownBy(() -> compiled(bp, Fallback.NONE, "metal"))
        .isInstanceOf(PlacementException.class)
        .hasMessageContaining("backplane.fallback=none")
        .hasMessageContaining("metal:gpu:0  rejected  UNSTABLE: canary failed: results differ"
            + " from the reference CPU kernels");
  }

  @Test
  void strictModeTurnsAnUnavailableProbeIntoAPlacementError() {
    Backplane bp = backplane("backplane.metal.simulate", "crash-probe");
    assertThatThrownBy(() -> compiled(bp, Fallback.NONE, "metal"))
        .isInstanceOf(BackplaneException.class)
        .hasMessageContaining("metal:gpu:0  rejected  UNAVAILABLE: probe failed");
  }
}
