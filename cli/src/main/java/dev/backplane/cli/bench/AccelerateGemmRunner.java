package dev.backplane.cli.bench;

import dev.backplane.Backplane;
import dev.backplane.accelerate.AccelerateBackend;
import dev.backplane.accelerate.Gemm;
import dev.backplane.accelerate.NativeBuffer;
import dev.backplane.accelerate.NativeGemm;
import dev.backplane.config.BackplaneConfig;

/**
 * The accelerate backend's matrix product ({@link AccelerateBackend#gemm()}), opened through
 * Backplane like any backend. Two forms: the public {@code float[]} {@link Gemm} (native BLAS
 * stages through off-heap copies), and, with {@code buffers}, the {@link NativeGemm} buffer form
 * that the training path uses on off-heap matrices.
 */
public final class AccelerateGemmRunner implements GemmRunner {
  private final String name;
  private final int threads;
  private final Backplane backplane;
  private final Gemm gemm;
  private final boolean buffers;
  private int n;
  private float[] a;
  private float[] b;
  private float[] c;
  private NativeBuffer[] native3;

  private AccelerateGemmRunner(String name, int threads, Backplane backplane, Gemm gemm,
      boolean buffers) {
    this.name = name;
    this.threads = threads;
    this.backplane = backplane;
    this.gemm = gemm;
    this.buffers = buffers;
  }

  /**
   * Opens the accelerate backend with the kernels {@code backend} forces.
   *
   * @param buffers time the native buffer form; requires native BLAS
   * @throws IllegalArgumentException if {@code backend} is not an accelerate runner, or buffers
   *     are asked of pure-Java kernels
   * @throws dev.backplane.BackplaneException if the backend cannot open
   */
  public static AccelerateGemmRunner open(BackplaneBackend backend, BackplaneConfig base,
      int threads, boolean buffers) {
    if (!backend.backendId().equals("accelerate")) {
      throw new IllegalArgumentException("gemm runs on the accelerate backend only, not "
          + backend.runnerName());
    }
    Backplane bp = Backplane.builder().config(backend.configure(base, threads)).build();
    try {
      Gemm gemm = ((AccelerateBackend) bp.backend(backend.backendId())).gemm();
      if (buffers && !(gemm instanceof NativeGemm)) {
        throw new IllegalArgumentException("The buffer form needs native BLAS; " + backend
            .runnerName() + " computes with " + gemm.description());
      }
      String name = backend.runnerName() + (buffers ? "-buffers" : "");
      return new AccelerateGemmRunner(name, threads, bp, gemm, buffers);
    } catch (RuntimeException | Error e) {
      bp.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public String describe() {
    return (buffers ? "NativeGemm.sgemm on off-heap buffers: " : "Gemm.multiply on float[]: ")
        + gemm.description();
  }

  @Override
  public void prepare(int size) {
    release();
    n = size;
    a = GemmBench.matrix(n * n, 1);
    b = GemmBench.matrix(n * n, 2);
    c = new float[n * n];
    if (buffers) {
      NativeGemm g = (NativeGemm) gemm;
      native3 = new NativeBuffer[] {g.allocate((long) n * n), g.allocate((long) n * n),
          g.allocate((long) n * n)};
      native3[0].floats().put(0, a);
      native3[1].floats().put(0, b);
    }
  }

  @Override
  public void multiply() {
    if (buffers) {
      ((NativeGemm) gemm).sgemm(false, false, n, n, n, 1f, native3[0], n, native3[1], n, 0f,
          native3[2], n);
    } else {
      gemm.multiply(n, n, n, a, b, c);
    }
  }

  private void release() {
    if (native3 != null) {
      for (NativeBuffer x : native3) {
        x.close();
      }
      native3 = null;
    }
  }

  @Override
  public void close() {
    release();
    backplane.close();
  }
}
