package dev.backplane.accelerate;

import dev.backplane.ops.Attrs;
import dev.backplane.ops.Node;
import java.util.Arrays;

/**
 * {@code max_pool}, {@code avg_pool} and their gradients: direct loops over the window table of
 * {@link SpatialStep.Window}, the channels innermost (contiguous, channels last), split over the
 * pool by samples. Each sample's output is computed by one thread in a fixed order, so the bits
 * do not depend on the thread count. Semantics are the interpreter's: padded cells are -∞ for
 * max and left out of the divisor for the average; the max gradient goes to the first maximum
 * of each window (strictly greater replaces).
 */
final class PoolKernels {
  private PoolKernels() {}

  static final int MAX = 0;
  static final int AVG = 1;
  static final int MAX_GRAD = 2;
  static final int AVG_GRAD = 3;

  /** Per worker flat scratch for one frame. */
  static final class Scratch {
    float[][] in;
    float[][] in2;
    float[][] out;
    float[][] best;
    int[][] at;
    double[][] acc;
  }

  /** One pooling step. */
  static final class Pool extends GraphCompiler.Step {
    final int kind;
    /** Node ids: the pooled input x (or like), and dy for the gradients. */
    final int x;
    final int dy;
    final int channels;
    final SpatialStep.Window win;

    Pool(Node n) {
      super(n.id());
      kind = switch (n.opName()) {
        case "max_pool" -> MAX;
        case "avg_pool" -> AVG;
        case "max_pool_grad" -> MAX_GRAD;
        default -> AVG_GRAD;
      };
      int[] xShape;
      int[] yShape;
      switch (kind) {
        case MAX, AVG -> {
          x = n.input(0).id();
          dy = -1;
          xShape = n.input(0).shape();
          yShape = n.shape();
        }
        case MAX_GRAD -> {
          x = n.input(0).id();
          dy = n.input(1).id();
          xShape = n.input(0).shape();
          yShape = n.input(1).shape();
        }
        default -> {
          x = n.input(1).id();
          dy = n.input(0).id();
          xShape = n.input(1).shape();
          yShape = n.input(0).shape();
        }
      }
      int d = xShape.length - 2;
      channels = xShape[d + 1];
      Attrs at = n.attrs();
      win = new SpatialStep.Window(SpatialStep.spatial(n, xShape), SpatialStep.spatial(n,
          yShape), at.ints("window"), at.ints("strides"), at.ints("pads"),
          SpatialStep.ints(at, "dilations", d, 1));
    }

    private Scratch scratch(Frame f) {
      SpatialScratch ss = SpatialScratch.of(f);
      Scratch s = (Scratch) ss.byStep[id];
      if (s != null) {
        return s;
      }
      int w = SpatialScratch.workers(f);
      int c = Math.max(1, channels);
      int inSize = Math.max(1, win.inCount * channels);
      int outSize = Math.max(1, win.outCount * channels);
      s = new Scratch();
      s.in = new float[w][inSize];
      s.in2 = new float[w][kind == MAX_GRAD || kind == AVG_GRAD ? outSize : 1];
      s.out = new float[w][kind == MAX || kind == AVG ? outSize : inSize];
      s.best = new float[w][c];
      s.at = new int[w][c];
      s.acc = new double[w][c];
      ss.byStep[id] = s;
      return s;
    }

    @Override
    void run(Frame f) {
      int n = f.shape[id][0];
      if (n == 0) {
        return;
      }
      scratch(f);
      split(f, n, (long) n * win.outCount * win.cells * channels);
    }

