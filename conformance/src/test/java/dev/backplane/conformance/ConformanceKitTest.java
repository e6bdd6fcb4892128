package dev.backplane.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.BackendException;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.DeviceType;
import dev.backplane.conformance.javaref.Fault;
import dev.backplane.conformance.javaref.JavaRefProvider;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.Probe;
import dev.backplane.testing.FakeProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the kit reports what it cannot check, declared gaps, and how it selects checks. */
class ConformanceKitTest {
  private static final JavaRefProvider REF = new JavaRefProvider();

  @Test
  void missingHardwareSkipsEveryCheckWithTheProbeReason() {
    FakeProvider absent = FakeProvider.withDevice("metal-like", 50, DeviceType.GPU,
        DeviceStatus.UNAVAILABLE, "needs macOS on Apple silicon");
    ConformanceReport report = Conformance.of(absent).reference(REF).run();

    assertThat(report.results()).hasSize(Conformance.checkIds().size())
        .allSatisfy(r -> {
          assertThat(r.status()).isEqualTo(Status.SKIP);
          assertThat(r.device()).isNull();
          assertThat(r.reason()).isEqualTo("no usable device: metal-like:gpu:0 UNAVAILABLE:"
              + " needs macOS on Apple silicon");
        });
    assertThat(report.hasFailures()).isFalse();
    assertThat(report.table()).contains("metal-like (no device): 0 passed, 0 failed, "
        + Conformance.checkIds().size() + " skipped")
        .contains("  metal-like skip all " + Conformance.checkIds().size() + " checks: no usable"
            + " device: metal-like:gpu:0 UNAVAILABLE: needs macOS on Apple silicon");
  }

  @Test
  void withoutAReferenceOnlyTheSelfContainedChecksRun() {
    ConformanceReport report = Conformance.of(new JavaRefProvider("solo")).reference(null)
        .only("forward/dense", "gradient/dense", "determinism").run();

    assertThat(report.result("solo", "forward/dense")).get().satisfies(r -> {
      assertThat(r.status()).isEqualTo(Status.SKIP);
      assertThat(r.reason()).isEqualTo("no reference backend: none was given to"
          + " Conformance.reference(...)");
    });
    assertThat(report.result("solo", "gradient/dense")).get().extracting(CheckResult::status)
        .isEqualTo(Status.PASS);
    assertThat(report.result("solo", "determinism/same_seed")).get()
        .extracting(CheckResult::status).isEqualTo(Status.PASS);
  }

  @Test
  void aProviderThatServesAsReferenceIsItsOwnReferenceWhenNoOtherIsFound() {
    ConformanceReport report = Conformance.of(new JavaRefProvider("self")).only("forward/relu")
        .run();
    assertThat(report.results()).singleElement().extracting(CheckResult::status)
        .isEqualTo(Status.PASS);
  }

  @Test
  void anUnsupportedFeatureIsASkipNamingIt() {
    ConformanceReport report = Conformance.of(new JavaRefProvider("nogelu",
        Fault.UNSUPPORTED_GELU)).reference(REF).only("forward/gelu", "gradient/gelu").run();
    assertThat(report.results()).hasSize(2).allSatisfy(r -> {
      assertThat(r.status()).isEqualTo(Status.SKIP);
      assertThat(r.reason()).startsWith("unsupported: Backend 'nogelu' cannot run activation"
          + " gelu in layer '");
    });
  }

  @Test
  void aKnownGapTurnsItsFailureIntoASkipWithTheReasonAndAPassIntoANote() {
    ConformanceReport report = Conformance.of(new JavaRefProvider("gappy", Fault.GELU_TANH))
        .reference(REF).knownGap("forward/gelu", "uses the tanh approximation (#7)")
        .knownGap("gradient/*", "not reviewed yet")
        .only("forward/gelu", "gradient/gelu").run();

    CheckResult forward = report.result("gappy", "forward/gelu").orElseThrow();
    assertThat(forward.status()).isEqualTo(Status.SKIP);
    assertThat(forward.reason()).startsWith("known gap: uses the tanh approximation (#7)"
        + " (declared in program; measured: deviation ");
    assertThat(forward.maxDeviation()).isGreaterThan(Tolerances.FORWARD);
    CheckResult gradient = report.result("gappy", "gradient/gelu").orElseThrow();
    assertThat(gradient.status()).isEqualTo(Status.PASS);
    assertThat(gradient.reason()).startsWith("declared as a known gap (program) but passes;"
        + " remove the gap.");
    assertThat(report.table()).contains("Failures, skips and known gaps:")
        .contains("gappy skip forward/gelu: known gap: uses the tanh approximation (#7)")
        .contains("gappy pass gradient/gelu: declared as a known gap");
  }

