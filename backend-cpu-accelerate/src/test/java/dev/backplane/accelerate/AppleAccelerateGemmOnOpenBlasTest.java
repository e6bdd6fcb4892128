package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link AppleAccelerateGemm} without a Mac: the same JNA binding, bound to a CBLAS that Linux has
 * (OpenBLAS, extracted by JavaCPP), so every line of the Accelerate path but the library's name
 * runs in CI. On macOS it binds the real Accelerate framework instead. Skipped, saying why, where
 * neither can be found.
 */
class AppleAccelerateGemmOnOpenBlasTest {
  private static AppleAccelerateGemm gemm;
  private static String library;

  @BeforeAll
  static void bind() {
    library = NativeBlas.isMac() && Files.exists(Path.of(AppleAccelerateGemm.FRAMEWORK))
        ? AppleAccelerateGemm.FRAMEWORK : openBlasLibrary().orElse(null);
    assumeTrue(library != null, "no CBLAS library to bind: not macOS, and JavaCPP's OpenBLAS"
        + " preset left no libopenblas*.so* beside its JNI library");
    gemm = AppleAccelerateGemm.load(library, AppleAccelerateGemm.FRAMEWORK.equals(library)
        ? AppleAccelerateGemm.FRAMEWORK_NAME : "CBLAS from " + library);
  }

  @AfterAll
  static void close() {
    if (gemm != null) {
      gemm.close();
    }
  }

  /** JavaCPP's OpenBLAS, beside the JNI library it extracts (the one already loaded first). */
  static Optional<String> openBlasLibrary() {
    Path jni;
    try {
      String loaded = Loader.load(openblas_nolapack.class);
      if (loaded == null) {
        return Optional.empty();
      }
      jni = Path.of(loaded);
    } catch (RuntimeException | LinkageError e) {
      return Optional.empty();
    }
    Path dir = jni.getParent();
    if (dir == null) {
      return Optional.empty();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(Path::toString)
          .filter(f -> Path.of(f).getFileName().toString().matches("libopenblas.*\\.so.*"))
          // the no-LAPACK build (what the JNI library loaded) first, then the shortest name
          .min(Comparator.comparing((String f) -> !f.contains("nolapack"))
              .thenComparing(String::length));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  static Stream<Arguments> cases() {
    int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {32, 1, 128}, {1, 40, 9}, {64, 10, 200},
        {70, 300, 130}, {17, 80, 513}, {5, 4, 0}};
    List<Arguments> args = new ArrayList<>();
    for (int[] s : shapes) {
      for (int t = 0; t < 4; t++) {
        args.add(Arguments.of(s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
      }
    }
    return args.stream();
  }

  /** C = alpha·op(A)·op(B) + beta·C by the definition, in double. */
  static float[] reference(boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c,
      int cOff, int ldc) {
    float[] expected = c.clone();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          double av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          double bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          sum += av * bv;
        }
        expected[cOff + i * ldc + j] = (float) (alpha * sum
            + (beta == 0f ? 0 : beta * c[cOff + i * ldc + j]));
      }
    }
    return expected;
  }