    @Override
    void chunk(Frame f, int chunk, int chunks, int worker) {
      Scratch s = (Scratch) SpatialScratch.of(f).byStep[id];
      int units = f.shape[id][0];
      int from = (int) ((long) units * chunk / chunks);
      int to = (int) ((long) units * (chunk + 1) / chunks);
      int sIn = win.inCount;
      int sOut = win.outCount;
      Mat out = f.buf[id];
      for (int n = from; n < to; n++) {
        switch (kind) {
          case MAX -> {
            f.buf[x].readRows(n * sIn, (n + 1) * sIn, s.in[worker], 0);
            max(s.in[worker], s.out[worker]);
            out.writeRows(n * sOut, (n + 1) * sOut, s.out[worker], 0);
          }
          case AVG -> {
            f.buf[x].readRows(n * sIn, (n + 1) * sIn, s.in[worker], 0);
            avg(s.in[worker], s.out[worker], s.acc[worker]);
            out.writeRows(n * sOut, (n + 1) * sOut, s.out[worker], 0);
          }
          case MAX_GRAD -> {
            f.buf[x].readRows(n * sIn, (n + 1) * sIn, s.in[worker], 0);
            f.buf[dy].readRows(n * sOut, (n + 1) * sOut, s.in2[worker], 0);
            maxGrad(s.in[worker], s.in2[worker], s.out[worker], s.best[worker], s.at[worker]);
            out.writeRows(n * sIn, (n + 1) * sIn, s.out[worker], 0);
          }
          default -> {
            f.buf[dy].readRows(n * sOut, (n + 1) * sOut, s.in2[worker], 0);
            avgGrad(s.in2[worker], s.out[worker]);
            out.writeRows(n * sIn, (n + 1) * sIn, s.out[worker], 0);
          }
        }
      }
    }

    private void max(float[] xs, float[] y) {
      int c = channels;
      int cells = win.cells;
      int[] cell = win.cell;
      for (int oi = 0; oi < win.outCount; oi++) {
        int yo = oi * c;
        Arrays.fill(y, yo, yo + c, Float.NEGATIVE_INFINITY);
        int t = oi * cells;
        for (int ki = 0; ki < cells; ki++) {
          int idx = cell[t + ki];
          if (idx >= 0) {
            int xo = idx * c;
            for (int j = 0; j < c; j++) {
              y[yo + j] = Math.max(y[yo + j], xs[xo + j]);
            }
          }
        }
      }
    }

    private void avg(float[] xs, float[] y, double[] acc) {
      int c = channels;
      int cells = win.cells;
      int[] cell = win.cell;
      for (int oi = 0; oi < win.outCount; oi++) {
        Arrays.fill(acc, 0, c, 0.0);
        int t = oi * cells;
        for (int ki = 0; ki < cells; ki++) {
          int idx = cell[t + ki];
          if (idx >= 0) {
            int xo = idx * c;
            for (int j = 0; j < c; j++) {
              acc[j] += xs[xo + j];
            }
          }
        }
        double count = win.inside[oi];
        int yo = oi * c;
        for (int j = 0; j < c; j++) {
          y[yo + j] = (float) (acc[j] / count);
        }
      }
    }

    private void maxGrad(float[] xs, float[] dys, float[] dx, float[] best, int[] at) {
      int c = channels;
      int cells = win.cells;
      int[] cell = win.cell;
      Arrays.fill(dx, 0, win.inCount * c, 0f);
      if (FlatKernels.VECTOR && c >= VectorPoolKernels.LANES) {
        VectorPoolKernels.maxGrad(xs, dys, dx, at, c, win.outCount, cells, cell);
        return;
      }
      for (int oi = 0; oi < win.outCount; oi++) {
        int t = oi * cells;
        int yo = oi * c;
        // Per channel, the window's first maximum in registers: strictly greater replaces.
        for (int j = 0; j < c; j++) {
          float b = Float.NEGATIVE_INFINITY;
          int a = -1;
          for (int ki = 0; ki < cells; ki++) {
            int idx = cell[t + ki];
            if (idx >= 0) {
              float v = xs[idx * c + j];
              boolean gt = v > b;
              b = gt ? v : b;
              a = gt ? idx : a;
            }
          }
          if (a >= 0) {
            dx[a * c + j] += dys[yo + j];
          }
        }
      }
    }

    private void avgGrad(float[] dys, float[] dx) {
      int c = channels;
      int cells = win.cells;
      int[] cell = win.cell;
      Arrays.fill(dx, 0, win.inCount * c, 0f);
      for (int oi = 0; oi < win.outCount; oi++) {
        float count = win.inside[oi];
        int t = oi * cells;
        int yo = oi * c;
        for (int ki = 0; ki < cells; ki++) {
          int idx = cell[t + ki];
          if (idx >= 0) {
            int xo = idx * c;
            for (int j = 0; j < c; j++) {
              dx[xo + j] += dys[yo + j] / count;
            }
          }
        }
      }
    }
  }
}
