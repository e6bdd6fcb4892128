package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.model.Conv2D;
import dev.backplane.model.Dense;
import dev.backplane.model.Flatten;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backplane.accelerate.blas=auto} chooses the native BLAS or the Vector API kernels by
 * timing the model's own products: scripted timings (never the wall clock) decide, the verdict
 * is cached per machine in a temporary folder, and a chosen kernel trains with the same bits as
 * that kernel forced.
 */
class KernelChoiceTest {
  private static final GemmShape BIG = new GemmShape(false, false, 128, 512, 784);
  private static final GemmShape SMALL = new GemmShape(false, true, 128, 10, 512);

  @TempDir
  Path dir;

  /** A timer answering from a table and counting its calls. */
  private static final class Scripted implements KernelChoice.Timer {
    final Map<GemmShape, long[]> nanos;
    final List<String> calls = new ArrayList<>();

    Scripted(Map<GemmShape, long[]> nanos) {
      this.nanos = nanos;
    }

    @Override
    public long nanos(KernelChoice.Kernel kernel, GemmShape shape) {
      calls.add(kernel + " " + shape);
      long[] t = nanos.get(shape);
      return t == null ? 1000 : t[kernel == KernelChoice.Kernel.NATIVE ? 0 : 1];
    }
  }

  private KernelCache cache(Duration ttl) {
    return new KernelCache(dir.resolve("cache").resolve(KernelCache.FILE), ttl);
  }

  @Test
  void theSmallerTotalOverTheStepsProductsWinsCountingRepeats() {
    // SMALL is faster natively, BIG on the Vector API; SMALL runs three times a step, so the
    // native total (3·10 + 100) beats the Vector API's (3·50 + 90) though each kernel wins a
    // shape.
    Scripted timer = new Scripted(Map.of(BIG, new long[] {100, 90}, SMALL, new long[] {10, 50}));
    KernelChoice.Verdict v = KernelChoice.choose(List.of(SMALL, BIG, SMALL, SMALL), "m", timer,
        cache(Duration.ofHours(1)));
    assertThat(v.kernel()).isEqualTo(KernelChoice.Kernel.NATIVE);
    assertThat(v.nativeNanos()).isEqualTo(130);
    assertThat(v.javaNanos()).isEqualTo(240);
    assertThat(v.products()).isEqualTo(4);
    assertThat(v.nativeWins()).isEqualTo(1);
    assertThat(v.javaWins()).isEqualTo(1);
    assertThat(v.cached()).isFalse();
    assertThat(timer.calls).as("each distinct shape timed once per kernel and pass")
        .hasSize(4 * KernelChoice.PASSES);

    Scripted slowNative = new Scripted(Map.of(BIG, new long[] {300, 90}, SMALL,
        new long[] {10, 50}));
    KernelChoice.Verdict w = KernelChoice.choose(List.of(SMALL, BIG), "m", slowNative,
        cache(Duration.ZERO));
    assertThat(w.kernel()).isEqualTo(KernelChoice.Kernel.JAVA);
    assertThat(w.describe("OpenBLAS")).isEqualTo("the Vector API kernels by measurement"
        + " (OpenBLAS 0.000 ms, Vector API 0.000 ms for the 2 products of a 128-row training"
        + " step; per shape 1 faster on OpenBLAS, 1 on the Vector API)");
  }

  @Test
  void aTieKeepsTheNativeBlasAndNoProductsTimesNothing() {
    Scripted timer = new Scripted(Map.of(BIG, new long[] {7, 7}));
    assertThat(KernelChoice.choose(List.of(BIG), "m", timer, cache(Duration.ZERO)).kernel())
        .isEqualTo(KernelChoice.Kernel.NATIVE);
    Scripted none = new Scripted(Map.of());
    KernelChoice.Verdict v = KernelChoice.choose(List.of(), "m", none, cache(Duration.ZERO));
    assertThat(v.kernel()).isEqualTo(KernelChoice.Kernel.NATIVE);
    assertThat(none.calls).isEmpty();
    assertThat(v.describe("OpenBLAS")).isEqualTo("no matrix products; OpenBLAS kept");
  }

