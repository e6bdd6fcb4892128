package dev.backplane.accelerate;

/**
 * Applies an {@link OptimizerKernel} to every parameter of a model, segment by segment
 * ({@link Mat#segment}), split over the {@link ComputePool} when the model is large enough to pay
 * for the hand-off. Each segment is updated by exactly one thread with the same code, so the split
 * does not change the result.
 *
 * <p>Subnormal slots: Java has no flush-to-zero mode (TensorFlow runs its CPU kernels with
 * FTZ/DAZ set). The slots of a parameter whose gradient stays zero, as behind a dead ReLU unit,
 * decay geometrically (Adam's {@code m} by 0.9 a step) through the subnormal range, where every
 * float operation takes a ~100-cycle microcode assist; in a long run that made the update ten
 * times slower. So every {@value #FLUSH_PERIOD} steps each segment's slot values below
 * {@code 2^-100} in magnitude are set to zero (segments take turns, so the cost is spread
 * evenly); a value that small changes no update by anything a float can hold. The schedule
 * depends only on the iteration count, so runs stay reproducible across snapshot and restore.
 */
final class Updater implements ComputePool.ChunkedTask {
  /** Parameter values from which the update is split over the pool. */
  static final long PARALLEL_SIZE = 1L << 16;
  /** Steps between two flushes of a segment's tiny slot values; a power of two. */
  static final int FLUSH_PERIOD = 8;
  /** Slot values below this magnitude are flushed to zero. */
  static final float TINY = 0x1p-100f;
  private static final float BELOW_TINY = Math.nextDown(TINY);
  private static final float HUGE = 0x1p127f;

  private final OptimizerKernel kernel;
  private final Parameter[] parameters;
  private final ComputePool pool;
  private final boolean parallel;
  private final float[][] scratchW;
  private final float[][] scratchG;
  private long iterations;

  Updater(OptimizerKernel kernel, Parameter[] parameters, ComputePool pool) {
    this.kernel = kernel;
    this.parameters = parameters;
    this.pool = pool;
    long size = 0;
    int width = 1;
    for (Parameter p : parameters) {
      size += p.size();
      for (int g = 0; g < p.value.segments(); g++) {
        width = Math.max(width, p.value.segmentLength(g));
      }
    }
    int parts = pool == null ? 1 : pool.threads();
    this.parallel = parts > 1 && size >= PARALLEL_SIZE;
    this.scratchW = new float[parts][width];
    this.scratchG = new float[parts][width];
  }

  /** One optimizer step over all parameters; {@code iterations} counts the steps before it. */
  void step(long iterations) {
    kernel.prepare(iterations);
    this.iterations = iterations;
    if (parallel) {
      pool.run(this, JavaGemm.CHUNKS_PER_THREAD * pool.threads());
    } else {
      run(0, 1, 0);
    }
  }

  @Override
  public void run(int chunk, int chunks, int worker) {
    float[] sw = scratchW[worker];
    float[] sg = scratchG[worker];
    for (Parameter p : parameters) {
      int segments = p.value.segments();
      int from = (int) ((long) segments * chunk / chunks);
      int to = (int) ((long) segments * (chunk + 1) / chunks);
      for (int s = from; s < to; s++) {
        float[] w = p.value.segment(s, sw);
        float[] g = p.grad.segment(s, sg);
        int len = p.value.segmentLength(s);
        kernel.update(w, g, p.slots, s, len);
        p.value.commitSegment(s, w);
        if (((iterations + s) & (FLUSH_PERIOD - 1)) == 0) {
          for (float[][] slot : p.slots) {
            flushTiny(slot[s], len);
          }
        }
      }
    }
  }

  /**
   * Sets values below {@link #TINY} in magnitude to (positive) zero and leaves the others, NaN
   * and infinities included, exactly as they are. Written without a branch, as a product with a
   * 0-or-1 factor, so the JIT vectorizes it: with zeros scattered among the slots (dead units)
   * the branchy loop mispredicted and cost 3.3 ns a value, this one 0.26 ns.
   */
  static void flushTiny(float[] x, int len) {
    for (int j = 0; j < len; j++) {
      float v = x[j];
      // |v| >= TINY: the difference from the float below TINY is a normal float, times 2^254 at
      // least 1, so the factor is 1; otherwise it is 0. Adding +0 turns -0 into +0.
      x[j] = v * Math.min(Math.max(Math.abs(v) - BELOW_TINY, 0f) * HUGE * HUGE, 1f) + 0f;
    }
  }
}
