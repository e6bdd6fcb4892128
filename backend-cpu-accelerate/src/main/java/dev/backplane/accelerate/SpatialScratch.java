package dev.backplane.accelerate;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The scratch of the convolution and pooling steps for one {@link Frame}: patch matrices (engine
 * {@link Mat}s, off-heap on a native BLAS) and per-worker flat arrays, allocated on a step's first
 * run with that frame for the frame's batch capacity and reused by every later run, so steady
 * state allocates nothing. Frames do not know about it: it is found by the frame's identity
 * (a weak map, one synchronized look-up per pass) and its off-heap matrices are freed when the
 * frame becomes unreachable (a {@link Cleaner}), or when a step outgrows and replaces one.
 */
final class SpatialScratch {
  private static final Map<Frame, SpatialScratch> BY_FRAME = new WeakHashMap<>();
  private static final Cleaner CLEANER = Cleaner.create();

  /** Per node id: the step's own scratch object. */
  final Object[] byStep;
  private final Owned owned = new Owned();

  /** The off-heap matrices, freed together; holds no reference to the frame. */
  private static final class Owned implements Runnable {
    final List<Mat> mats = new ArrayList<>();

    @Override
    public synchronized void run() {
      for (Mat m : mats) {
        m.close();
      }
      mats.clear();
    }

    synchronized void add(Mat m) {
      mats.add(m);
    }

    synchronized void remove(Mat m) {
      mats.remove(m);
    }
  }

  private SpatialScratch(int nodes) {
    byStep = new Object[nodes];
  }

  /** The scratch of {@code f}, created on first use. */
  static SpatialScratch of(Frame f) {
    synchronized (BY_FRAME) {
      SpatialScratch s = BY_FRAME.get(f);
      if (s == null) {
        s = new SpatialScratch(f.buf.length);
        BY_FRAME.put(f, s);
        CLEANER.register(f, s.owned);
      }
      return s;
    }
  }

  /** A matrix of the frame's engine, freed with this scratch. */
  Mat allocate(Frame f, int rows, int cols) {
    Mat m = f.engine.allocate(Math.max(1, rows), Math.max(1, cols));
    owned.add(m);
    return m;
  }

  /** Frees a matrix of {@link #allocate} early (a step outgrew it). */
  void free(Mat m) {
    if (m != null) {
      owned.remove(m);
      m.close();
    }
  }

  /** Worker threads of the frame's pool. */
  static int workers(Frame f) {
    return f.pool == null ? 1 : f.pool.threads();
  }
}