  @Test
  void aVerdictIsCachedPerMachineAndShapesAcrossProcesses() throws Exception {
    Map<GemmShape, long[]> table = Map.of(BIG, new long[] {300, 90});
    Scripted first = new Scripted(table);
    KernelChoice.choose(List.of(BIG), "machine A", first, cache(Duration.ofHours(1)));
    Path file = dir.resolve("cache").resolve(KernelCache.FILE);
    assertThat(file).exists();
    assertThat(Files.readString(file, StandardCharsets.UTF_8)).contains("JAVA,300,90,1,0,1");

    // A new cache over the same file stands for a later process: no timing, the same verdict.
    Scripted second = new Scripted(Map.of(BIG, new long[] {1, 1000}));
    KernelChoice.Verdict again = KernelChoice.choose(List.of(BIG), "machine A", second,
        cache(Duration.ofHours(1)));
    assertThat(second.calls).isEmpty();
    assertThat(again.kernel()).isEqualTo(KernelChoice.Kernel.JAVA);
    assertThat(again.cached()).isTrue();
    assertThat(again.describe("OpenBLAS")).endsWith("; cached)");

    // Another machine description (library, threads, CPU) or other shapes: timed afresh.
    KernelChoice.Verdict other = KernelChoice.choose(List.of(BIG), "machine B", second,
        cache(Duration.ofHours(1)));
    assertThat(other.kernel()).isEqualTo(KernelChoice.Kernel.NATIVE);
    assertThat(second.calls).hasSize(2 * KernelChoice.PASSES);
    KernelChoice.choose(List.of(BIG, SMALL), "machine A", second, cache(Duration.ofHours(1)));
    assertThat(second.calls).hasSize(6 * KernelChoice.PASSES);
  }

  @Test
  void noCacheFileWhenTheCacheIsOffButOneBackendNeverFlips() {
    KernelCache off = cache(Duration.ZERO);
    Scripted timer = new Scripted(Map.of(BIG, new long[] {300, 90}));
    assertThat(KernelChoice.choose(List.of(BIG), "m", timer, off).kernel())
        .isEqualTo(KernelChoice.Kernel.JAVA);
    assertThat(dir.resolve("cache")).doesNotExist();
    Scripted flipped = new Scripted(Map.of(BIG, new long[] {1, 1000}));
    assertThat(KernelChoice.choose(List.of(BIG), "m", flipped, off).kernel())
        .isEqualTo(KernelChoice.Kernel.JAVA);
    assertThat(flipped.calls).isEmpty();
  }

  @Test
  void aDamagedOrExpiredEntryIsAMiss() throws Exception {
    Path file = dir.resolve("cache").resolve(KernelCache.FILE);
    Files.createDirectories(file.getParent());
    String key = KernelCache.key("m", "[" + BIG + "=1]");
    Files.writeString(file, key + "=JAVA,not-a-number\n", StandardCharsets.UTF_8);
    Scripted timer = new Scripted(Map.of(BIG, new long[] {5, 9}));
    assertThat(KernelChoice.choose(List.of(BIG), "m", timer, cache(Duration.ofHours(1)))
        .kernel()).isEqualTo(KernelChoice.Kernel.NATIVE);
    assertThat(timer.calls).hasSize(2 * KernelChoice.PASSES);
    Files.writeString(file, key + "=JAVA,1,2,1,0,1,measured,0\n", StandardCharsets.UTF_8);
    Scripted later = new Scripted(Map.of(BIG, new long[] {5, 9}));
    assertThat(KernelChoice.choose(List.of(BIG), "m", later, cache(Duration.ofHours(1)))
        .kernel()).as("saved at the epoch: expired").isEqualTo(KernelChoice.Kernel.NATIVE);
    assertThat(later.calls).hasSize(2 * KernelChoice.PASSES);
  }

  @Test
  void theModelsRealProductsAreTheShapesTimed() {
    ModelSpec mlp = Fixtures.spec(784, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 1,
        new Dense(512, "relu"), new Dense(10, "softmax"));
    List<GemmShape> shapes = GraphCompiler.gemmShapes(GraphCompiler.compile(
        mlp.programs().train()), 128);
    assertThat(shapes).contains(new GemmShape(false, false, 128, 512, 784),
        new GemmShape(false, false, 128, 10, 512));
    // Backward: the weight gradients xᵀ·dz and the input gradient dz·Wᵀ of the second layer.
    assertThat(shapes).contains(new GemmShape(true, false, 784, 512, 128),
        new GemmShape(true, false, 512, 10, 128), new GemmShape(false, true, 128, 512, 10));

    ModelSpec cnn = ModelSpec.create("cnn", new int[] {8, 8, 1}, Fixtures.named(
        new Conv2D(4, 3, "relu"), new Flatten(), new Dense(3, "softmax")),
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(), 1);
    List<GemmShape> conv = GraphCompiler.gemmShapes(GraphCompiler.compile(
        cnn.programs().train()), 2);
    // im2col: 2 samples × 6×6 outputs rows, 3·3·1 patch columns, 4 filters.
    assertThat(conv).contains(new GemmShape(false, false, 72, 4, 9),
        new GemmShape(true, false, 9, 4, 72));
  }

