package dev.backplane.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.conformance.javaref.JavaRefProvider;
import dev.backplane.ops.Op;
import dev.backplane.ops.OpSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-op checks: one forward check per non-source op, one gradient check per differentiable op. */
class OpChecksTest {
  @Test
  void everyNonSourceOpHasAForwardCheckAndDifferentiableOnesAGradientCheck() {
    List<String> ids = Conformance.checkIds();
    for (Op op : OpSet.all()) {
      boolean source = op.doc().family().equals("source");
      assertThat(ids.contains("op/" + op.name())).as(op.name()).isEqualTo(!source);
      assertThat(ids.contains("op/" + op.name() + "/gradient")).as(op.name() + " gradient")
          .isEqualTo(!source && op.differentiable());
    }
    assertThat(ids).doesNotContain("op/input", "op/variable", "op/constant", "op/sign/gradient",
        "op/greater/gradient", "op/one_hot/gradient");
  }

  @Test
  void aCorrectBackendPassesEveryOpCheck() {
    ConformanceReport report = Conformance.of(new JavaRefProvider("ops"))
        .reference(new JavaRefProvider()).only("op").run();
    assertThat(report.results()).hasSize(55 + 44);
    for (CheckResult r : report.results()) {
      assertThat(r.status()).as("%s", r).isEqualTo(Status.PASS);
      assertThat(r.maxDeviation()).as("%s", r).isNotNull();
    }
  }

  @Test
  void anUnlistedOpIsASkipWithTheReasonNeverAPass() {
    ConformanceReport report = Conformance.of(new JavaRefProvider("no-erf").withoutOps("erf"))
        .reference(null).only("op/erf", "op/tanh").run();
    CheckResult erf = report.result("no-erf", "op/erf").orElseThrow();
    assertThat(erf.status()).isEqualTo(Status.SKIP);
    assertThat(erf.reason()).contains("does not list op 'erf' in supportedOps()");
    assertThat(report.result("no-erf", "op/erf/gradient").orElseThrow().status())
        .isEqualTo(Status.SKIP);
    assertThat(report.result("no-erf", "op/tanh").orElseThrow().status()).isEqualTo(Status.PASS);
    assertThat(report.result("no-erf", "op/tanh/gradient").orElseThrow().status())
        .isEqualTo(Status.PASS);
  }

  @Test
  void aMissingHelperOpIsASkipNamingIt() {
    ConformanceReport report = Conformance.of(new JavaRefProvider("no-cast").withoutOps("cast"))
        .reference(null).only("op/gather").run();
    CheckResult r = report.result("no-cast", "op/gather").orElseThrow();
    assertThat(r.status()).isEqualTo(Status.SKIP);
    assertThat(r.reason()).contains("also needs ops [cast]");
  }

  @Test
  void aWrongGradientFailsTheGradientCheckOnly() {
    // The relu fault of the test backend rewrites relu layers, not the op: the op checks, which
    // use their own layer, must still pass, and the layer-level check must fail.
    ConformanceReport report = Conformance.of(new JavaRefProvider("faulty",
        dev.backplane.conformance.javaref.Fault.RELU_GRADIENT)).reference(new JavaRefProvider())
        .only("op/relu", "gradient/relu").run();
    assertThat(report.result("faulty", "op/relu").orElseThrow().status()).isEqualTo(Status.PASS);
    assertThat(report.result("faulty", "op/relu/gradient").orElseThrow().status())
        .isEqualTo(Status.PASS);
    assertThat(report.result("faulty", "gradient/relu").orElseThrow().status())
        .isEqualTo(Status.FAIL);
  }
}
