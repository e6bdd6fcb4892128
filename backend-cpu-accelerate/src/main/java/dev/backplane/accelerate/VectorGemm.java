package dev.backplane.accelerate;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Pure-Java sgemm on the Vector API ({@code jdk.incubator.vector}): the accelerate backend's
 * Java kernels when the JVM runs with {@code --add-modules jdk.incubator.vector}. Only
 * {@link Kernels} may load this class, and only after checking that the module is there (see
 * {@link VectorSupport}); without it, loading fails with {@link NoClassDefFoundError}.
 *
 * <p>The layout is the one of optimized BLAS: {@code op(B)} is packed once per product, in
 * parallel, into column panels of {@link #NR} (two vectors) values per step of {@code k}; the
 * threads then take chunks of rows of {@code C}, and a register-blocked micro-kernel computes
 * {@value #MR} × {@link #NR} tiles with fused multiply-adds, sixteen accumulators held in vector
 * registers, over cache blocks {@link #KC} deep, broadcasting values of {@code op(A)} from
 * panels of {@link #PACK_ROWS} rows that each thread packs for its chunk. Transposed operands
 * are transposed while packing. (Broadcasting from the rows of {@code A} in place, unpacked,
 * runs at half the speed with JDK 17's C2.)
 *
 * <p>Every element of {@code C} is {@code fma(a[p], b[p], ·)} chained over {@code p = 0, 1, ...,
 * k - 1} in order, starting from 0 (or from {@code C} when accumulating), whatever tile, chunk or
 * thread computes it: a value loaded from {@code C} between cache blocks is the exact float that
 * was stored. Results are therefore the same bits for any thread count, vector width and
 * blocking, though not the bits of the scalar {@link JavaGemm}, whose products and sums round
 * separately. Products of fewer than {@value #SMALL_WORK} multiply-adds are left to
 * {@link JavaGemm} (see there); the choice depends on the shape only.
 *
 * <p>Scratch (packed panels, edge tiles) lives in a per-thread {@link Workspace}, grown to the
 * largest product seen and reused, so steady-state calls allocate nothing.
 */
final class VectorGemm implements RowGemm {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  /** Floats per vector. */
  static final int LANES = SPECIES.length();
  /** Rows of a micro-tile: one broadcast value of A per row and step of {@code k}. */
  static final int MR = 8;
  /** Columns of a micro-tile and of a packed panel of B: two vectors. */
  static final int NR = 2 * LANES;
  /**
   * Depth of a cache block: a micro-kernel call runs {@value #KC} steps of {@code k} at most, over
   * a panel of B of {@value #KC} × {@link #NR} (32 KiB with AVX-512) that stays in L1.
   */
  static final int KC = 256;
  /** Rows of A packed at a time ({@value #MC} × {@value #KC} floats, 128 KiB: L2-resident). */
  static final int MC = 128;
  /**
   * Multiply-adds below which a product goes to the scalar {@link JavaGemm} instead. Vector API
   * code runs slowly and allocates until C2 has compiled it, which takes thousands of calls; the
   * small products of a small model would spend that long warming up to save little.
   */
  static final long SMALL_WORK = 1L << 16;
  /** Multiply-adds from which a product is split over the pool (as {@link JavaGemm}). */
  static final long PARALLEL_WORK = JavaGemm.PARALLEL_WORK;
  /** Values of B from which packing it is split over the pool. */
  static final long PARALLEL_PACK = 1L << 16;
  /** Chunks per thread a parallel product is cut into (see {@link ComputePool.ChunkedTask}). */
  static final int CHUNKS_PER_THREAD = JavaGemm.CHUNKS_PER_THREAD;
  /** Depth of the slices of B transposed at a time while packing {@code Bᵀ}. */
  private static final int TRANSPOSE_DEPTH = 64;
  /**
   * Rows of {@code op(A)} packed together per step of {@code k}: a vector's worth where that is a
   * multiple of {@value #MR}, so that a step of {@code Aᵀ} packs in one vector move, else
   * {@value #MR}. (One vector shape only: a second one, even just for copies, makes C2 stop
   * intrinsifying the kernels' operations in JDK 17, which then allocate.)
   */
  static final int PACK_ROWS = LANES % MR == 0 ? LANES : MR;

  private final ComputePool pool;
  private final JavaGemm small;
  private final FlatRowStaging flat;

  /**
   * @param pool the threads to split large products over, or {@code null} for single-threaded
   */
  VectorGemm(ComputePool pool) {
    this.pool = pool;
    this.small = new JavaGemm(pool);
    this.flat = new FlatRowStaging(this);
  }

  /** The width of the vectors the kernels compute with, in bits (e.g. 512 with AVX-512). */
  static int vectorBits() {
    return SPECIES.vectorBitSize();
  }

  @Override
  public String description() {
    int threads = threads();
    return "pure Java kernels (Vector API, " + vectorBits() + "-bit), " + threads
        + (threads == 1 ? " thread" : " threads");
  }

  @Override
  public int threads() {
    return pool == null ? 1 : pool.threads();
  }

  /** Scratch space for one calling thread; reuse it to keep steady-state calls allocation-free. */
  Workspace newWorkspace() {
    return new Workspace(threads(), small.newWorkspace());
  }

  @Override
  public Multiplier newMultiplier() {
    Workspace ws = newWorkspace();
    return (transA, transB, m, n, k, a, b, c, accumulate) -> multiply(ws, transA, transB, m, n,
        k, a, b, c, accumulate);
  }

  /**
   * {@code C = op(A) · op(B)}, or {@code C += op(A) · op(B)} when {@code accumulate}, on row
   * arrays; see {@link RowGemm.Multiplier#multiply}.
   *
   * @param ws scratch owned by the calling thread
   */
  void multiply(Workspace ws, boolean transA, boolean transB, int m, int n, int k, float[][] a,
      float[][] b, float[][] c, boolean accumulate) {
    if ((long) m * n * k < SMALL_WORK) {
      small.multiply(ws.small, transA, transB, m, n, k, a, b, c, accumulate);
      return;
    }
    boolean parallel = pool != null && pool.threads() > 1
        && (long) m * n * k >= PARALLEL_WORK;
    int panels = (n + NR - 1) / NR;
    float[] packedB = ws.ensurePackedB((long) panels * k * NR);
    PackTask pack = ws.pack;
    pack.b = b;
    pack.transB = transB;
    pack.n = n;
    pack.k = k;
    pack.packed = packedB;
    if (parallel && (long) n * k >= PARALLEL_PACK && panels > 1) {
      pool.run(pack, Math.min(panels, CHUNKS_PER_THREAD * pool.threads()));
    } else {
      pack.run(0, 1, 0);
    }
    pack.b = null;
    pack.packed = null;

    MultiplyTask t = ws.task;
    t.transA = transA;
    t.a = a;
    t.packedB = packedB;
    t.c = c;
    t.m = m;
    t.n = n;
    t.k = k;
    t.accumulate = accumulate;
    int tiles = (m + MR - 1) / MR;
    if (parallel && tiles > 1) {
      pool.run(t, Math.min(tiles, CHUNKS_PER_THREAD * pool.threads()));
    } else {
      t.run(0, 1, 0);
    }
    t.a = null;
    t.packedB = null;
    t.c = null;
  }

  @Override
  public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a,
      int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset,
      int ldc) {
    flat.sgemm(transA, transB, m, n, k, alpha, a, aOffset, lda, b, bOffset, ldb, beta, c,
        cOffset, ldc);
  }

  /** Per-thread scratch of {@link VectorGemm}: packed panels and the reusable parallel tasks. */
  static final class Workspace {
    private final MultiplyTask task;
    private final PackTask pack = new PackTask();
    private final JavaGemm.Workspace small;
    private float[] packedB;

    private Workspace(int parts, JavaGemm.Workspace small) {
      task = new MultiplyTask(parts);
      this.small = small;
    }

    float[] ensurePackedB(long size) {
      if (size > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("Matrix too large to pack: " + size + " values");
      }
      if (packedB == null || packedB.length < size) {
        packedB = new float[(int) size];
      }
      return packedB;
    }
  }

  /**
   * Packs {@code op(B)} ({@code k × n}) into column panels of {@link #NR}: panel {@code q} holds,
   * for each {@code p < k}, the values {@code op(B)[p][q·NR ..]}, padded with zeros; split by
   * panels.
   */
  private static final class PackTask implements ComputePool.ChunkedTask {
    float[][] b;
    boolean transB;
    int n;
    int k;
    float[] packed;

    @Override
    public void run(int chunk, int chunks, int worker) {
      int panels = (n + NR - 1) / NR;
      int from = (int) ((long) panels * chunk / chunks);
      int to = (int) ((long) panels * (chunk + 1) / chunks);
      for (int q = from; q < to; q++) {
        int j = q * NR;
        int width = Math.min(NR, n - j);
        int base = q * k * NR;
        if (transB) {
          packTransposed(j, width, base);
        } else {
          packRows(j, width, base);
        }
      }
    }

    /** B stored {@code k × n}: each panel row is a piece of a row of B. */
    private void packRows(int j, int width, int base) {
      if (width == NR) {
        for (int p = 0; p < k; p++) {
          float[] src = b[p];
          int o = base + p * NR;
          FloatVector.fromArray(SPECIES, src, j).intoArray(packed, o);
          FloatVector.fromArray(SPECIES, src, j + LANES).intoArray(packed, o + LANES);
        }
      } else {
        for (int p = 0; p < k; p++) {
          int o = base + p * NR;
          System.arraycopy(b[p], j, packed, o, width);
          Arrays.fill(packed, o + width, o + NR, 0f);
        }
      }
    }

    /**
     * B stored {@code n × k}: each panel row gathers one value from each of {@code width} rows
     * of B, a slice of {@value #TRANSPOSE_DEPTH} of {@code k} at a time so the written panel
     * stays in L1.
     */
    private void packTransposed(int j, int width, int base) {
      for (int p0 = 0; p0 < k; p0 += TRANSPOSE_DEPTH) {
        int p1 = Math.min(k, p0 + TRANSPOSE_DEPTH);
        int col = 0;
        // Eight rows of B at a time: each step writes eight adjacent values of the panel.
        for (; col + 7 < width; col += 8) {
          float[] s0 = b[j + col];
          float[] s1 = b[j + col + 1];
          float[] s2 = b[j + col + 2];
          float[] s3 = b[j + col + 3];
          float[] s4 = b[j + col + 4];
          float[] s5 = b[j + col + 5];
          float[] s6 = b[j + col + 6];
          float[] s7 = b[j + col + 7];
          for (int p = p0, o = base + p0 * NR + col; p < p1; p++, o += NR) {
            packed[o] = s0[p];
            packed[o + 1] = s1[p];
            packed[o + 2] = s2[p];
            packed[o + 3] = s3[p];
            packed[o + 4] = s4[p];
            packed[o + 5] = s5[p];
            packed[o + 6] = s6[p];
            packed[o + 7] = s7[p];
          }
        }
        for (; col < width; col++) {
          float[] src = b[j + col];
          for (int p = p0; p < p1; p++) {
            packed[base + p * NR + col] = src[p];
          }
        }
        for (int pad = width; pad < NR; pad++) {
          for (int p = p0; p < p1; p++) {
            packed[base + p * NR + pad] = 0f;
          }
        }
      }
    }
  }

  /**
   * One product over packed B, cut into chunks of whole micro-tile rows of {@code C}: each chunk
   * packs its rows of {@code op(A)}, {@link #MC} at a time, and runs the micro-kernels over all
   * of {@code C}'s columns.
   */
  private static final class MultiplyTask implements ComputePool.ChunkedTask {
    /** Packed panels of A, one per thread: {@link #MC} rows × {@link #KC} at most. */
    private final float[][] packedA;
    /** Edge tiles, one per thread: {@link #MR} rows of {@link #NR}. */
    private final float[][][] edge;
    boolean transA;
    float[][] a;
    float[] packedB;
    float[][] c;
    int m;
    int n;
    int k;
    boolean accumulate;

    MultiplyTask(int parts) {
      packedA = new float[parts][];
      edge = new float[parts][][];
    }

    @Override
    public void run(int chunk, int chunks, int worker) {
      int tiles = (m + MR - 1) / MR;
      int from = (int) ((long) tiles * chunk / chunks) * MR;
      int to = Math.min(m, (int) ((long) tiles * (chunk + 1) / chunks) * MR);
      if (from >= to) {
        return;
      }
      if (edge[worker] == null) {
        edge[worker] = new float[MR][NR];
      }
      if (packedA[worker] == null) {
        // Sized for any product, once per thread and workspace.
        packedA[worker] = new float[(MC + PACK_ROWS - 1) / PACK_ROWS * PACK_ROWS * KC];
      }
      int blocks = (k + KC - 1) / KC;
      for (int i0 = from; i0 < to; i0 += MC) {
        int i1 = Math.min(to, i0 + MC);
        for (int blk = 0; blk < blocks; blk++) {
          // Blocks of equal depth (the last not a sliver); any split gives the same bits.
          int p0 = (int) ((long) k * blk / blocks);
          int p1 = (int) ((long) k * (blk + 1) / blocks);
          boolean load = accumulate || blk > 0;
          packA(packedA[worker], i0, i1, p0, p1);
          block(packedA[worker], i0, i1, p0, p1 - p0, load, edge[worker]);
        }
      }
    }

    /** Rows {@code [i0, i1)} of C, one k-block, A packed ({@link #packA}) into {@code ap}. */
    private void block(float[] ap, int i0, int i1, int p0, int depth, boolean load,
        float[][] tile) {
      int panels = (n + NR - 1) / NR;
      for (int q = 0; q < panels; q++) {
        int j = q * NR;
        int width = Math.min(NR, n - j);
        int bo = q * k * NR + p0 * NR;
        for (int i = i0; i < i1; i += MR) {
          int height = Math.min(MR, i1 - i);
          int ao = (i - i0) / PACK_ROWS * PACK_ROWS * depth + (i - i0) % PACK_ROWS;
          boolean whole = height == MR && (width == NR || width == LANES);
          float[][] out = whole ? c : tile;
          int row = whole ? i : 0;
          int col = whole ? j : 0;
          if (!whole) {
            loadEdge(tile, i, height, j, width, load);
          }
          if (width > LANES) {
            kernel2(ap, ao, packedB, bo, depth, out[row], out[row + 1], out[row + 2],
                out[row + 3], out[row + 4], out[row + 5], out[row + 6], out[row + 7], col, load);
          } else {
            kernel1(ap, ao, packedB, bo, depth, out[row], out[row + 1], out[row + 2],
                out[row + 3], out[row + 4], out[row + 5], out[row + 6], out[row + 7], col, load);
          }
          if (!whole) {
            storeEdge(tile, i, height, j, width);
          }
        }
      }
    }

    /**
     * A tile cut by the bottom or right edge of {@code C} is computed in {@code tile} (rows of A
     * past {@code m} as zeros) and its valid part copied out: the arithmetic per element is that
     * of a whole tile. This copies in what the kernel starts from when {@code load}.
     */
    private void loadEdge(float[][] tile, int i, int height, int j, int width, boolean load) {
      if (load) {
        for (int r = 0; r < height; r++) {
          System.arraycopy(c[i + r], j, tile[r], 0, width);
        }
      }
    }

    /** Copies the valid part of an edge tile out to {@code C}; see {@link #loadEdge}. */
    private void storeEdge(float[][] tile, int i, int height, int j, int width) {
      for (int r = 0; r < height; r++) {
        System.arraycopy(tile[r], 0, c[i + r], j, width);
      }
    }

    /**
     * Packs rows {@code [i0, i1)} × depth {@code [p0, p1)} of {@code op(A)} into {@code ap}: for
     * each group of {@link #PACK_ROWS} rows, that many values per step of {@code k}; rows past
     * {@code i1} in the last group as zeros.
     */
    private void packA(float[] ap, int i0, int i1, int p0, int p1) {
      int depth = p1 - p0;
      for (int i = i0, o = 0; i < i1; i += PACK_ROWS, o += PACK_ROWS * depth) {
        int height = Math.min(PACK_ROWS, i1 - i);
        if (transA) {
          packTransposed(ap, o, i, height, p0, p1);
        } else {
          packRows(ap, o, i, height, p0, p1);
        }
      }
    }

    /** A stored {@code k × m}: each step of a group is a piece of one row of A. */
    private void packTransposed(float[] ap, int o, int i, int height, int p0, int p1) {
      if (PACK_ROWS == LANES && height == LANES) {
        for (int p = p0, d = o; p < p1; p++, d += PACK_ROWS) {
          FloatVector.fromArray(SPECIES, a[p], i).intoArray(ap, d);
        }
        return;
      }
      for (int p = p0, d = o; p < p1; p++, d += PACK_ROWS) {
        float[] src = a[p];
        for (int r = 0; r < height; r++) {
          ap[d + r] = src[i + r];
        }
        for (int r = height; r < PACK_ROWS; r++) {
          ap[d + r] = 0f;
        }
      }
    }

    /**
     * A stored {@code m × k}: each step of a group gathers one value from each of its rows of A,
     * eight rows at a time so that each step writes eight adjacent values.
     */
    private void packRows(float[] ap, int o, int i, int height, int p0, int p1) {
      int r = 0;
      for (; r + 7 < height; r += 8) {
        float[] s0 = a[i + r];
        float[] s1 = a[i + r + 1];
        float[] s2 = a[i + r + 2];
        float[] s3 = a[i + r + 3];
        float[] s4 = a[i + r + 4];
        float[] s5 = a[i + r + 5];
        float[] s6 = a[i + r + 6];
        float[] s7 = a[i + r + 7];
        for (int p = p0, d = o + r; p < p1; p++, d += PACK_ROWS) {
          ap[d] = s0[p];
          ap[d + 1] = s1[p];
          ap[d + 2] = s2[p];
          ap[d + 3] = s3[p];
          ap[d + 4] = s4[p];
          ap[d + 5] = s5[p];
          ap[d + 6] = s6[p];
          ap[d + 7] = s7[p];
        }
      }
      for (; r < height; r++) {
        float[] src = a[i + r];
        for (int p = p0, d = o + r; p < p1; p++, d += PACK_ROWS) {
          ap[d] = src[p];
        }
      }
      for (; r < PACK_ROWS; r++) {
        for (int p = p0, d = o + r; p < p1; p++, d += PACK_ROWS) {
          ap[d] = 0f;
        }
      }
    }
  }

  /**
   * The micro-kernel: for the {@value #MR} rows {@code c_r} from column {@code j}, two vectors
   * wide, {@code c_r = fma(broadcast(a_r,p), b_p, c_r)} chained over steps {@code p < depth} in
   * order, where {@code a_r,p} is {@code ap[ao + p·PACK_ROWS + r]} and {@code b_p} the packed row
   * of B at {@code bo + p·NR}; starting from the values in {@code c_r} when {@code load}, else
   * from 0. Sixteen accumulators stay in vector registers.
   */
  private static void kernel2(float[] ap, int ao, float[] bp, int bo, int depth,
      float[] c0, float[] c1, float[] c2, float[] c3, float[] c4, float[] c5, float[] c6,
      float[] c7, int j, boolean load) {
    int j1 = j + LANES;
    FloatVector s00;
    FloatVector s01;
    FloatVector s10;
    FloatVector s11;
    FloatVector s20;
    FloatVector s21;
    FloatVector s30;
    FloatVector s31;
    FloatVector s40;
    FloatVector s41;
    FloatVector s50;
    FloatVector s51;
    FloatVector s60;
    FloatVector s61;
    FloatVector s70;
    FloatVector s71;
    if (load) {
      s00 = FloatVector.fromArray(SPECIES, c0, j);
      s01 = FloatVector.fromArray(SPECIES, c0, j1);
      s10 = FloatVector.fromArray(SPECIES, c1, j);
      s11 = FloatVector.fromArray(SPECIES, c1, j1);
      s20 = FloatVector.fromArray(SPECIES, c2, j);
      s21 = FloatVector.fromArray(SPECIES, c2, j1);
      s30 = FloatVector.fromArray(SPECIES, c3, j);
      s31 = FloatVector.fromArray(SPECIES, c3, j1);
      s40 = FloatVector.fromArray(SPECIES, c4, j);
      s41 = FloatVector.fromArray(SPECIES, c4, j1);
      s50 = FloatVector.fromArray(SPECIES, c5, j);
      s51 = FloatVector.fromArray(SPECIES, c5, j1);
      s60 = FloatVector.fromArray(SPECIES, c6, j);
      s61 = FloatVector.fromArray(SPECIES, c6, j1);
      s70 = FloatVector.fromArray(SPECIES, c7, j);
      s71 = FloatVector.fromArray(SPECIES, c7, j1);
    } else {
      FloatVector z = FloatVector.zero(SPECIES);
      s00 = z;
      s01 = z;
      s10 = z;
      s11 = z;
      s20 = z;
      s21 = z;
      s30 = z;
      s31 = z;
      s40 = z;
      s41 = z;
      s50 = z;
      s51 = z;
      s60 = z;
      s61 = z;
      s70 = z;
      s71 = z;
    }
    for (int p = 0; p < depth; p++) {
      int a = ao + p * PACK_ROWS;
      int b = bo + p * NR;
      FloatVector b0 = FloatVector.fromArray(SPECIES, bp, b);
      FloatVector b1 = FloatVector.fromArray(SPECIES, bp, b + LANES);
      FloatVector x0 = FloatVector.broadcast(SPECIES, ap[a]);
      s00 = x0.fma(b0, s00);
      s01 = x0.fma(b1, s01);
      FloatVector x1 = FloatVector.broadcast(SPECIES, ap[a + 1]);
      s10 = x1.fma(b0, s10);
      s11 = x1.fma(b1, s11);
      FloatVector x2 = FloatVector.broadcast(SPECIES, ap[a + 2]);
      s20 = x2.fma(b0, s20);
      s21 = x2.fma(b1, s21);
      FloatVector x3 = FloatVector.broadcast(SPECIES, ap[a + 3]);
      s30 = x3.fma(b0, s30);
      s31 = x3.fma(b1, s31);
      FloatVector x4 = FloatVector.broadcast(SPECIES, ap[a + 4]);
      s40 = x4.fma(b0, s40);
      s41 = x4.fma(b1, s41);
      FloatVector x5 = FloatVector.broadcast(SPECIES, ap[a + 5]);
      s50 = x5.fma(b0, s50);
      s51 = x5.fma(b1, s51);
      FloatVector x6 = FloatVector.broadcast(SPECIES, ap[a + 6]);
      s60 = x6.fma(b0, s60);
      s61 = x6.fma(b1, s61);
      FloatVector x7 = FloatVector.broadcast(SPECIES, ap[a + 7]);
      s70 = x7.fma(b0, s70);
      s71 = x7.fma(b1, s71);
    }
    s00.intoArray(c0, j);
    s01.intoArray(c0, j1);
    s10.intoArray(c1, j);
    s11.intoArray(c1, j1);
    s20.intoArray(c2, j);
    s21.intoArray(c2, j1);
    s30.intoArray(c3, j);
    s31.intoArray(c3, j1);
    s40.intoArray(c4, j);
    s41.intoArray(c4, j1);
    s50.intoArray(c5, j);
    s51.intoArray(c5, j1);
    s60.intoArray(c6, j);
    s61.intoArray(c6, j1);
    s70.intoArray(c7, j);
    s71.intoArray(c7, j1);
  }

  /** {@link #kernel2} one vector wide: the last panel of B when it has no more columns. */
  private static void kernel1(float[] ap, int ao, float[] bp, int bo, int depth,
      float[] c0, float[] c1, float[] c2, float[] c3, float[] c4, float[] c5, float[] c6,
      float[] c7, int j, boolean load) {
    FloatVector s0;
    FloatVector s1;
    FloatVector s2;
    FloatVector s3;
    FloatVector s4;
    FloatVector s5;
    FloatVector s6;
    FloatVector s7;
    if (load) {
      s0 = FloatVector.fromArray(SPECIES, c0, j);
      s1 = FloatVector.fromArray(SPECIES, c1, j);
      s2 = FloatVector.fromArray(SPECIES, c2, j);
      s3 = FloatVector.fromArray(SPECIES, c3, j);
      s4 = FloatVector.fromArray(SPECIES, c4, j);
      s5 = FloatVector.fromArray(SPECIES, c5, j);
      s6 = FloatVector.fromArray(SPECIES, c6, j);
      s7 = FloatVector.fromArray(SPECIES, c7, j);
    } else {
      FloatVector z = FloatVector.zero(SPECIES);
      s0 = z;
      s1 = z;
      s2 = z;
      s3 = z;
      s4 = z;
      s5 = z;
      s6 = z;
      s7 = z;
    }
    for (int p = 0; p < depth; p++) {
      int a = ao + p * PACK_ROWS;
      int b = bo + p * NR;
      FloatVector b0 = FloatVector.fromArray(SPECIES, bp, b);
      s0 = FloatVector.broadcast(SPECIES, ap[a]).fma(b0, s0);
      s1 = FloatVector.broadcast(SPECIES, ap[a + 1]).fma(b0, s1);
      s2 = FloatVector.broadcast(SPECIES, ap[a + 2]).fma(b0, s2);
      s3 = FloatVector.broadcast(SPECIES, ap[a + 3]).fma(b0, s3);
      s4 = FloatVector.broadcast(SPECIES, ap[a + 4]).fma(b0, s4);
      s5 = FloatVector.broadcast(SPECIES, ap[a + 5]).fma(b0, s5);
      s6 = FloatVector.broadcast(SPECIES, ap[a + 6]).fma(b0, s6);
      s7 = FloatVector.broadcast(SPECIES, ap[a + 7]).fma(b0, s7);
    }
    s0.intoArray(c0, j);
    s1.intoArray(c1, j);
    s2.intoArray(c2, j);
    s3.intoArray(c3, j);
    s4.intoArray(c4, j);
    s5.intoArray(c5, j);
    s6.intoArray(c6, j);
    s7.intoArray(c7, j);
  }
}
