package dev.backplane.accelerate;

/**
 * Applies an {@link OptimizerKernel} to every parameter of a model, rows split over the
 * {@link ComputePool} when the model is large enough to pay for the hand-off. Each row is updated
 * by exactly one thread with the same code, so the split does not change the result.
 */
final class Updater implements ComputePool.Task {
  /** Parameter values from which the update is split over the pool. */
  static final long PARALLEL_SIZE = 1L << 16;

  private final OptimizerKernel kernel;
  private final Parameter[] parameters;
  private final ComputePool pool;
  private final boolean parallel;
  private final float[][] scratchW;
  private final float[][] scratchG;

  Updater(OptimizerKernel kernel, Parameter[] parameters, ComputePool pool) {
    this.kernel = kernel;
    this.parameters = parameters;
    this.pool = pool;
    long size = 0;
    int width = 1;
    for (Parameter p : parameters) {
      size += p.size();
      width = Math.max(width, p.value.cols);
    }
    int parts = pool == null ? 1 : pool.threads();
    this.parallel = parts > 1 && size >= PARALLEL_SIZE;
    this.scratchW = new float[parts][width];
    this.scratchG = new float[parts][width];
  }

  /** One optimizer step over all parameters; {@code iterations} counts the steps before it. */
  void step(long iterations) {
    kernel.prepare(iterations);
    if (parallel) {
      pool.run(this);
    } else {
      run(0, 1);
    }
  }

  @Override
  public void run(int part, int parts) {
    float[] sw = scratchW[part];
    float[] sg = scratchG[part];
    for (Parameter p : parameters) {
      int rows = p.value.rows;
      int from = (int) ((long) rows * part / parts);
      int to = (int) ((long) rows * (part + 1) / parts);
      for (int r = from; r < to; r++) {
        float[] w = p.value.row(r, sw);
        float[] g = p.grad.row(r, sg);
        kernel.update(w, g, p.slots, r, p.value.cols);
        p.value.commit(r, w);
      }
    }
  }
}