  @Test
  void aKnownGapThatMatchesNoCheckIsAnError() {
    assertThatThrownBy(() -> Conformance.of(REF).knownGap("forwrd/gelu", "typo").run())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Known gap 'forwrd/gelu' (declared in program) matches no"
            + " conformance check. Known checks: forward/dense, ");
  }

  @Test
  void aBackendThatReportsReadyButCannotOpenFailsEveryCheck() {
    FakeProvider broken = new FakeProvider("broken", 1) {
      @Override
      public Backend open(BackendContext context) {
        throw new BackendException(null, "libbroken.so: cannot open shared object file", null);
      }
    };
    ConformanceReport report = Conformance.of(broken).reference(REF).only("forward/dense")
        .run();
    CheckResult r = report.results().get(0);
    assertThat(r.status()).isEqualTo(Status.FAIL);
    assertThat(r.device()).isEqualTo("broken:cpu:0");
    assertThat(r.reason()).isEqualTo("backend 'broken' reports broken:cpu:0 READY but failed to"
        + " open: dev.backplane.BackendException: libbroken.so: cannot open shared object file");
  }

  @Test
  void aProbeThatThrowsIsASkip() {
    FakeProvider throwing = new FakeProvider("throws", 1) {
      @Override
      public Probe probe(BackendContext context) {
        throw new IllegalStateException("driver crashed");
      }
    };
    CheckResult r = Conformance.of(throwing).reference(REF).only("forward/dense").run().results()
        .get(0);
    assertThat(r.status()).isEqualTo(Status.SKIP);
    assertThat(r.reason()).isEqualTo("probe failed: java.lang.IllegalStateException: driver"
        + " crashed");
  }

  @Test
  void aBackendThatComputesGarbageFailsWithTheDeviation() {
    // The api's recording fake outputs each row's first input: far from any reference.
    FakeProvider fake = new FakeProvider("fake", 1);
    CheckResult r = Conformance.of(fake).reference(REF).only("forward/dense").run().results()
        .get(0);
    assertThat(r.status()).isEqualTo(Status.FAIL);
    assertThat(r.maxDeviation()).isGreaterThan(0.01);
    assertThat(r.reason()).startsWith("deviation ").contains(" exceeds tolerance 1e-05: ");
  }

  @Test
  void anExperimentalDeviceIsTestedWhenNoReadyOneExists() {
    JavaRefProvider experimental = new JavaRefProvider("exp") {
      @Override
      public Probe probe(BackendContext context) {
        return Probe.of(new DeviceInfo(Device.gpu("exp", 0), DeviceStatus.EXPERIMENTAL,
            "simulated"));
      }
    };
    CheckResult r = Conformance.of(experimental).reference(REF).only("errors/input_shape").run()
        .results().get(0);
    assertThat(r.device()).isEqualTo("exp:gpu:0");
    assertThat(r.status()).isEqualTo(Status.PASS);
  }

  @Test
  void selectionByIdCategoryAndPrefix() {
    // 108 layer- and model-level checks (61, forward and gradient checks of the 10 newer
    // activations and of 12 convolution, pooling, normalization and shape layer probes, a
    // forward check of BatchNormalization, two
    // model cases: a convnet with batch normalization and an embedding model), op/<op> for
    // every non-source op (55 at this writing) and op/<op>/gradient for the differentiable ones
    // among them (44).
    assertThat(Conformance.checkIds()).hasSize(108 + 55 + 44).doesNotHaveDuplicates()
        .contains("op/erf", "op/erf/gradient", "op/one_hot", "forward/gelu", "gradient/mean_absolute_error", "optimizer/rmsprop_momentum",
            "model/reference", "snapshot/cross_backend", "resources/native_memory");
    ConformanceReport report = Conformance.of(REF).reference(REF)
        .only("optimizer", "model/regression_*").run();
    assertThat(report.results()).extracting(CheckResult::check).containsExactly(
        "optimizer/sgd", "optimizer/sgd_momentum", "optimizer/sgd_nesterov", "optimizer/adam",
        "optimizer/rmsprop", "optimizer/rmsprop_momentum", "model/regression_mse",
        "model/regression_mae");
    assertThatThrownBy(() -> Conformance.of(REF).only("forwrd").run())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("No conformance check matches [forwrd]. Known checks:"
            + " forward/dense, ");
  }

  @Test
  void theTableIsAMatrixOfChecksByBackends() {
    ConformanceReport a = Conformance.of(new JavaRefProvider("alpha")).reference(REF)
        .only("forward/relu", "errors/unsupported_layer").run();
    ConformanceReport b = Conformance.of(new JavaRefProvider("beta", Fault.RELU_GRADIENT))
        .reference(REF).only("forward/relu", "errors/unsupported_layer").run();
    String table = a.plus(b).table();
    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).matches("CHECK +TOLERANCE +alpha +beta");
    assertThat(lines.get(1)).matches("forward/relu +1e-05 +pass 0 +pass 0");
    assertThat(lines.get(2)).matches("errors/unsupported_layer +- +pass +pass");
    assertThat(table).contains("alpha (alpha:cpu:0): 2 passed, 0 failed, 0 skipped\n")
        .contains("beta (beta:cpu:0): 2 passed, 0 failed, 0 skipped\n");
  }
}
