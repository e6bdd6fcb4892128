package dev.backplane.benchmarks;

import dev.backplane.cli.bench.GemmBench;
import dev.backplane.cli.bench.GemmRunner;
import java.io.IOException;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The gemm peer: OpenBLAS's {@code cblas_sgemm} called directly through the JavaCPP preset on
 * off-heap {@link FloatPointer}s, with {@code blas_set_num_threads} set to the runner's threads
 * while it is timed and back to 1 after: the setting is process-wide, and the accelerate runners
 * in the same process split products over their own threads into single-threaded calls.
 */
public final class OpenBlasDirect implements GemmRunner {
  /** The runner's name in tables. */
  public static final String NAME = "openblas";
  private static final int ROW_MAJOR = 101;
  private static final int NO_TRANS = 111;

  private final int threads;
  private int n;
  private FloatPointer a;
  private FloatPointer b;
  private FloatPointer c;

  /** Loads OpenBLAS (once per process). */
  public OpenBlasDirect(int threads) {
    Loader.load(openblas_nolapack.class);
    this.threads = threads;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public String describe() {
    return "cblas_sgemm of OpenBLAS " + openblas_nolapack.OPENBLAS_VERSION.trim()
        + " via JavaCPP " + javacppVersion() + " on FloatPointers; blas_set_num_threads("
        + threads + ")";
  }

  private static String javacppVersion() {
    try {
      return Loader.getVersion();
    } catch (IOException | RuntimeException e) {
      return "(version unknown)";
    }
  }

  @Override
  public void prepare(int size) {
    release();
    n = size;
    a = new FloatPointer(GemmBench.matrix(n * n, 1));
    b = new FloatPointer(GemmBench.matrix(n * n, 2));
    c = new FloatPointer((long) n * n);
  }

  @Override
  public void multiply() {
    openblas_nolapack.cblas_sgemm(ROW_MAJOR, NO_TRANS, NO_TRANS, n, n, n, 1f, a, n, b, n, 0f, c,
        n);
  }

  /**
   * The thread count is process-wide, and the accelerate runners in this process call OpenBLAS
   * single-threaded from their own pools: ours holds only while this runner is timed.
   */
  @Override
  public void beforeRun() {
    openblas_nolapack.blas_set_num_threads(threads);
  }

  @Override
  public void afterRun() {
    openblas_nolapack.blas_set_num_threads(1);
  }

  private void release() {
    for (FloatPointer p : new FloatPointer[] {a, b, c}) {
      if (p != null) {
        p.close();
      }
    }
    a = null;
    b = null;
    c = null;
  }

  @Override
  public void close() {
    release();
  }
}
