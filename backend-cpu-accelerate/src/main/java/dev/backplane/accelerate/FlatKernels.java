package dev.backplane.accelerate;

import dev.backplane.model.Erf;

/**
 * Float32 kernels of the op set on flat row-major arrays with concrete shapes, and the copies
 * between a {@link Mat} (a node's 2-d view: all axes but the last as rows) and a flat array.
 * These are the general paths of {@link GraphCompiler}'s steps; the common shapes take the
 * row-wise fast paths there. Every loop runs in a fixed order, so results do not depend on the
 * thread count. Nothing here allocates.
 */
final class FlatKernels {
  // Element-wise opcodes, shared by the fused row programs and the broadcasting kernel.
  static final int NEG = 0;
  static final int SQUARE = 1;
  static final int SQRT = 2;
  static final int RSQRT = 3;
  static final int EXP = 4;
  static final int EXPM1 = 5;
  static final int LOG = 6;
  static final int LOG1P = 7;
  static final int TANH = 8;
  static final int SIGMOID = 9;
  static final int ERF = 10;
  static final int ABS = 11;
  static final int SIGN = 12;
  static final int RELU = 13;
  static final int COPY = 14;
  static final int TO_INT = 15;
  static final int CLIP = 16;
  static final int ADD = 20;
  static final int SUB = 21;
  static final int MUL = 22;
  static final int DIV = 23;
  static final int MAXIMUM = 24;
  static final int MINIMUM = 25;
  static final int POW = 26;
  static final int GREATER = 27;
  static final int GREATER_EQUAL = 28;
  static final int LESS = 29;
  static final int LESS_EQUAL = 30;
  static final int EQUAL = 31;
  static final int WHERE = 40;

  private FlatKernels() {}

  /** The opcode of an element-wise op, or -1. */
  static int opcode(String name) {
    return switch (name) {
      case "neg" -> NEG;
      case "square" -> SQUARE;
      case "sqrt" -> SQRT;
      case "rsqrt" -> RSQRT;
      case "exp" -> EXP;
      case "expm1" -> EXPM1;
      case "log" -> LOG;
      case "log1p" -> LOG1P;
      case "tanh" -> TANH;
      case "sigmoid" -> SIGMOID;
      case "erf" -> ERF;
      case "abs" -> ABS;
      case "sign" -> SIGN;
      case "relu" -> RELU;
      case "stop_gradient", "broadcast_like" -> COPY;
      case "clip" -> CLIP;
      case "add" -> ADD;
      case "sub" -> SUB;
      case "mul" -> MUL;
      case "div" -> DIV;
      case "maximum" -> MAXIMUM;
      case "minimum" -> MINIMUM;
      case "pow" -> POW;
      case "greater" -> GREATER;
      case "greater_equal" -> GREATER_EQUAL;
      case "less" -> LESS;
      case "less_equal" -> LESS_EQUAL;
      case "equal" -> EQUAL;
      case "where" -> WHERE;
      default -> -1;
    };
  }

  /** Number of value operands of an opcode. */
  static int arity(int op) {
    return op >= WHERE ? 3 : op >= ADD ? 2 : 1;
  }

  /** One element of an element-wise op. */
  static float scalar(int op, float a, float b, float c, float lo, float hi) {
    switch (op) {
      case NEG: return -a;
      case SQUARE: return a * a;
      case SQRT: return (float) Math.sqrt(a);
      case RSQRT: return (float) (1 / Math.sqrt(a));
      case EXP: return (float) Math.exp(a);
      case EXPM1: return (float) Math.expm1(a);
      case LOG: return (float) Math.log(a);
      case LOG1P: return (float) Math.log1p(a);
      case TANH: return (float) Math.tanh(a);
      case SIGMOID: return (float) (1 / (1 + Math.exp(-a)));
      case ERF: return (float) Erf.erf(a);
      case ABS: return Math.abs(a);
      case SIGN: return Math.signum(a);
      case RELU: return a > 0 ? a : 0f;
      case COPY: return a;
      case TO_INT: return (float) (int) a;
      case CLIP: return Math.min(Math.max(a, lo), hi);
      case ADD: return a + b;
      case SUB: return a - b;
      case MUL: return a * b;
      case DIV: return a / b;
      case MAXIMUM: return Math.max(a, b);
      case MINIMUM: return Math.min(a, b);
      case POW: return (float) Math.pow(a, b);
      case GREATER: return a > b ? 1f : 0f;
      case GREATER_EQUAL: return a >= b ? 1f : 0f;
      case LESS: return a < b ? 1f : 0f;
      case LESS_EQUAL: return a <= b ? 1f : 0f;
      case EQUAL: return a == b ? 1f : 0f;
      case WHERE: return a != 0 ? b : c;
      default: throw new IllegalStateException("opcode " + op);
    }
  }

