package dev.backplane.accelerate;

import dev.backplane.ops.Attrs;
import dev.backplane.ops.Node;
import java.util.Arrays;

/**
 * {@code conv}, {@code conv_input_grad} and {@code conv_kernel_grad} as im2col around the
 * engine's tuned gemm (OpenBLAS or the Vector API kernels), N-d, channels last, with explicit
 * pads, strides, dilations and groups. Per group {@code g}, with {@code P} the patch matrix
 * {@code (N·O..., K...·Cin/g)} of x and {@code W} the kernel as {@code (K...·Cin/g, Cout)}:
 *
 * <ul>
 *   <li>forward: {@code y = P · W};
 *   <li>kernel gradient: {@code dW = Pᵀ · dy};
 *   <li>input gradient: {@code dP = dy · Wᵀ}, then col2im: each sample's dx is the sum of its
 *       patch rows scattered back, in a fixed order (output cell, then window cell).
 * </ul>
 *
 * <p>im2col and col2im are split over the pool by samples and the products by the gemm itself,
 * so each output element is summed in one fixed order whatever the thread count (on the pure-Java
 * kernels; OpenBLAS promises that only for a given thread count). Groups above one run a product
 * per group on column slices copied to scratch.
 */
final class ConvKernels {
  private ConvKernels() {}

  static final int FORWARD = 0;
  static final int INPUT_GRAD = 1;
  static final int KERNEL_GRAD = 2;

  private static final int IM2COL = 0;
  private static final int COL2IM = 1;
  private static final int GATHER_DY = 2;
  private static final int SCATTER_Y = 3;

  /** One frame's scratch of one conv step. */
  static final class Scratch {
    /** Patch rows (forward, kernel gradient) or their gradient (input gradient). */
    Mat p;
    /** Groups above one: a column slice of y or dy, of the kernel and of its gradient. */
    Mat yg;
    Mat kg;
    Mat dkg;
    /** Samples the matrices hold. */
    int samples;
    /** Per worker: one sample of x (or dx), one sample's patches, two rows. */
    float[][] xs;
    float[][] pb;
    float[][] r0;
    float[][] r1;
    int phase;
    int group;
  }

  /** A convolution step in one of the three modes. */
  static final class Conv extends GraphCompiler.Step {
    final int mode;
    /** Node ids: x (forward, kernel gradient), dy (input and kernel gradient), the kernel. */
    final int x;
    final int dy;
    final int k;
    /** The node whose dim 0 is the batch of x and y. */
    final int batchNode;
    final boolean batchDynamic;
    final int groups;
    final int cin;
    final int cout;
    final int cpg;
    final int opg;
    /** Patch width: window cells × cpg. */
    final int kc;
    final SpatialStep.Window win;

    Conv(Node n) {
      super(n.id());
      mode = switch (n.opName()) {
        case "conv" -> FORWARD;
        case "conv_input_grad" -> INPUT_GRAD;
        default -> KERNEL_GRAD;
      };
      int[] xShape;
      int[] yShape;
      int[] kShape;
      switch (mode) {
        case FORWARD -> {
          x = n.input(0).id();
          dy = -1;
          k = n.input(1).id();
          xShape = n.input(0).shape();
          yShape = n.shape();
          kShape = n.input(1).shape();
          batchNode = x;
        }
        case INPUT_GRAD -> {
          x = -1;
          dy = n.input(0).id();
          k = n.input(1).id();
          xShape = n.shape();
          yShape = n.input(0).shape();
          kShape = n.input(1).shape();
          batchNode = dy;
        }
        default -> {
          x = n.input(0).id();
          dy = n.input(1).id();
          k = -1;
          xShape = n.input(0).shape();
          yShape = n.input(1).shape();
          kShape = n.shape();
          batchNode = x;
        }
      }
      batchDynamic = xShape[0] < 0;
      int d = xShape.length - 2;
      Attrs at = n.attrs();
      groups = at.i("groups");
      cin = xShape[d + 1];
      cout = kShape[d + 1];
      cpg = cin / groups;
      opg = cout / groups;
      int[] window = Arrays.copyOfRange(kShape, 0, d);
      win = new SpatialStep.Window(SpatialStep.spatial(n, xShape), SpatialStep.spatial(n,
          yShape), window, at.ints("strides"), at.ints("pads"),
          SpatialStep.ints(at, "dilations", d, 1));
      kc = win.cells * cpg;
    }

