package dev.backplane.accelerate;

import java.util.Arrays;

/**
 * Scalar pure-Java sgemm: the kernels of the reference backend, and of the Java path
 * ({@code backplane.accelerate.blas=java}, or no native BLAS loads) in a JVM without the Vector
 * API, where {@link VectorGemm} cannot run (see {@link Kernels}). No native code, reproducible to
 * the bit for any thread count (every output element is summed by one thread in a fixed order)
 * and in any JVM (no fused multiply-adds, no JVM option changes the arithmetic).
 *
 * <p>The kernels work on matrices held as arrays of row arrays (see {@link RowKernels} for why);
 * {@link #multiply(Workspace, boolean, boolean, int, int, int, float[][], float[][], float[][],
 * boolean)} takes that form directly and the flat {@link #sgemm} packs into it. Products with at
 * least {@value #PARALLEL_WORK} multiply-adds are cut into chunks of output rows, claimed by the
 * threads of the {@link ComputePool}; smaller ones stay on the calling thread, where a hand-off would cost more
 * than it saves. Narrow products ({@code n} below {@value #NARROW}) are computed transposed so the
 * vectorized inner loop runs along the long side; the narrowest ({@code n} below
 * {@value #DOT_WIDTH}) as dot products.
 */
public final class JavaGemm implements RowGemm {
  /** Multiply-adds from which a product is split over the pool. */
  static final long PARALLEL_WORK = 1L << 18;
  /** Output widths below which the product is computed as {@code Cᵀ = Bᵀ Aᵀ}. */
  static final int NARROW = 16;
  /** Output widths below which rows of A are dotted with rows of Bᵀ instead. */
  static final int DOT_WIDTH = 4;
  /** Chunks per thread a parallel product is cut into (see {@link ComputePool.ChunkedTask}). */
  static final int CHUNKS_PER_THREAD = 4;
  /**
   * Rows of B per cache block: a product runs over B in blocks of {@value #K_BLOCK} rows by
   * {@value #N_BLOCK} columns (1 MiB at most), each applied to all the output rows of a chunk
   * before the next, so B is read from L2 rather than memory. The blocks over {@code k} start at
   * fixed multiples of {@value #K_BLOCK}, so the summation order does not depend on the chunking.
   */
  static final int K_BLOCK = 256;
  /** Columns of B (and C) per cache block; see {@link #K_BLOCK}. */
  static final int N_BLOCK = 1024;

  private final ComputePool pool;
  private final FlatRowStaging flat;

  /**
   * @param pool the threads to split large products over, or {@code null} for single-threaded
   */
  public JavaGemm(ComputePool pool) {
    this.pool = pool;
    this.flat = new FlatRowStaging(this);
  }

  @Override
  public String description() {
    int threads = threads();
    return "pure Java kernels (scalar), " + threads + (threads == 1 ? " thread" : " threads");
  }

  @Override
  public int threads() {
    return pool == null ? 1 : pool.threads();
  }

  @Override
  public Multiplier newMultiplier() {
    Workspace ws = newWorkspace();
    return (transA, transB, m, n, k, a, b, c, accumulate) -> multiply(ws, transA, transB, m, n,
        k, a, b, c, accumulate);
  }

  /** Scratch space for one calling thread; reuse it to keep steady-state calls allocation-free. */
  public Workspace newWorkspace() {
    return new Workspace(threads());
  }