  /**
   * {@code d[j] = op(a[j], b[j], c[j])} for {@code j < n}: one loop per op over equal-length
   * rows, each array indexed by the loop variable alone so that C2 vectorizes the simple ones.
   */
  static void apply(int op, float[] d, float[] a, float[] b, float[] c, float lo, float hi,
      int n) {
    switch (op) {
      case NEG: for (int j = 0; j < n; j++) { d[j] = -a[j]; } return;
      case SQUARE: for (int j = 0; j < n; j++) { float v = a[j]; d[j] = v * v; } return;
      case SQRT: for (int j = 0; j < n; j++) { d[j] = (float) Math.sqrt(a[j]); } return;
      case RELU: relu(d, a, n); return;
      case COPY: System.arraycopy(a, 0, d, 0, n); return;
      case ABS: for (int j = 0; j < n; j++) { d[j] = Math.abs(a[j]); } return;
      case ADD: for (int j = 0; j < n; j++) { d[j] = a[j] + b[j]; } return;
      case SUB: for (int j = 0; j < n; j++) { d[j] = a[j] - b[j]; } return;
      case MUL: for (int j = 0; j < n; j++) { d[j] = a[j] * b[j]; } return;
      case DIV: for (int j = 0; j < n; j++) { d[j] = a[j] / b[j]; } return;
      case MAXIMUM: for (int j = 0; j < n; j++) { d[j] = Math.max(a[j], b[j]); } return;
      case MINIMUM: for (int j = 0; j < n; j++) { d[j] = Math.min(a[j], b[j]); } return;
      case GREATER: greater(d, a, b, n); return;
      case GREATER_EQUAL: for (int j = 0; j < n; j++) { d[j] = a[j] >= b[j] ? 1f : 0f; } return;
      case LESS: for (int j = 0; j < n; j++) { d[j] = a[j] < b[j] ? 1f : 0f; } return;
      case LESS_EQUAL: for (int j = 0; j < n; j++) { d[j] = a[j] <= b[j] ? 1f : 0f; } return;
      case WHERE: for (int j = 0; j < n; j++) { d[j] = a[j] != 0 ? b[j] : c[j]; } return;
      case CLIP: for (int j = 0; j < n; j++) { d[j] = Math.min(Math.max(a[j], lo), hi); } return;
      default:
        for (int j = 0; j < n; j++) {
          d[j] = scalar(op, a[j], b == null ? 0f : b[j], c == null ? 0f : c[j], lo, hi);
        }
    }
  }

  private static final float HUGE = 0x1p127f;
  /** Whether relu and greater run on the Vector API ({@link VectorElementwise}): the same bits. */
  static final boolean VECTOR = VectorSupport.present();
  /** Shortest loop handed to the Vector API. */
  private static final int VECTOR_MIN = 16;

  /**
   * {@code v > 0 ? v : 0}: branch-free as {@code max(v, 0)} (which C2 vectorizes; the ternary
   * compiles to a branch that random signs mispredict), the same bits except for NaN, which
   * {@code max} keeps and the op maps to 0: a max-reduction finds NaNs and the exact loop then
   * redoes the row.
   */
  static void relu(float[] d, float[] a, int n) {
    if (VECTOR && n >= VECTOR_MIN) {
      VectorElementwise.relu(d, a, n);
      return;
    }
    for (int j = 0; j < n; j++) {
      d[j] = Math.max(a[j], 0f);
    }
    if (anyNaN(d, n)) {
      for (int j = 0; j < n; j++) {
        float v = a[j];
        d[j] = v > 0 ? v : 0f;
      }
    }
  }

