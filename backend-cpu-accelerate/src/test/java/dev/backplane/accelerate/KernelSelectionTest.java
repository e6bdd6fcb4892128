package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.BackendException;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * {@code backplane.accelerate.blas}: auto, native and java, and what happens when native fails;
 * which pure-Java kernels, with and without the Vector API module.
 */
class KernelSelectionTest {
  private static final Function<ComputePool, NativeGemm> BROKEN = pool -> {
    throw new NativeBlas.NativeBlasUnavailableException(
        new UnsatisfiedLinkError("no jniopenblas_nolapack in java.library.path"));
  };

  @Test
  void autoPicksNativeOpenBlasHere() {
    try (AccelerateBackend backend = AccelerateBackend.open(Fixtures.context(false,
        "backplane.threads", "2"))) {
      assertThat(backend.usesNativeBlas()).isTrue();
      assertThat(backend.gemm()).isInstanceOf(OpenBlasGemm.class);
      assertThat(backend.devices().get(0).detail()).startsWith("OpenBLAS");
    }
  }

  @Test
  void testsRunWithTheVectorApiModule() {
    // Surefire's argLine adds it, as ./backplane does; without it the vector tests test nothing.
    assertThat(VectorSupport.present()).as("jdk.incubator.vector in the boot layer").isTrue();
    assertThat(VectorGemm.vectorBits()).isGreaterThanOrEqualTo(128);
  }

  @Test
  void javaModeUsesTheVectorKernelsWhereTheModuleIsPresent() {
    try (AccelerateBackend backend = Fixtures.backend("java", 2)) {
      assertThat(backend.usesNativeBlas()).isFalse();
      assertThat(backend.gemm()).isInstanceOf(VectorGemm.class);
      assertThat(backend.devices().get(0).detail()).isEqualTo("pure Java kernels (Vector API, "
          + VectorGemm.vectorBits() + "-bit), 2 threads (backplane.accelerate.blas=java)");
    }
  }

  @Test
  void javaModeWithoutTheModuleIsScalarAndSaysHowToVectorize() {
    Kernels kernels = Kernels.choose(Fixtures.context(false, BlasMode.KEY.name(), "java",
        "backplane.threads", "2"), null, BROKEN, () -> false);
    assertThat(kernels.isNative()).isFalse();
    assertThat(kernels.vector()).isFalse();
    assertThat(kernels.detail()).isEqualTo("pure Java kernels (scalar; run with --add-modules"
        + " jdk.incubator.vector for the vectorized ones), 2 threads"
        + " (backplane.accelerate.blas=java)");
    assertThat(kernels.newJavaGemm(null)).isInstanceOf(JavaGemm.class);
  }

  @Test
  void theVectorCheckDecidesTheJavaKernels() {
    Kernels kernels = Kernels.choose(Fixtures.context(false, BlasMode.KEY.name(), "java"), null,
        BROKEN, () -> true);
    assertThat(kernels.vector()).isTrue();
    assertThat(kernels.newJavaGemm(null)).isInstanceOf(VectorGemm.class);
  }

  @Test
  void referenceIsAlwaysScalarPureJava() {
    try (AccelerateBackend backend = AccelerateBackend.open(Fixtures.context(true,
        BlasMode.KEY.name(), "native"))) {
      assertThat(backend.usesNativeBlas()).isFalse();
      assertThat(backend.gemm()).isInstanceOf(JavaGemm.class);
      assertThat(backend.devices().get(0).detail())
          .startsWith("pure Java kernels (reference, scalar)");
    }
    Kernels kernels = Kernels.choose(Fixtures.context(true, BlasMode.KEY.name(), "java"), null,
        BROKEN, () -> true);
    assertThat(kernels.vector()).isFalse();
  }

  @Test
  void nativeBlasLeavesTheVectorKernelsUnused() {
    try (AccelerateBackend backend = Fixtures.backend("native", 1)) {
      assertThat(backend.gemm()).isInstanceOf(OpenBlasGemm.class);
    }
    Kernels kernels = Kernels.choose(Fixtures.context(false), null, BROKEN, () -> true);
    assertThat(kernels.isNative()).isFalse();
    assertThat(kernels.vector()).isTrue();
  }

