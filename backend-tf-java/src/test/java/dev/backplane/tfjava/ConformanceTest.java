package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backplane.Device;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Same seed, data and batches on tf-java and on a reference: per-epoch loss and the final state
 * agree within relative 1e-4 after one epoch. The reference is the api's float64 interpreter
 * ({@link InterpreterExecutable}, always) and the {@code accelerate} CPU backend in its reference mode (when it is on the
 * class path).
 */
class ConformanceTest {
  private static final double RTOL = 1e-4;
  private static Backend tf;

  @BeforeAll
  static void open() {
    tf = new TfJavaProvider().open(CrossBackendComparison.context(2, false));
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  static List<CrossBackendComparison.Case> cases() {
    return CrossBackendComparison.standardCases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void agreesWithFloat64Reference(CrossBackendComparison.Case c) {
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, c.spec())) {
      var outcome = CrossBackendComparison.compare(c, e, reference(c));
      System.out.println("tf-java vs float64 reference, " + c + ": "
          + CrossBackendComparison.summary(outcome));
      CrossBackendComparison.assertAgree(outcome, RTOL, "tf-java", "float64 reference");
    }
  }

  /** The api's float64 interpreter running the same programs. */
  private static Executable reference(CrossBackendComparison.Case c) {
    return new InterpreterExecutable(c.spec(), Device.cpu("interpreter", 0));
  }

  @Test
  void grapplerOnComputesTheSame() {
    BackendContext context = new BackendContext(BackplaneConfig.builder().classpathFile(false)
        .set("backplane.threads", "2").set("backplane.tf-java.grappler", "on").build(), false);
    CrossBackendComparison.Case c = cases().get(0);
    try (Backend optimized = new TfJavaProvider().open(context);
        Executable e = CrossBackendComparison.compileOnFirstDevice(optimized, c.spec())) {
      assertThat(optimized.devices().get(0).detail()).contains("Grappler on");
      var outcome = CrossBackendComparison.compare(c, e, reference(c));
      CrossBackendComparison.assertAgree(outcome, RTOL, "tf-java (Grappler on)",
          "float64 reference");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void agreesWithAccelerateBackend(CrossBackendComparison.Case c) {
    Optional<BackendProvider> accelerate = CrossBackendComparison.provider("accelerate");
    assumeTrue(accelerate.isPresent(), "No backend provider with id 'accelerate' on the class"
        + " path (module backend-cpu-accelerate not built yet); cross-backend check skipped");
    try (Backend cpu = accelerate.get().open(CrossBackendComparison.context(2, true));
        Executable reference = CrossBackendComparison.compileOnFirstDevice(cpu, c.spec());
        Executable e = CrossBackendComparison.compileOnFirstDevice(tf, c.spec())) {
      var outcome = CrossBackendComparison.compare(c, e, reference);
      System.out.println("tf-java vs " + reference.device() + ", " + c + ": "
          + CrossBackendComparison.summary(outcome));
      CrossBackendComparison.assertAgree(outcome, RTOL, "tf-java", reference.device().toString());
    }
  }
}