  /**
   * {@code C = op(A) · op(B)}, or {@code C += op(A) · op(B)} when {@code accumulate}, on row
   * arrays: {@code op(A)} is {@code m × k} (stored as {@code k} rows of {@code m} when
   * {@code transA}), {@code op(B)} is {@code k × n} (stored {@code n × k} when {@code transB}),
   * {@code C} is {@code m} rows of at least {@code n}. Rows may be longer than used; only the
   * first {@code m × n} values of {@code C} change. {@code C} must not share rows with
   * {@code A} or {@code B}.
   *
   * @param ws scratch owned by the calling thread
   */
  public void multiply(Workspace ws, boolean transA, boolean transB, int m, int n, int k,
      float[][] a, float[][] b, float[][] c, boolean accumulate) {
    if (m == 0 || n == 0) {
      return;
    }
    if (k == 0) {
      if (!accumulate) {
        for (int i = 0; i < m; i++) {
          Arrays.fill(c[i], 0, n, 0f);
        }
      }
      return;
    }
    long work = (long) m * n * k;
    boolean parallel = pool != null && pool.threads() > 1 && work >= PARALLEL_WORK;
    GemmTask t = ws.task;
    t.m = m;
    t.n = n;
    t.k = k;
    t.c = c;
    t.accumulate = accumulate;
    if (n < DOT_WIDTH && !transA) {
      // A handful of output columns: dot products of A's rows with Bᵀ's rows.
      t.kind = Kind.DOTS;
      t.at = a;
      t.b = transB ? b : transpose(ws, b, k, n, ws.ensureB(n, k), parallel);
    } else if (n < NARROW && m >= 2 * NARROW) {
      // Cᵀ (n × m) = Bᵀ Aᵀ: the rows of Aᵀ (k × m) are what the inner loop streams.
      t.kind = Kind.NARROW;
      t.at = transA ? a : transpose(ws, a, m, k, ws.ensureA(k, m), parallel);
      t.b = b;
      t.transB = transB;
      t.ct = ws.ensureC(n, m);
    } else {
      t.kind = Kind.ROWS;
      t.at = transA ? transpose(ws, a, k, m, ws.ensureA(m, k), parallel) : a;
      t.b = transB ? transpose(ws, b, n, k, ws.ensureB(k, n), parallel) : b;
      t.transB = false;
    }
    t.ensureScratch(k);
    if (parallel) {
      pool.run(t, Math.min(m, CHUNKS_PER_THREAD * pool.threads()));
    } else {
      t.run(0, 1, 0);
    }
    t.clear();
  }

