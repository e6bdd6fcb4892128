package dev.backplane.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.conformance.javaref.Fault;
import dev.backplane.conformance.javaref.JavaRefProvider;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each injected bug fails exactly the checks meant to catch it, and spares its neighbours. */
class FaultDetectionTest {
  @org.junit.jupiter.api.AfterEach
  void freeLeaks() {
    JavaRefProvider.releaseLeakedMemory();
  }

  static Stream<Arguments> faults() {
    return Stream.of(
        Arguments.of(Fault.GELU_TANH, List.of("forward/gelu", "model/deep_mlp_dropout0"),
            List.of("gradient/gelu", "forward/relu")),
        Arguments.of(Fault.RELU_GRADIENT, List.of("gradient/relu"),
            List.of("forward/relu", "gradient/leaky_relu")),
        Arguments.of(Fault.BIAS_IGNORED, List.of("forward/dense", "gradient/dense"),
            List.of("forward/dense_no_bias", "gradient/dense_no_bias")),
        Arguments.of(Fault.ADAM_NO_BIAS_CORRECTION, List.of("optimizer/adam", "model/reference"),
            List.of("optimizer/rmsprop", "optimizer/sgd_momentum")),
        Arguments.of(Fault.NESTEROV_IGNORED, List.of("optimizer/sgd_nesterov"),
            List.of("optimizer/sgd_momentum", "optimizer/sgd")),
        Arguments.of(Fault.SNAPSHOT_DROPS_ITERATIONS,
            List.of("snapshot/round_trip", "snapshot/cross_backend", "model/reference"),
            List.of("forward/dense")),
        Arguments.of(Fault.SNAPSHOT_SHARES_ARRAYS, List.of("snapshot/round_trip"),
            List.of("model/softmax_sparse")),
        Arguments.of(Fault.NONDETERMINISTIC_DROPOUT, List.of("determinism/same_seed"),
            List.of("model/deep_mlp_dropout0")),
        Arguments.of(Fault.DROPOUT_IN_PREDICT,
            List.of("forward/dropout", "model/deep_mlp_predict_mode"),
            List.of("gradient/dropout")),
        Arguments.of(Fault.LEAKS_THREADS, List.of("resources/threads", "resources/open_close"),
            List.of("errors/input_shape")),
        Arguments.of(Fault.LEAKS_NATIVE_MEMORY, List.of("resources/native_memory"),
            List.of("resources/threads")),
        Arguments.of(Fault.VAGUE_UNKNOWN_LAYER, List.of("errors/unsupported_layer"),
            List.of("errors/input_shape")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void theBugFailsItsChecksOnly(Fault fault, List<String> failing, List<String> passing) {
    String[] checks = Stream.concat(failing.stream(), passing.stream()).toArray(String[]::new);
    ConformanceReport report = Conformance.of(new JavaRefProvider("faulty", fault))
        .reference(new JavaRefProvider()).only(checks).run();

    for (String id : failing) {
      assertThat(report.result("faulty", id)).get().extracting(CheckResult::status)
          .as("%s under %s: %s", id, fault, report.result("faulty", id))
          .isEqualTo(Status.FAIL);
    }
    for (String id : passing) {
      assertThat(report.result("faulty", id)).get().extracting(CheckResult::status)
          .as("%s under %s: %s", id, fault, report.result("faulty", id))
          .isEqualTo(Status.PASS);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("faults")
  void failuresStateTheDeviationOrTheBrokenContract(Fault fault, List<String> failing,
      List<String> passing) {
    ConformanceReport report = Conformance.of(new JavaRefProvider("faulty", fault))
        .reference(new JavaRefProvider()).only(failing.get(0)).run();
    CheckResult r = report.results().get(0);
    assertThat(r.reason()).isNotBlank();
    if (r.tolerance() != null && r.maxDeviation() != null) {
      assertThat(r.reason()).contains("exceeds tolerance");
      assertThat(r.maxDeviation()).isGreaterThan(r.tolerance());
    }
    Map<Status, Long> counts = Map.of(Status.FAIL, report.count(Status.FAIL));
    assertThat(counts.get(Status.FAIL)).isEqualTo(1);
  }
}
