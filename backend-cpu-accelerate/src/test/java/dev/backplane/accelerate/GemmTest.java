package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link Gemm} against a double-precision reference: all transpose combinations, offsets,
 * padded leading dimensions, alpha and beta, shapes that take each kernel path (tiny, narrow,
 * wide, parallel). The Vector API kernels ({@link VectorGemm}) are tested here too: Surefire runs
 * with {@code --add-modules jdk.incubator.vector}.
 */
class GemmTest {
  private static ComputePool pool;
  private static JavaGemm javaGemm;
  private static JavaGemm javaSingle;
  private static VectorGemm vectorGemm;
  private static VectorGemm vectorSingle;
  private static OpenBlasGemm openBlas;

  @BeforeAll
  static void open() {
    pool = new ComputePool(2);
    javaGemm = new JavaGemm(pool);
    javaSingle = new JavaGemm(null);
    vectorGemm = new VectorGemm(pool);
    vectorSingle = new VectorGemm(null);
    openBlas = OpenBlasGemm.load(pool);
  }

  @AfterAll
  static void close() {
    pool.close();
    openBlas.close();
  }

  static Stream<Arguments> cases() {
    int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {32, 1, 128}, {32, 128, 1}, {64, 10, 200},
        {128, 200, 9}, {70, 300, 130}, {200, 64, 3}, {400, 40, 100}, {96, 2, 3000}, {37, 1100, 600},
        // row blocks with both sides wide enough to cut, and a deep but too shallow to split
        {300, 200, 130}, {200, 700, 16},
        // the vector kernels' blocks: several k-blocks and row blocks, a one-vector last panel
        {260, 48, 700}, {17, 80, 513}};
    List<Arguments> args = new ArrayList<>();
    for (String gemm : List.of("java", "java-1-thread", "vector", "vector-1-thread",
        "openblas")) {
      for (int[] s : shapes) {
        for (int t = 0; t < 4; t++) {
          args.add(Arguments.of(gemm, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0));
        }
      }
    }
    return args.stream();
  }

  private static Gemm gemm(String name) {
    return switch (name) {
      case "java" -> javaGemm;
      case "java-1-thread" -> javaSingle;
      case "vector" -> vectorGemm;
      case "vector-1-thread" -> vectorSingle;
      default -> openBlas;
    };
  }

  @ParameterizedTest(name = "{0} m={1} n={2} k={3} transA={4} transB={5}")
  @MethodSource("cases")
  void matchesReference(String name, int m, int n, int k, boolean transA, boolean transB) {
    SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    // Offsets and padded rows check the addressing, not just dense layouts.
    int lda = aCols + 3;
    int ldb = bCols + 1;
    int ldc = n + 2;
    float[] a = random(r, 5 + aRows * lda);
    float[] b = random(r, 2 + bRows * ldb);
    float[] c = random(r, 4 + m * ldc);
    float[] expected = c.clone();
    float alpha = 0.75f;
    float beta = 0.5f;
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) {
          double av = transA ? a[5 + p * lda + i] : a[5 + i * lda + p];
          double bv = transB ? b[2 + j * ldb + p] : b[2 + p * ldb + j];
          sum += av * bv;
        }
        expected[4 + i * ldc + j] = (float) (alpha * sum + beta * c[4 + i * ldc + j]);
      }
    }
    gemm(name).sgemm(transA, transB, m, n, k, alpha, a, 5, lda, b, 2, ldb, beta, c, 4, ldc);
    for (int i = 0; i < c.length; i++) {
      assertThat(c[i]).as("C[%d]", i)
          .isCloseTo(expected[i], org.assertj.core.api.Assertions.within(
              1e-5f * (1 + Math.abs(expected[i])) * (float) Math.sqrt(k + 1)));
    }
  }

  private static float[] random(SplittableRandom r, int size) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) r.nextDouble(-1, 1);
    }
    return v;
  }

  @Test
  void nativeSplitCutsTheLongerSideOfC() {
    // mnist-mlp's kernel gradient xᵀ·dz (784×512): rows; its forward product (128×512): columns
    assertThat(OpenBlasGemm.splitByColumns(784, 512, 4)).isFalse();
    assertThat(OpenBlasGemm.splitByColumns(512, 512, 4)).isFalse();
    assertThat(OpenBlasGemm.splitByColumns(128, 512, 4)).isTrue();
    // a side too short to cut leaves the other
    assertThat(OpenBlasGemm.splitByColumns(1000, 100, 4)).isFalse();
    assertThat(OpenBlasGemm.splitByColumns(40, 2000, 4)).isTrue();
    assertThat(OpenBlasGemm.splitByColumns(48, 100, 4)).isFalse();
  }

  @Test
  void betaZeroIgnoresNaNsInC() {
    float[] a = {1, 2};
    float[] b = {3, 4};
    for (Gemm g : List.of(javaGemm, vectorGemm, openBlas)) {
      float[] c = {Float.NaN};
      g.sgemm(false, false, 1, 1, 2, 1f, a, 0, 2, b, 0, 1, 0f, c, 0, 1);
      assertThat(c[0]).as(g.description()).isEqualTo(11f);
    }
  }

  @Test
  void javaGemmIsBitIdenticalForAnyThreadCount() {
    SplittableRandom r = new SplittableRandom(5);
    float[] a = random(r, 300 * 200);
    float[] b = random(r, 200 * 150);
    float[] one = new float[300 * 150];
    float[] two = new float[300 * 150];
    javaSingle.multiply(300, 150, 200, a, b, one);
    javaGemm.multiply(300, 150, 200, a, b, two);
    assertThat(two).containsExactly(one);
  }

  @Test
  void javaGemmIsBitIdenticalForAnyThreadCountAcrossCacheBlocks() {
    // k and n span several cache blocks (and end in partial ones); A half zeros, as after ReLU.
    int m = 90;
    int n = JavaGemm.N_BLOCK + 77;
    int k = 2 * JavaGemm.K_BLOCK + 45;
    SplittableRandom r = new SplittableRandom(9);
    float[] a = random(r, m * k);
    for (int i = 0; i < a.length; i++) {
      if (r.nextBoolean()) {
        a[i] = 0f;
      }
    }
    float[] b = random(r, k * n);
    float[] one = new float[m * n];
    float[] two = new float[m * n];
    javaSingle.multiply(m, n, k, a, b, one);
    javaGemm.multiply(m, n, k, a, b, two);
    assertThat(two).containsExactly(one);
  }

  static Stream<Arguments> transposes() {
    return Stream.of(Arguments.of(false, false), Arguments.of(true, false),
        Arguments.of(false, true), Arguments.of(true, true));
  }

  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("transposes")
  void vectorGemmIsBitIdenticalForAnyThreadCount(boolean transA, boolean transB) {
    // Several row blocks, k-blocks and column panels, each ending in a partial one; A half zeros.
    int m = VectorGemm.MC * 2 + 44;
    int n = 3 * VectorGemm.NR + 5;
    int k = 2 * VectorGemm.KC + 45;
    SplittableRandom r = new SplittableRandom(21);
    float[][] a = transA ? rows(r, k, m, 0.5) : rows(r, m, k, 0.5);
    float[][] b = transB ? rows(r, n, k, 0) : rows(r, k, n, 0);
    float[][] c0 = rows(r, m, n, 0);
    float[][] one = copy(c0);
    float[][] two = copy(c0);
    float[][] three = copy(c0);
    vectorSingle.newMultiplier().multiply(transA, transB, m, n, k, a, b, one, true);
    vectorGemm.newMultiplier().multiply(transA, transB, m, n, k, a, b, two, true);
    try (ComputePool pool3 = new ComputePool(3)) {
      new VectorGemm(pool3).newMultiplier().multiply(transA, transB, m, n, k, a, b, three,
          true);
    }
    for (int i = 0; i < m; i++) {
      assertThat(two[i]).as("row %d, 2 threads", i).containsExactly(one[i]);
      assertThat(three[i]).as("row %d, 3 threads", i).containsExactly(one[i]);
    }
  }

  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("transposes")
  void vectorGemmChainsFusedMultiplyAddsInOrder(boolean transA, boolean transB) {
    // What makes it independent of threads and blocking: each element is the fma chain over p.
    int m = 21;
    int n = 2 * VectorGemm.NR + 3;
    int k = VectorGemm.KC + 7;
    SplittableRandom r = new SplittableRandom(22);
    float[][] a = transA ? rows(r, k, m, 0.25) : rows(r, m, k, 0.25);
    float[][] b = transB ? rows(r, n, k, 0) : rows(r, k, n, 0);
    for (boolean accumulate : new boolean[] {false, true}) {
      float[][] c = rows(r, m, n, 0);
      float[][] expected = copy(c);
      for (int i = 0; i < m; i++) {
        for (int j = 0; j < n; j++) {
          float sum = accumulate ? expected[i][j] : 0f;
          for (int p = 0; p < k; p++) {
            sum = Math.fma(transA ? a[p][i] : a[i][p], transB ? b[j][p] : b[p][j], sum);
          }
          expected[i][j] = sum;
        }
      }
      vectorGemm.newMultiplier().multiply(transA, transB, m, n, k, a, b, c, accumulate);
      for (int i = 0; i < m; i++) {
        assertThat(c[i]).as("row %d, accumulate=%s", i, accumulate)
            .containsExactly(expected[i]);
      }
    }
  }

  @Test
  void vectorGemmLeavesSmallProductsToTheScalarKernels() {
    // 32 × 128 × 10 (seed-mlp's first layer) is below VectorGemm.SMALL_WORK: JavaGemm's bits.
    SplittableRandom r = new SplittableRandom(24);
    float[][] a = rows(r, 32, 10, 0.5);
    float[][] b = rows(r, 10, 128, 0);
    float[][] scalar = new float[32][128];
    float[][] vector = new float[32][128];
    assertThat(32L * 128 * 10).isLessThan(VectorGemm.SMALL_WORK);
    javaGemm.newMultiplier().multiply(false, false, 32, 128, 10, a, b, scalar, false);
    vectorGemm.newMultiplier().multiply(false, false, 32, 128, 10, a, b, vector, false);
    for (int i = 0; i < 32; i++) {
      assertThat(vector[i]).as("row %d", i).containsExactly(scalar[i]);
    }
  }

  static Stream<Arguments> rowGemms() {
    List<Arguments> args = new ArrayList<>();
    for (String gemm : List.of("java", "vector", "vector-1-thread")) {
      for (int t = 0; t < 4; t++) {
        args.add(Arguments.of(gemm, (t & 1) != 0, (t & 2) != 0));
      }
    }
    return args.stream();
  }

  @ParameterizedTest(name = "{0} transA={1} transB={2}")
  @MethodSource("rowGemms")
  void rowFormAccumulatesAndChangesOnlyTheProduct(String name, boolean transA, boolean transB) {
    // C has more rows and longer rows than the product: the rest must stay as it was.
    int m = 70;
    int n = 45;
    int k = 300;
    SplittableRandom r = new SplittableRandom(23);
    float[][] a = transA ? rows(r, k, m, 0) : rows(r, m, k, 0);
    float[][] b = transB ? rows(r, n, k, 0) : rows(r, k, n, 0);
    float[][] c = rows(r, m + 3, n + 6, 0);
    float[][] before = copy(c);
    ((RowGemm) gemm(name)).newMultiplier().multiply(transA, transB, m, n, k, a, b, c, true);
    for (int i = 0; i < c.length; i++) {
      for (int j = 0; j < c[i].length; j++) {
        if (i >= m || j >= n) {
          assertThat(c[i][j]).as("C[%d][%d] outside the product", i, j)
              .isEqualTo(before[i][j]);
          continue;
        }
        double sum = before[i][j];
        for (int p = 0; p < k; p++) {
          sum += (double) (transA ? a[p][i] : a[i][p]) * (transB ? b[j][p] : b[p][j]);
        }
        assertThat(c[i][j]).as("C[%d][%d]", i, j).isCloseTo((float) sum,
            org.assertj.core.api.Assertions.within(
                1e-5f * (1 + Math.abs((float) sum)) * (float) Math.sqrt(k + 1)));
      }
    }
  }

  /** Row arrays of uniform values in [-1, 1), each zero with probability {@code zeros}. */
  private static float[][] rows(SplittableRandom r, int rows, int cols, double zeros) {
    float[][] x = new float[rows][cols];
    for (float[] row : x) {
      for (int j = 0; j < cols; j++) {
        row[j] = r.nextDouble() < zeros ? 0f : (float) r.nextDouble(-1, 1);
      }
    }
    return x;
  }

  private static float[][] copy(float[][] x) {
    float[][] y = new float[x.length][];
    for (int i = 0; i < x.length; i++) {
      y[i] = x[i].clone();
    }
    return y;
  }

  @Test
  void nativeBufferFormMultipliesInPlace() {
    try (NativeBuffer a = openBlas.allocate(6); NativeBuffer b = openBlas.allocate(6);
        NativeBuffer c = openBlas.allocate(4)) {
      a.floats().put(0, new float[] {1, 2, 3, 4, 5, 6});
      b.floats().put(0, new float[] {1, 0, 0, 1, 1, 1});
      openBlas.sgemm(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, c, 2);
      float[] out = new float[4];
      c.floats().get(0, out);
      assertThat(out).containsExactly(4, 5, 10, 11);
      assertThatThrownBy(() -> openBlas.sgemm(false, false, 3, 2, 3, 1f, a, 3, b, 2, 0f, c, 2))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("A (3 × 3");
    }
  }

  @Test
  void nativeProductsFromManyThreadsAtOnceAreRight() throws Exception {
    // Large enough to be split over the pool; one caller splits, the others call directly.
    int m = 96;
    int n = 256;
    int k = 160;
    SplittableRandom r = new SplittableRandom(9);
    float[] a = random(r, m * k);
    float[] b = random(r, k * n);
    float[] expected = new float[m * n];
    javaSingle.multiply(m, n, k, a, b, expected);
    java.util.concurrent.ExecutorService threads =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<float[]>> results = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        results.add(threads.submit(() -> {
          try (NativeBuffer na = openBlas.allocate(m * k); NativeBuffer nb = openBlas.allocate(
              k * n); NativeBuffer nc = openBlas.allocate(m * n)) {
            na.floats().put(0, a);
            nb.floats().put(0, b);
            float[] out = new float[m * n];
            for (int i = 0; i < 10; i++) {
              openBlas.sgemm(false, false, m, n, k, 1f, na, k, nb, n, 0f, nc, n);
            }
            nc.floats().get(0, out);
            return out;
          }
        }));
      }
      for (var f : results) {
        float[] out = f.get();
        for (int i = 0; i < out.length; i++) {
          assertThat(out[i]).isCloseTo(expected[i],
              org.assertj.core.api.Assertions.within(1e-4f));
        }
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void nativeSplitProductMayUseOneBufferAsBothOperands() {
    int m = 300;
    int k = 200;
    SplittableRandom r = new SplittableRandom(10);
    float[] a = random(r, m * k);
    float[] expected = new float[m * m];
    javaSingle.sgemm(false, true, m, m, k, 1f, a, 0, k, a, 0, k, 0f, expected, 0, m);
    try (NativeBuffer na = openBlas.allocate(m * k); NativeBuffer nc = openBlas.allocate(m * m)) {
      na.floats().put(0, a);
      openBlas.sgemm(false, true, m, m, k, 1f, na, k, na, k, 0f, nc, m);
      float[] out = new float[m * m];
      nc.floats().get(0, out);
      for (int i = 0; i < out.length; i++) {
        assertThat(out[i]).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4f));
      }
    }
  }

  @Test
  void rejectsTooSmallArraysAndLeadingDimensions() {
    float[] small = new float[5];
    for (Gemm g : List.of(javaGemm, vectorGemm, openBlas)) {
      assertThatThrownBy(() -> g.sgemm(false, false, 2, 2, 3, 1f, small, 0, 3, small, 0, 2, 0f,
          small, 0, 2)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("A (2 × 3, leading dimension 3, offset 0) needs 6 values");
      assertThatThrownBy(() -> g.sgemm(false, false, 1, 1, 3, 1f, small, 0, 2, small, 0, 1, 0f,
          small, 0, 1)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Leading dimension of A is 2 but its rows have 3 values");
    }
  }

  @Test
  void describesItself() {
    assertThat(javaGemm.description()).isEqualTo("pure Java kernels (scalar), 2 threads");
    assertThat(vectorGemm.description()).isEqualTo("pure Java kernels (Vector API, "
        + VectorGemm.vectorBits() + "-bit), 2 threads");
    assertThat(vectorSingle.description()).endsWith("-bit), 1 thread");
    assertThat(openBlas.description()).startsWith("OpenBLAS 0.3.28").contains("via JavaCPP 1.5.11")
        .endsWith(", 2 threads");
  }
}