    private Scratch scratch(Frame f, int samples) {
      SpatialScratch ss = SpatialScratch.of(f);
      Scratch s = (Scratch) ss.byStep[id];
      if (s != null && s.samples >= samples) {
        return s;
      }
      int plan = Math.max(samples, batchDynamic ? f.capacity : samples);
      if (s != null) {
        ss.free(s.p);
        ss.free(s.yg);
        ss.free(s.kg);
        ss.free(s.dkg);
      }
      s = new Scratch();
      s.samples = plan;
      int rows = plan * win.outCount;
      s.p = ss.allocate(f, rows, kc);
      if (groups > 1) {
        s.yg = ss.allocate(f, rows, opg);
        s.kg = ss.allocate(f, kc, opg);
        if (mode == KERNEL_GRAD) {
          s.dkg = ss.allocate(f, kc, opg);
        }
      }
      int workers = SpatialScratch.workers(f);
      int width = Math.max(Math.max(cin, cout), Math.max(kc, 1));
      s.xs = new float[workers][Math.max(1, win.inCount * cin)];
      s.pb = new float[workers][s.p instanceof HeapMat ? 1 : Math.max(1, win.outCount * kc)];
      s.r0 = new float[workers][width];
      s.r1 = new float[workers][width];
      ss.byStep[id] = s;
      return s;
    }

    @Override
    void gemmShapes(int[][] shapes, java.util.List<GemmShape> out) {
      int rows = shapes[batchNode][0] * win.outCount;
      for (int g = 0; g < groups; g++) {
        switch (mode) {
          case FORWARD -> out.add(new GemmShape(false, false, rows, opg, kc));
          case INPUT_GRAD -> out.add(new GemmShape(false, true, rows, kc, opg));
          default -> out.add(new GemmShape(true, false, kc, opg, rows));
        }
      }
    }

    @Override
    void run(Frame f) {
      int n = f.shape[batchNode][0];
      int rows = n * win.outCount;
      if (mode == KERNEL_GRAD && (rows == 0 || kc == 0)) {
        zero(f.buf[id], f.rows[id], f.cols[id], f.slotScratch[0][0]);
        return;
      }
      if (n == 0) {
        return;
      }
      Scratch s = scratch(f, n);
      long patchWork = (long) rows * kc;
      MatrixEngine.Multiplier mm = f.multiplier;
      for (int g = 0; g < groups; g++) {
        s.group = g;
        switch (mode) {
          case FORWARD -> {
            pass(f, s, IM2COL, n, patchWork);
            if (groups == 1) {
              mm.multiply(false, false, rows, cout, kc, s.p, f.buf[k], f.buf[id], false);
            } else {
              slice(f.buf[k], s.kg, kc, g * opg, s.r0[0], s.r1[0]);
              mm.multiply(false, false, rows, opg, kc, s.p, s.kg, s.yg, false);
              pass(f, s, SCATTER_Y, rows, (long) rows * cout);
            }
          }
          case INPUT_GRAD -> {
            if (groups == 1) {
              mm.multiply(false, true, rows, kc, cout, f.buf[dy], f.buf[k], s.p, false);
            } else {
              pass(f, s, GATHER_DY, rows, (long) rows * cout);
              slice(f.buf[k], s.kg, kc, g * opg, s.r0[0], s.r1[0]);
              mm.multiply(false, true, rows, kc, opg, s.yg, s.kg, s.p, false);
            }
            pass(f, s, COL2IM, n, patchWork);
          }
          default -> {
            pass(f, s, IM2COL, n, patchWork);
            if (groups == 1) {
              mm.multiply(true, false, kc, cout, rows, s.p, f.buf[dy], f.buf[id], false);
            } else {
              pass(f, s, GATHER_DY, rows, (long) rows * cout);
              mm.multiply(true, false, kc, opg, rows, s.p, s.yg, s.dkg, false);
              unslice(s.dkg, f.buf[id], kc, g * opg, s.r0[0], s.r1[0]);
            }
          }
        }
      }
    }

    private void pass(Frame f, Scratch s, int phase, int units, long work) {
      s.phase = phase;
      split(f, units, work);
    }

    @Override
    void chunk(Frame f, int chunk, int chunks, int worker) {
      Scratch s = (Scratch) SpatialScratch.of(f).byStep[id];
      int units = s.phase == IM2COL || s.phase == COL2IM ? f.shape[batchNode][0]
          : f.shape[batchNode][0] * win.outCount;
      int from = (int) ((long) units * chunk / chunks);
      int to = (int) ((long) units * (chunk + 1) / chunks);
      switch (s.phase) {
        case IM2COL -> {
          for (int n = from; n < to; n++) {
            im2col(f.buf[x], s.p, n, s.group, s.xs[worker], s.pb[worker]);
          }
        }
        case COL2IM -> {
          for (int n = from; n < to; n++) {
            col2im(s.p, f.buf[id], n, s.group, s.xs[worker], s.pb[worker]);
          }
        }
        case GATHER_DY -> {
          Mat src = f.buf[dy];
          int c0 = s.group * opg;
          float[] a = s.r0[worker];
          float[] b = s.r1[worker];
          for (int r = from; r < to; r++) {
            float[] row = src.row(r, a);
            float[] t = s.yg.target(r, b);
            System.arraycopy(row, c0, t, 0, opg);
            s.yg.commit(r, t);
          }
        }
        default -> {
          Mat out = f.buf[id];
          int c0 = s.group * opg;
          float[] a = s.r0[worker];
          float[] b = s.r1[worker];
          for (int r = from; r < to; r++) {
            float[] row = out.row(r, a);
            System.arraycopy(s.yg.row(r, b), 0, row, c0, opg);
            out.commit(r, row);
          }
        }
      }
    }