  @Test
  void autoTrainsWithTheBitsOfTheKernelItChose() {
    ModelSpec spec = Fixtures.spec(20, Loss.CATEGORICAL_CROSSENTROPY, new Adam(0.01), 99,
        new Dense(16, "relu"), new Dense(4, "softmax"));
    Tensor x = Fixtures.uniform(1, 64, 20, -1, 1);
    Tensor y = Fixtures.labels(2, 64, 4, spec.loss());
    for (KernelChoice.Kernel winner : KernelChoice.Kernel.values()) {
      KernelChoice.Timer timer = (kernel, shape) -> kernel == winner ? 1 : 2;
      double[] auto;
      String note;
      String detail;
      try (AccelerateBackend backend = AccelerateBackend.open(Fixtures.context(false,
          BlasMode.KEY.name(), "auto", "backplane.threads", "2", "backplane.cache.dir",
          dir.resolve(winner.name()).toString()), timer);
          Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
        auto = Fixtures.train(exe, x, y, 4, 5);
        note = backend.kernels(exe);
        detail = backend.devices().get(0).detail();
      }
      double[] forced;
      try (AccelerateBackend backend = Fixtures.backend(winner == KernelChoice.Kernel.NATIVE
          ? "native" : "java", 2); Executable exe = backend.compile(spec,
              AccelerateBackend.DEVICE)) {
        forced = Fixtures.train(exe, x, y, 4, 5);
      }
      assertThat(auto).as("bits of %s", winner).isEqualTo(forced);
      assertThat(note).startsWith("model '" + spec.name() + "': " + (winner
          == KernelChoice.Kernel.NATIVE ? "OpenBLAS" : "the Vector API kernels")
          + " by measurement");
      assertThat(detail).startsWith("OpenBLAS").contains("backplane.accelerate.blas=auto: each"
          + " model's matrix products run on the faster of this and the Vector API kernels")
          .contains(dir.resolve(winner.name()).resolve(KernelCache.FILE).toString());
      assertThat(dir.resolve(winner.name()).resolve(KernelCache.FILE)).exists();
    }
  }

  @Test
  void theRealTimerMultipliesOnBothEngines() {
    try (AccelerateBackend backend = Fixtures.backend("native", 1)) {
      KernelCache off = cache(Duration.ZERO);
      List<String> seen = new ArrayList<>();
      GemmTimer real = new GemmTimer(MatrixEngine.nativeBlas((NativeGemm) backend.gemm()),
          MatrixEngine.java(new VectorGemm(null)));
      KernelChoice.Verdict v = KernelChoice.choose(List.of(new GemmShape(true, false, 16, 8,
          32)), "m", (kernel, shape) -> {
            seen.add(kernel.name());
            long t = real.nanos(kernel, shape);
            assertThat(t).isPositive();
            return t;
          }, off);
      assertThat(seen).containsExactly("NATIVE", "JAVA", "NATIVE", "JAVA");
      assertThat(v.products()).isEqualTo(1);
    }
  }

  @Test
  void aModelTheTimerCannotTimeStaysOnTheNativeBlas() {
    ModelSpec spec = Fixtures.spec(4, Loss.MEAN_SQUARED_ERROR, new Adam(), 1,
        new Dense(2, "linear"));
    try (AccelerateBackend backend = AccelerateBackend.open(Fixtures.context(false,
        BlasMode.KEY.name(), "auto", "backplane.probe.cache", "0"), (kernel, shape) -> {
          throw new IllegalStateException("no timing here");
        }); Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      assertThat(backend.kernels(exe)).isEqualTo("model 'test': OpenBLAS kept; the timing"
          + " failed: java.lang.IllegalStateException: no timing here");
      assertThat(exe.trainStep(Tensor.zeros(3, 4), Tensor.zeros(3, 2), new float[6])).isZero();
    }
  }

  @Test
  void onlyOpenExecutablesHaveKernelNotes() {
    try (AccelerateBackend backend = Fixtures.backend("java", 1)) {
      ModelSpec spec = Fixtures.spec(4, Loss.MEAN_SQUARED_ERROR, new Adam(), 1,
          new Dense(2, "linear"));
      Executable exe = backend.compile(spec, AccelerateBackend.DEVICE);
      assertThat(backend.kernels(exe)).startsWith("pure Java kernels (Vector API");
      exe.close();
      assertThatThrownBy(() -> backend.kernels(exe))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not open");
    }
  }
}