  @Test
  void withoutTheModuleARealJvmTrainsOnTheScalarKernels() throws Exception {
    // No predicate here: a JVM started without --add-modules must never touch VectorGemm.
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString(), "-cp", System.getProperty("java.class.path"), NoVectorApiMain.class
        .getName());
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(),
        StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();
    assertThat(output).contains("module present: false")
        .contains("gemm: JavaGemm")
        .contains("detail: pure Java kernels (scalar; run with --add-modules"
            + " jdk.incubator.vector for the vectorized ones), 2 threads")
        .contains("loss finite: true")
        .doesNotContain("NoClassDefFoundError");
  }

  @Test
  void forcedNativeFailsWithTheCause() {
    assertThatThrownBy(() -> Kernels.choose(Fixtures.context(false, BlasMode.KEY.name(),
        "native"), null, BROKEN))
        .isInstanceOf(BackendException.class)
        .hasMessageContaining("backplane.accelerate.blas=native")
        .hasMessageContaining("no jniopenblas_nolapack in java.library.path")
        .hasCauseInstanceOf(UnsatisfiedLinkError.class);
  }

  @Test
  void autoFallsBackToJavaNamingTheCauseAndLogsItOnce() {
    Logger logger = Logger.getLogger("dev.backplane.accelerate");
    List<LogRecord> records = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        records.add(record);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    boolean parents = logger.getUseParentHandlers();
    logger.setUseParentHandlers(false);
    logger.addHandler(capture);
    NativeBlas.resetFallbackLog();
    try {
      Kernels first = Kernels.choose(Fixtures.context(false, "backplane.threads", "2"), null,
          BROKEN);
      Kernels second = Kernels.choose(Fixtures.context(false), null, BROKEN);
      assertThat(first.isNative()).isFalse();
      assertThat(first.detail()).isEqualTo("pure Java kernels (Vector API, "
          + VectorGemm.vectorBits() + "-bit; native BLAS unavailable: UnsatisfiedLinkError:"
          + " no jniopenblas_nolapack in java.library.path), 2 threads");
      assertThat(first.vector()).isTrue();
      assertThat(Kernels.choose(Fixtures.context(false, "backplane.threads", "1"), null, BROKEN,
          () -> false).detail())
          .isEqualTo("pure Java kernels (scalar; run with --add-modules jdk.incubator.vector"
              + " for the vectorized ones; native BLAS unavailable: UnsatisfiedLinkError:"
              + " no jniopenblas_nolapack in java.library.path), 1 thread");
      assertThat(second.isNative()).isFalse();
      assertThat(records).hasSize(1);
      assertThat(records.get(0).getMessage()).contains("Native BLAS unavailable")
          .contains("UnsatisfiedLinkError");
    } finally {
      logger.removeHandler(capture);
      logger.setUseParentHandlers(parents);
    }
  }

  @Test
  void nativeAndJavaAgreeOnATrainingRun() {
    ModelSpec spec = Fixtures.spec(20, Loss.CATEGORICAL_CROSSENTROPY, new Adam(0.01), 99,
        new Dense(48, "relu"), new Dropout(0.25), new Dense(24, "tanh"),
        new Dense(4, "softmax"));
    Tensor x = Fixtures.uniform(1, 50, 20, -1, 1);
    Tensor y = Fixtures.labels(2, 50, 4, spec.loss());
    double[] javaLosses;
    double[] nativeLosses;
    ModelState javaState;
    ModelState nativeState;
    try (AccelerateBackend java = Fixtures.backend("java", 2);
        Executable exe = java.compile(spec, AccelerateBackend.DEVICE)) {
      javaLosses = epochs(exe, x, y);
      javaState = exe.snapshot();
    }
    try (AccelerateBackend nativeBlas = Fixtures.backend("native", 2);
        Executable exe = nativeBlas.compile(spec, AccelerateBackend.DEVICE)) {
      nativeLosses = epochs(exe, x, y);
      nativeState = exe.snapshot();
    }
    assertThat(javaLosses[javaLosses.length - 1]).isLessThan(javaLosses[0] * 0.8);
    for (int i = 0; i < javaLosses.length; i++) {
      assertThat(nativeLosses[i]).as("loss of step %d", i)
          .isCloseTo(javaLosses[i], within(1e-4 * Math.abs(javaLosses[i])));
    }
    float[] a = Fixtures.flatParameters(javaState);
    float[] b = Fixtures.flatParameters(nativeState);
    for (int i = 0; i < a.length; i++) {
      assertThat(b[i]).as("parameter value %d", i).isCloseTo(a[i], within(2e-4f));
    }
  }

  /** Ten epochs of batches of 16 (the last of each has 2 rows). */
  private static double[] epochs(Executable exe, Tensor x, Tensor y) {
    List<Double> losses = new ArrayList<>();
    float[] out = new float[16 * 4];
    for (int epoch = 0; epoch < 10; epoch++) {
      for (int from = 0; from < x.rows(); from += 16) {
        int to = Math.min(x.rows(), from + 16);
        losses.add(exe.trainStep(x.rows(from, to), y.rows(from, to), out));
      }
    }
    return losses.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