  private float[][] transpose(Workspace ws, float[][] src, int rows, int cols, float[][] dst,
      boolean parallel) {
    TransposeTask t = ws.transpose;
    t.src = src;
    t.rows = rows;
    t.cols = cols;
    t.dst = dst;
    if (parallel && (long) rows * cols >= PARALLEL_WORK / 4) {
      pool.run(t, Math.min(cols, CHUNKS_PER_THREAD * pool.threads()));
    } else {
      t.run(0, 1, 0);
    }
    t.src = null;
    t.dst = null;
    return dst;
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
      int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset,
      int ldc) {
    flat.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c,
        cOffset, ldc);
  }

  /** Per-thread scratch of {@link JavaGemm}: packed operands and the reusable parallel tasks. */
  public static final class Workspace {
    private final GemmTask task;
    private final TransposeTask transpose = new TransposeTask();
    private float[][] packedA;
    private float[][] packedB;
    private float[][] packedC;

    private Workspace(int parts) {
      task = new GemmTask(parts);
    }

    float[][] ensureA(int rows, int cols) {
      return packedA = FlatRowStaging.grow(packedA, rows, cols);
    }

    float[][] ensureB(int rows, int cols) {
      return packedB = FlatRowStaging.grow(packedB, rows, cols);
    }

    float[][] ensureC(int rows, int cols) {
      return packedC = FlatRowStaging.grow(packedC, rows, cols);
    }
  }

  /** How a product is computed. */
  private enum Kind {
    /** Row by row of C, streaming rows of B. */
    ROWS,
    /** Row by row of Cᵀ, streaming rows of Aᵀ. */
    NARROW,
    /** Each element of C as a dot product. */
    DOTS
  }

  /** One product, cut into chunks of output rows (of Cᵀ's columns when narrow). */
  private static final class GemmTask implements ComputePool.ChunkedTask {
    private final float[][] column;
    private final float[][] values;
    private final float[][][] rows;
    Kind kind;
    int m;
    int n;
    int k;
    boolean accumulate;
    boolean transB;
    float[][] at;
    float[][] b;
    float[][] c;
    float[][] ct;

    GemmTask(int parts) {
      column = new float[parts][];
      values = new float[parts][];
      rows = new float[parts][][];
    }

    void ensureScratch(int size) {
      for (int p = 0; p < column.length; p++) {
        if (column[p] == null || column[p].length < size) {
          column[p] = new float[size];
          values[p] = new float[size];
          rows[p] = new float[size][];
        }
      }
    }

    void clear() {
      at = null;
      b = null;
      c = null;
      ct = null;
    }

    @Override
    public void run(int chunk, int chunks, int part) {
      int from = (int) ((long) m * chunk / chunks);
      int to = (int) ((long) m * (chunk + 1) / chunks);
      switch (kind) {
        case NARROW:
          runNarrow(from, to, part);
          break;
        case DOTS:
          for (int i = from; i < to; i++) {
            float[] ai = at[i];
            float[] ci = c[i];
            for (int j = 0; j < n; j++) {
              float d = RowKernels.dot(ai, b[j], k);
              ci[j] = accumulate ? ci[j] + d : d;
            }
          }
          break;
        default:
          runRows(from, to, part);
      }
    }

    /**
     * Output rows {@code [from, to)}, blocked over {@code n} and {@code k} (see
     * {@link JavaGemm#K_BLOCK}): each element still sums its k-blocks in order, starting at 0.
     */
    private void runRows(int from, int to, int part) {
      float[] av = values[part];
      float[][] bv = rows[part];
      if (k <= K_BLOCK && n <= N_BLOCK) {
        // One block: row by row, each row of C cleared just before it is summed.
        for (int i = from; i < to; i++) {
          float[] ci = c[i];
          if (!accumulate) {
            Arrays.fill(ci, 0, n, 0f);
          }
          RowKernels.multiplyAdd(at[i], 0, k, b, ci, 0, n, av, bv);
        }
        return;
      }
      if (!accumulate) {
        for (int i = from; i < to; i++) {
          Arrays.fill(c[i], 0, n, 0f);
        }
      }
      for (int j0 = 0; j0 < n; j0 += N_BLOCK) {
        int j1 = Math.min(n, j0 + N_BLOCK);
        for (int p0 = 0; p0 < k; p0 += K_BLOCK) {
          int p1 = Math.min(k, p0 + K_BLOCK);
          for (int i = from; i < to; i++) {
            RowKernels.multiplyAdd(at[i], p0, p1, b, c[i], j0, j1, av, bv);
          }
        }
      }
    }

    private void runNarrow(int from, int to, int part) {
      float[] gathered = column[part];
      for (int j = 0; j < n; j++) {
        float[] bj;
        if (transB) {
          bj = b[j];
        } else {
          for (int p = 0; p < k; p++) {
            gathered[p] = b[p][j];
          }
          bj = gathered;
        }
        float[] ctj = ct[j];
        Arrays.fill(ctj, from, to, 0f);
        RowKernels.multiplyAdd(bj, 0, k, at, ctj, from, to, values[part], rows[part]);
      }
      for (int i = from; i < to; i++) {
        float[] ci = c[i];
        for (int j = 0; j < n; j++) {
          ci[j] = accumulate ? ci[j] + ct[j][i] : ct[j][i];
        }
      }
    }
  }

  /** Transposes row arrays, split by destination rows. */
  private static final class TransposeTask implements ComputePool.ChunkedTask {
    float[][] src;
    float[][] dst;
    int rows;
    int cols;

    @Override
    public void run(int chunk, int chunks, int worker) {
      int from = (int) ((long) cols * chunk / chunks);
      int to = (int) ((long) cols * (chunk + 1) / chunks);
      RowKernels.transpose(src, rows, dst, from, to);
    }
  }
}
