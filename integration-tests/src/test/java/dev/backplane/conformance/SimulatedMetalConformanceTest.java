package dev.backplane.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.metal.MetalProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The Metal stub's simulated device, on any OS: healthy it conforms (it computes with the
 * reference kernels); with a silent drift, NaNs or crashes the kit fails it, by check.
 */
class SimulatedMetalConformanceTest {
  private static final String SIMULATE = "backplane.metal.simulate";

  @TestFactory
  Stream<DynamicNode> aHealthySimulatedDeviceConforms() {
    return Conformance.of(new MetalProvider()).set(SIMULATE, "ok").dynamicTests();
  }

  @Test
  void theUnsupportedLayerMessageNamesTheSimulatedBackend() {
    CheckResult r = Conformance.of(new MetalProvider()).set(SIMULATE, "ok")
        .only("errors/unsupported_layer").run().results().get(0);
    assertThat(r.status()).as(r.reason()).isEqualTo(Status.PASS);
  }

  @Test
  void aSilentDriftInTrainingStepsFailsTheOptimizerAndModelChecks() {
    ConformanceReport report = Conformance.of(new MetalProvider()).set(SIMULATE, "drift:0.001")
        .only("forward/dense", "optimizer/sgd", "model/reference").run();

    // The simulated drift scales training steps only; predict and evaluate stay exact.
    assertThat(report.result("metal", "forward/dense")).get().satisfies(r -> {
      assertThat(r.device()).isEqualTo("metal:gpu:0");
      assertThat(r.status()).isEqualTo(Status.PASS);
    });
    assertThat(report.result("metal", "optimizer/sgd")).get().satisfies(r -> {
      assertThat(r.status()).isEqualTo(Status.FAIL);
      assertThat(r.maxDeviation()).isGreaterThan(Tolerances.OPTIMIZER);
    });
    assertThat(report.result("metal", "model/reference")).get().extracting(CheckResult::status)
        .isEqualTo(Status.FAIL);
  }

  @Test
  void nonFiniteStepsAndCrashesFailWithTheBackendsOwnMessage() {
    CheckResult nan = Conformance.of(new MetalProvider()).set(SIMULATE, "nan-after:0")
        .only("gradient/dense").run().results().get(0);
    assertThat(nan.status()).isEqualTo(Status.FAIL);
    assertThat(nan.maxDeviation()).isInfinite();

    CheckResult crash = Conformance.of(new MetalProvider()).set(SIMULATE, "crash")
        .only("model/reference").run().results().get(0);
    assertThat(crash.status()).isEqualTo(Status.FAIL);
    assertThat(crash.reason()).startsWith("threw dev.backplane.BackendException: simulated Metal"
        + " fault (backplane.metal.simulate=crash)");
  }

  @Test
  void withoutSimulationOnLinuxEveryCheckIsSkippedWithThePlatformReason() {
    ConformanceReport report = Conformance.of(new MetalProvider()).only("forward/dense").run();
    assertThat(report.results()).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(Status.SKIP);
      assertThat(r.reason()).startsWith("no usable device: metal:gpu:0 UNAVAILABLE: ");
    });
  }
}