  static void assertClose(float[] actual, float[] expected, int k) {
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("C[%d]", i).isCloseTo(expected[i],
          within(1e-5f * (1 + Math.abs(expected[i])) * (float) Math.sqrt(k + 1)));
    }
  }

  static float[] random(SplittableRandom r, int size) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) r.nextDouble(-1, 1);
    }
    return v;
  }

  @ParameterizedTest(name = "flat m={0} n={1} k={2} transA={3} transB={4}")
  @MethodSource("cases")
  void theFlatFormMatchesATripleLoop(int m, int n, int k, boolean transA, boolean transB) {
    SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    int lda = Math.max(1, aCols) + 3;
    int ldb = Math.max(1, bCols) + 1;
    int ldc = n + 2;
    float[] a = random(r, 5 + aRows * lda);
    float[] b = random(r, 2 + bRows * ldb);
    float[] c = random(r, 4 + m * ldc);
    float[] expected = reference(transA, transB, m, n, k, 0.75f, a, 5, lda, b, 2, ldb, 0.5f, c,
        4, ldc);
    gemm.sgemm(transA, transB, m, n, k, 0.75f, a, 5, lda, b, 2, ldb, 0.5f, c, 4, ldc);
    assertClose(c, expected, k);
  }

  @ParameterizedTest(name = "buffers m={0} n={1} k={2} transA={3} transB={4}")
  @MethodSource("cases")
  void theBufferFormMatchesATripleLoop(int m, int n, int k, boolean transA, boolean transB) {
    SplittableRandom r = new SplittableRandom(m * 13L + n * 5L + k);
    assertClose(bufferProduct(r, m, n, k, transA, transB), lastExpected.get(), k);
  }

  private static final ThreadLocal<float[]> lastExpected = new ThreadLocal<>();

  /** One product through native buffers with padded rows; sets {@link #lastExpected}. */
  private static float[] bufferProduct(SplittableRandom r, int m, int n, int k, boolean transA,
      boolean transB) {
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    int lda = Math.max(1, aCols) + 2;
    int ldb = Math.max(1, bCols) + 1;
    int ldc = n + 3;
    float[] a = random(r, Math.max(1, aRows * lda));
    float[] b = random(r, Math.max(1, bRows * ldb));
    float[] c = random(r, Math.max(1, m * ldc));
    lastExpected.set(reference(transA, transB, m, n, k, 1.25f, a, 0, lda, b, 0, ldb, -0.5f, c, 0,
        ldc));
    try (NativeBuffer ab = gemm.allocate(a.length); NativeBuffer bb = gemm.allocate(b.length);
        NativeBuffer cb = gemm.allocate(c.length)) {
      ab.floats().put(0, a);
      bb.floats().put(0, b);
      cb.floats().put(0, c);
      gemm.sgemm(transA, transB, m, n, k, 1.25f, ab, lda, bb, ldb, -0.5f, cb, ldc);
      float[] out = new float[c.length];
      cb.floats().get(0, out);
      return out;
    }
  }

  @Test
  void betaZeroIgnoresNaNsInC() {
    float[] c = {Float.NaN};
    gemm.sgemm(false, false, 1, 1, 2, 1f, new float[] {1, 2}, 0, 2, new float[] {3, 4}, 0, 1, 0f,
        c, 0, 1);
    assertThat(c[0]).isEqualTo(11f);
  }

  @Test
  void manyThreadsAtOnceEachGetTheirOwnProduct() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Void>> work = new ArrayList<>();
      for (int t = 0; t < 32; t++) {
        int seed = t;
        work.add(() -> {
          SplittableRandom r = new SplittableRandom(seed);
          for (int rep = 0; rep < 5; rep++) {
            int m = 1 + r.nextInt(60);
            int n = 1 + r.nextInt(60);
            int k = 1 + r.nextInt(90);
            boolean transA = r.nextBoolean();
            boolean transB = r.nextBoolean();
            // the buffer form runs concurrently; the flat form is serialized on the gemm
            float[] out = bufferProduct(r, m, n, k, transA, transB);
            assertClose(out, lastExpected.get(), k);
            float[] a = random(r, m * k);
            float[] b = random(r, k * n);
            float[] c = new float[m * n];
            int lda = transA ? m : k;
            int ldb = transB ? k : n;
            float[] expected = reference(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f,
                c, 0, n);
            gemm.sgemm(transA, transB, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
            assertClose(c, expected, k);
          }
          return null;
        });
      }
      for (Future<Void> f : threads.invokeAll(work)) {
        f.get();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void describesTheLibraryItBound() {
    assertThat(gemm.library()).contains(" via JNA ");
    if (AppleAccelerateGemm.FRAMEWORK.equals(library)) {
      assertThat(gemm.description()).endsWith("threads managed by macOS");
    } else {
      assertThat(gemm.library()).startsWith("CBLAS from " + library);
      assertThat(gemm.description()).endsWith("threads managed by the library");
    }
  }

  @Test
  void theSameLibraryBindsAgainButAnotherIsRefused() {
    AppleAccelerateGemm again = AppleAccelerateGemm.load(library, "again");
    try {
      float[] c = new float[1];
      again.sgemm(false, false, 1, 1, 1, 1f, new float[] {2}, 0, 1, new float[] {3}, 0, 1, 0f,
          c, 0, 1);
      assertThat(c[0]).isEqualTo(6f);
    } finally {
      again.close();
    }
    assertThatThrownBy(() -> AppleAccelerateGemm.load(library + ".other", "other"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cblas_sgemm is already bound to " + library + " in this process; it cannot"
            + " also be bound to " + library + ".other");
  }

  @Test
  void buffersAreCheckedAndClosedOnce() {
    AppleAccelerateGemm other = AppleAccelerateGemm.load(library, "checks");
    NativeBuffer a = other.allocate(4);
    NativeBuffer b = other.allocate(4);
    NativeBuffer c = other.allocate(4);
    FloatBuffer av = a.floats();
    assertThat(av.capacity()).isEqualTo(4);
    assertThat(av.get(0)).isZero();
    assertThat(a).hasToString("Accelerate buffer of 4 floats");
    assertThatThrownBy(() -> other.sgemm(false, false, 2, 2, 2, 1f, a, 1, b, 2, 0f, c, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Leading dimension of A is 1 but its rows have 2 values");
    assertThatThrownBy(() -> other.sgemm(false, false, 3, 2, 2, 1f, a, 2, b, 2, 0f, c, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("A (3 × 2, leading dimension 2) needs 6 values");
    NativeBuffer foreign = new NativeBuffer() {
      @Override
      public long size() {
        return 4;
      }

      @Override
      public FloatBuffer floats() {
        return FloatBuffer.allocate(4);
      }

      @Override
      public void close() {}
    };
    assertThatThrownBy(() -> other.sgemm(false, false, 2, 2, 2, 1f, foreign, 2, b, 2, 0f, c, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("was not allocated by AppleAccelerateGemm");
    // an empty product touches nothing, not even a closed buffer
    c.close();
    other.sgemm(false, false, 0, 2, 2, 1f, a, 2, b, 2, 0f, c, 2);
    assertThatThrownBy(() -> other.sgemm(false, false, 2, 2, 2, 1f, a, 2, b, 2, 0f, c, 2))
        .isInstanceOf(IllegalStateException.class).hasMessage("Buffer is closed");
    c.close();
    a.close();
    b.close();
    other.close();
    other.close();
    assertThatThrownBy(() -> other.sgemm(false, false, 1, 1, 1, 1f, new float[1], 0, 1,
        new float[1], 0, 1, 0f, new float[1], 0, 1)).isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith(" is closed");
  }
}