    /** Patch rows of sample {@code n}, group {@code g}, into rows {@code n·O...} of {@code p}. */
    private void im2col(Mat xm, Mat p, int n, int g, float[] xs, float[] pb) {
      int sIn = win.inCount;
      xm.readRows(n * sIn, (n + 1) * sIn, xs, 0);
      int out = win.outCount;
      int cells = win.cells;
      int[] cell = win.cell;
      int c0 = g * cpg;
      float[][] heap = p instanceof HeapMat h ? h.data : null;
      int rowBase = n * out;
      for (int oi = 0; oi < out; oi++) {
        float[] dst = heap != null ? heap[rowBase + oi] : pb;
        int off = heap != null ? 0 : oi * kc;
        int t = oi * cells;
        if (cpg == 1) {
          for (int ki = 0; ki < cells; ki++) {
            int idx = cell[t + ki];
            dst[off + ki] = idx < 0 ? 0f : xs[idx * cin + c0];
          }
        } else {
          for (int ki = 0; ki < cells; ki++) {
            int idx = cell[t + ki];
            int o = off + ki * cpg;
            if (idx < 0) {
              Arrays.fill(dst, o, o + cpg, 0f);
            } else {
              System.arraycopy(xs, idx * cin + c0, dst, o, cpg);
            }
          }
        }
      }
      if (heap == null) {
        p.writeRows(rowBase, rowBase + out, pb, 0);
      }
    }

    /** dx of sample {@code n}, group {@code g}'s channels, from the patch gradients in dp. */
    private void col2im(Mat dp, Mat dx, int n, int g, float[] xs, float[] pb) {
      int sIn = win.inCount;
      int size = sIn * cin;
      int c0 = g * cpg;
      if (groups == 1 || g == 0) {
        Arrays.fill(xs, 0, size, 0f);
      } else {
        dx.readRows(n * sIn, (n + 1) * sIn, xs, 0);
        for (int i = 0; i < sIn; i++) {
          Arrays.fill(xs, i * cin + c0, i * cin + c0 + cpg, 0f);
        }
      }
      int out = win.outCount;
      int cells = win.cells;
      int[] cell = win.cell;
      float[][] heap = dp instanceof HeapMat h ? h.data : null;
      int rowBase = n * out;
      if (heap == null) {
        dp.readRows(rowBase, rowBase + out, pb, 0);
      }
      for (int oi = 0; oi < out; oi++) {
        float[] src = heap != null ? heap[rowBase + oi] : pb;
        int off = heap != null ? 0 : oi * kc;
        int t = oi * cells;
        if (cpg == 1) {
          for (int ki = 0; ki < cells; ki++) {
            int idx = cell[t + ki];
            if (idx >= 0) {
              xs[idx * cin + c0] += src[off + ki];
            }
          }
        } else {
          for (int ki = 0; ki < cells; ki++) {
            int idx = cell[t + ki];
            if (idx >= 0) {
              int xo = idx * cin + c0;
              int so = off + ki * cpg;
              for (int c = 0; c < cpg; c++) {
                xs[xo + c] += src[so + c];
              }
            }
          }
        }
      }
      dx.writeRows(n * sIn, (n + 1) * sIn, xs, 0);
    }
  }

  /** Columns {@code [c0, c0 + dst.cols)} of the first {@code rows} rows of src into dst. */
  static void slice(Mat src, Mat dst, int rows, int c0, float[] a, float[] b) {
    int w = dst.cols;
    for (int r = 0; r < rows; r++) {
      float[] row = src.row(r, a);
      float[] t = dst.target(r, b);
      System.arraycopy(row, c0, t, 0, w);
      dst.commit(r, t);
    }
  }

  /** The first {@code rows} rows of src into columns {@code [c0, c0 + src.cols)} of dst. */
  static void unslice(Mat src, Mat dst, int rows, int c0, float[] a, float[] b) {
    int w = src.cols;
    for (int r = 0; r < rows; r++) {
      float[] row = dst.row(r, a);
      System.arraycopy(src.row(r, b), 0, row, c0, w);
      dst.commit(r, row);
    }
  }

  static void zero(Mat m, int rows, int cols, float[] scratch) {
    for (int r = 0; r < rows; r++) {
      float[] t = m.target(r, scratch);
      Arrays.fill(t, 0, cols, 0f);
      m.commit(r, t);
    }
  }
}