  /**
   * {@code a > b ? 1 : 0}, branch-free: {@code a - b} is positive exactly when {@code a > b}
   * (gradual underflow keeps differences of distinct floats nonzero; overflow gives +inf), and
   * scaled by 2^254 any positive float reaches 1. Only NaN differences (NaN operands, inf - inf)
   * leave the identity; a max-reduction finds them and the exact loop redoes the row.
   */
  static void greater(float[] d, float[] a, float[] b, int n) {
    if (VECTOR && n >= VECTOR_MIN) {
      VectorElementwise.greater(d, a, b, n);
      return;
    }
    for (int j = 0; j < n; j++) {
      d[j] = Math.min(Math.max(a[j] - b[j], 0f) * HUGE * HUGE, 1f);
    }
    if (anyNaN(d, n)) {
      for (int j = 0; j < n; j++) {
        d[j] = a[j] > b[j] ? 1f : 0f;
      }
    }
  }

  /**
   * Whether any of {@code x[0..n)}, all {@code >= 0} or NaN, is NaN: their sum is NaN exactly
   * then (sums of non-negative values, infinities included, are never NaN). Four independent
   * sums rather than a max chain, which C2 does not vectorize.
   */
  static boolean anyNaN(float[] x, int n) {
    float s0 = 0f;
    float s1 = 0f;
    float s2 = 0f;
    float s3 = 0f;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += x[j];
      s1 += x[j + 1];
      s2 += x[j + 2];
      s3 += x[j + 3];
    }
    for (; j < n; j++) {
      s0 += x[j];
    }
    return Float.isNaN(s0 + s1 + s2 + s3);
  }

  // ------------------------------------------------------------------ Mat <-> flat

  /** Copies the first {@code size} values of a node held in {@code m} (rows of {@code cols}). */
  static void readFlat(Mat m, int cols, int size, float[] dst, float[] scratch) {
    readFlat(m, cols, size, dst, 0, scratch);
  }

  /** {@link #readFlat} into {@code dst} from {@code offset}. */
  static void readFlat(Mat m, int cols, int size, float[] dst, int offset, float[] scratch) {
    if (cols == 0) {
      return;
    }
    int rows = size / cols;
    if (m.cols == cols) {
      m.readRows(0, rows, dst, offset);
      return;
    }
    for (int r = 0; r < rows; r++) {
      float[] row = m.row(r, scratch);
      System.arraycopy(row, 0, dst, offset + r * cols, cols);
    }
  }

  /** Writes {@code size} flat values into {@code m} (rows of {@code cols}). */
  static void writeFlat(Mat m, int cols, int size, float[] src, int offset, float[] scratch) {
    if (cols == 0) {
      return;
    }
    int rows = size / cols;
    if (m.cols == cols) {
      m.writeRows(0, rows, src, offset);
      return;
    }
    for (int r = 0; r < rows; r++) {
      float[] row = m.target(r, scratch);
      System.arraycopy(src, offset + r * cols, row, 0, cols);
      if (m.cols > cols && row == scratch) {
        // Off-heap rows wider than the value (a dynamic last axis) keep their tail.
        m.rowRange(r, cols, m.cols, scratch);
      }
      m.commit(r, row);
    }
  }

  // ------------------------------------------------------------------ shapes

  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /**
   * Element-wise op with numpy broadcasting on flat arrays: {@code out} has shape {@code os};
   * inputs {@code a, b, c} have shapes {@code as, bs, cs} (unused ones may be null).
   */
  static void broadcast(int op, float[] out, int[] os, float[] a, int[] as, float[] b, int[] bs,
      float[] c, int[] cs, float lo, float hi, int[] index) {
    int rank = os.length;
    int total = size(os);
    for (int k = 0; k < rank; k++) {
      index[k] = 0;
    }
    for (int i = 0; i < total; i++) {
      float va = a[offset(as, os, index)];
      float vb = b == null ? 0f : b[offset(bs, os, index)];
      float vc = c == null ? 0f : c[offset(cs, os, index)];
      out[i] = scalar(op, va, vb, vc, lo, hi);
      increment(index, os);
    }
  }

  /** Flat offset in a tensor of shape {@code s} broadcast to {@code os} at multi-index. */
  static int offset(int[] s, int[] os, int[] index) {
    int off = 0;
    int lead = os.length - s.length;
    for (int k = 0; k < s.length; k++) {
      int d = s[k];
      off = off * d + (d == 1 ? 0 : index[k + lead]);
    }
    return off;
  }

  static void increment(int[] index, int[] shape) {
    for (int k = shape.length - 1; k >= 0; k--) {
      if (++index[k] < shape[k]) {
        return;
      }
      index[k] = 0;
    }
  }

  /** sum/mean/max of {@code x} (shape {@code xs}) over the axes marked in {@code reduced}. */
  static void reduce(int kind, float[] x, int[] xs, boolean[] reduced, float[] out, int outSize,
      double[] acc, int[] index) {
    for (int o = 0; o < outSize; o++) {
      acc[o] = kind == 2 ? Double.NEGATIVE_INFINITY : 0;
    }
    int total = size(xs);
    int rank = xs.length;
    for (int k = 0; k < rank; k++) {
      index[k] = 0;
    }
    int count = 1;
    for (int k = 0; k < rank; k++) {
      if (reduced[k]) {
        count *= xs[k];
      }
    }
    for (int i = 0; i < total; i++) {
      int o = 0;
      for (int k = 0; k < rank; k++) {
        if (!reduced[k]) {
          o = o * xs[k] + index[k];
        }
      }
      if (kind == 2) {
        acc[o] = Math.max(acc[o], x[i]);
      } else {
        acc[o] += x[i];
      }
      increment(index, xs);
    }
    for (int o = 0; o < outSize; o++) {
      out[o] = (float) (kind == 1 ? acc[o] / (count == 0 ? Double.NaN : count) : acc[o]);
    }
  }

  /** softmax / log_softmax of {@code x} (shape {@code s}) over {@code axis}. */
  static void softmax(boolean log, float[] x, int[] s, int axis, float[] out) {
    int n = s[axis];
    int inner = 1;
    for (int i = axis + 1; i < s.length; i++) {
      inner *= s[i];
    }
    int outer = size(s) / Math.max(1, n * inner);
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        int base = o * n * inner + i;
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
          max = Math.max(max, x[base + k * inner]);
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
          sum += Math.exp(x[base + k * inner] - max);
        }
        double logSum = Math.log(sum);
        for (int k = 0; k < n; k++) {
          float v = x[base + k * inner] - max;
          out[base + k * inner] = (float) (log ? v - logSum : Math.exp(v) / sum);
        }
      }
    }
  }

  /** softmax / log_softmax of one row. */
  static void softmaxRow(boolean log, float[] x, float[] out, int n) {
    float max = Float.NEGATIVE_INFINITY;
    for (int k = 0; k < n; k++) {
      max = Math.max(max, x[k]);
    }
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += Math.exp(x[k] - max);
    }
    if (log) {
      double logSum = Math.log(sum);
      for (int k = 0; k < n; k++) {
        out[k] = (float) ((x[k] - max) - logSum);
      }
    } else {
      for (int k = 0; k < n; k++) {
        out[k] = (float) (Math.exp(x[k] - max) / sum);
      }
    }
  }

  static void transpose(float[] x, int[] xs, int[] perm, float[] out, int[] os, int[] index,
      int[] strides) {
    int acc = 1;
    for (int i = xs.length - 1; i >= 0; i--) {
      strides[i] = acc;
      acc *= xs[i];
    }
    int total = size(os);
    for (int k = 0; k < os.length; k++) {
      index[k] = 0;
    }
    for (int i = 0; i < total; i++) {
      int src = 0;
      for (int k = 0; k < perm.length; k++) {
        src += index[k] * strides[perm[k]];
      }
      out[i] = x[src];
      increment(index, os);
    }
  }

  static void slice(float[] x, int[] xs, int[] begin, float[] out, int[] os, int[] index,
      int[] strides) {
    int acc = 1;
    for (int i = xs.length - 1; i >= 0; i--) {
      strides[i] = acc;
      acc *= xs[i];
    }
    int total = size(os);
    for (int k = 0; k < os.length; k++) {
      index[k] = 0;
    }
    for (int i = 0; i < total; i++) {
      int src = 0;
      for (int k = 0; k < os.length; k++) {
        src += (index[k] + begin[k]) * strides[k];
      }
      out[i] = x[src];
      increment(index, os);
    }
  }

  static void pad(float[] x, int[] xs, int[] p, float value, float[] out, int[] os, int[] index,
      int[] strides) {
    int acc = 1;
    for (int i = os.length - 1; i >= 0; i--) {
      strides[i] = acc;
      acc *= os[i];
    }
    java.util.Arrays.fill(out, 0, size(os), value);
    int total = size(xs);
    for (int k = 0; k < xs.length; k++) {
      index[k] = 0;
    }
    for (int i = 0; i < total; i++) {
      int dst = 0;
      for (int k = 0; k < xs.length; k++) {
        dst += (index[k] + p[2 * k]) * strides[k];
      }
      out[dst] = x[i];
      increment(index, xs);
    }
  }
}
