package dev.backplane.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The public op builder, named after {@code keras.ops}: each method appends one op to a
 * {@link Graph} and returns its symbolic output. Layers, losses and optimizers (built-in and
 * custom) use nothing else, which is why they run, with gradients, on every backend.
 *
 * <pre>{@code
 * Node y = ops.relu(ops.add(ops.matmul(x, kernel), bias));
 * }</pre>
 *
 * <p>Shape errors are {@link OpException}s naming the op, the layer being built and the shapes.
 */
public final class Ops {
  private final Graph graph;

  /** A builder appending to {@code graph}. */
  public Ops(Graph graph) {
    this.graph = graph;
  }

  /** The graph being built. */
  public Graph graph() {
    return graph;
  }

  private Node op(Op op, Attrs attrs, Node... inputs) {
    return graph.add(op, Arrays.asList(inputs), attrs);
  }

  // ------------------------------------------------------------------ sources

  /** A fed input; use {@code -1} for the batch axis. */
  public Node input(String name, DType dtype, int... shape) {
    return op(OpSet.INPUT, Attrs.of("name", name, "shape", shape.clone(), "dtype", dtype.name()));
  }

  /** The current value of the state variable {@code name}. */
  public Node variable(String name, int... shape) {
    return op(OpSet.VARIABLE, Attrs.of("name", name, "shape", shape.clone()));
  }

  /** A float32 scalar constant (the value is rounded to float32). */
  public Node scalar(double value) {
    return constant(new float[] {(float) value});
  }

  /** A float32 constant of this shape. */
  public Node constant(float[] values, int... shape) {
    return op(OpSet.CONSTANT, Attrs.of("value", values.clone(), "shape", shape.clone()));
  }

  /**
   * Uniform values in [0, 1), shaped like {@code like}, a pure function of (seed, iteration,
   * salt, element index): identical on every backend.
   */
  public Node randomUniform(Node like, Node iteration, long seed, long salt) {
    return op(OpSet.RANDOM_UNIFORM, Attrs.of("seed", seed, "salt", salt), like, iteration);
  }

  /** Zeros shaped like {@code x}. */
  public Node zerosLike(Node x) {
    return broadcastLike(scalar(0), x);
  }

  // ------------------------------------------------------------------ element-wise

  /** {@code a + b}, broadcasting. */
  public Node add(Node a, Node b) {
    return op(OpSet.ADD, Attrs.NONE, a, b);
  }

  /** {@code a - b}, broadcasting. */
  public Node sub(Node a, Node b) {
    return op(OpSet.SUB, Attrs.NONE, a, b);
  }

  /** {@code a * b}, broadcasting. */
  public Node mul(Node a, Node b) {
    return op(OpSet.MUL, Attrs.NONE, a, b);
  }

  /** {@code a / b}, broadcasting. */
  public Node div(Node a, Node b) {
    return op(OpSet.DIV, Attrs.NONE, a, b);
  }

  /** Element-wise maximum. */
  public Node maximum(Node a, Node b) {
    return op(OpSet.MAXIMUM, Attrs.NONE, a, b);
  }

  /** Element-wise minimum. */
  public Node minimum(Node a, Node b) {
    return op(OpSet.MINIMUM, Attrs.NONE, a, b);
  }

  /** {@code a ** b}. */
  public Node pow(Node a, Node b) {
    return op(OpSet.POW, Attrs.NONE, a, b);
  }

  /** {@code 1.0} where {@code a > b}, else {@code 0.0}. */
  public Node greater(Node a, Node b) {
    return op(OpSet.GREATER, Attrs.NONE, a, b);
  }

  /** {@code 1.0} where {@code a >= b}, else {@code 0.0}. */
  public Node greaterEqual(Node a, Node b) {
    return op(OpSet.GREATER_EQUAL, Attrs.NONE, a, b);
  }

  /** {@code 1.0} where {@code a < b}, else {@code 0.0}. */
  public Node less(Node a, Node b) {
    return op(OpSet.LESS, Attrs.NONE, a, b);
  }

  /** {@code 1.0} where {@code a <= b}, else {@code 0.0}. */
  public Node lessEqual(Node a, Node b) {
    return op(OpSet.LESS_EQUAL, Attrs.NONE, a, b);
  }

  /** {@code 1.0} where {@code a == b}, else {@code 0.0}. */
  public Node equal(Node a, Node b) {
    return op(OpSet.EQUAL, Attrs.NONE, a, b);
  }

  /** {@code a} where {@code condition != 0}, else {@code b}. */
  public Node where(Node condition, Node a, Node b) {
    return op(OpSet.WHERE, Attrs.NONE, condition, a, b);
  }

  /** {@code -x}. */
  public Node neg(Node x) {
    return op(OpSet.NEG, Attrs.NONE, x);
  }

  /** {@code x²}. */
  public Node square(Node x) {
    return op(OpSet.SQUARE, Attrs.NONE, x);
  }

  /** {@code √x}. */
  public Node sqrt(Node x) {
    return op(OpSet.SQRT, Attrs.NONE, x);
  }

  /** {@code 1/√x}. */
  public Node rsqrt(Node x) {
    return op(OpSet.RSQRT, Attrs.NONE, x);
  }

  /** {@code eˣ}. */
  public Node exp(Node x) {
    return op(OpSet.EXP, Attrs.NONE, x);
  }

  /** {@code eˣ - 1}, accurate near 0. */
  public Node expm1(Node x) {
    return op(OpSet.EXPM1, Attrs.NONE, x);
  }

  /** {@code ln x}. */
  public Node log(Node x) {
    return op(OpSet.LOG, Attrs.NONE, x);
  }

  /** {@code ln(1 + x)}, accurate near 0. */
  public Node log1p(Node x) {
    return op(OpSet.LOG1P, Attrs.NONE, x);
  }

  /** {@code tanh x}. */
  public Node tanh(Node x) {
    return op(OpSet.TANH, Attrs.NONE, x);
  }

  /** {@code 1 / (1 + e⁻ˣ)}. */
  public Node sigmoid(Node x) {
    return op(OpSet.SIGMOID, Attrs.NONE, x);
  }

  /** The error function. */
  public Node erf(Node x) {
    return op(OpSet.ERF, Attrs.NONE, x);
  }

  /** {@code |x|}. */
  public Node abs(Node x) {
    return op(OpSet.ABS, Attrs.NONE, x);
  }

  /** The sign: -1, 0 or 1. */
  public Node sign(Node x) {
    return op(OpSet.SIGN, Attrs.NONE, x);
  }

  /** {@code max(x, 0)}. */
  public Node relu(Node x) {
    return op(OpSet.RELU, Attrs.NONE, x);
  }

  /** {@code min(max(x, min), max)}; the gradient is 0 where the clip is active. */
  public Node clip(Node x, double min, double max) {
    return op(OpSet.CLIP, Attrs.of("min", min, "max", max), x);
  }

  /** Softmax over {@code axis}. */
  public Node softmax(Node x, int axis) {
    return op(OpSet.SOFTMAX, Attrs.of("axis", axis), x);
  }

  /** Log-softmax over {@code axis}. */
  public Node logSoftmax(Node x, int axis) {
    return op(OpSet.LOG_SOFTMAX, Attrs.of("axis", axis), x);
  }

  /** {@code x} converted to {@code dtype} (float32 to int32 truncates toward zero). */
  public Node cast(Node x, DType dtype) {
    return x.dtype() == dtype ? x : op(OpSet.CAST, Attrs.of("dtype", dtype.name()), x);
  }

  /** {@code x}, with no gradient flowing back. */
  public Node stopGradient(Node x) {
    return op(OpSet.STOP_GRADIENT, Attrs.NONE, x);
  }

  // ------------------------------------------------------------------ reductions

  /** Sum over {@code axes}. */
  public Node sum(Node x, int[] axes, boolean keepdims) {
    return op(OpSet.SUM, Attrs.of("axes", axes.clone(), "keepdims", keepdims), x);
  }

  /** Sum over one axis. */
  public Node sum(Node x, int axis, boolean keepdims) {
    return sum(x, new int[] {axis}, keepdims);
  }

  /** Sum of every element, a scalar. */
  public Node sum(Node x) {
    return sum(x, allAxes(x), false);
  }

  /** Mean over {@code axes}. */
  public Node mean(Node x, int[] axes, boolean keepdims) {
    return op(OpSet.MEAN, Attrs.of("axes", axes.clone(), "keepdims", keepdims), x);
  }

  /** Mean over one axis. */
  public Node mean(Node x, int axis, boolean keepdims) {
    return mean(x, new int[] {axis}, keepdims);
  }

  /** Mean of every element, a scalar. */
  public Node mean(Node x) {
    return mean(x, allAxes(x), false);
  }

  /** Maximum over {@code axes}. */
  public Node max(Node x, int[] axes, boolean keepdims) {
    return op(OpSet.MAX, Attrs.of("axes", axes.clone(), "keepdims", keepdims), x);
  }

  /** The number of elements of {@code x} over {@code axes} as a float32 scalar. */
  public Node numel(Node x, int[] axes) {
    return op(OpSet.NUMEL, Attrs.of("axes", axes.clone()), x);
  }

  private static int[] allAxes(Node x) {
    int[] axes = new int[x.rank()];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    return axes;
  }

  // ------------------------------------------------------------------ linear algebra

  /** {@code a · b} for rank-2 tensors. */
  public Node matmul(Node a, Node b) {
    return matmul(a, b, false, false);
  }

  /** {@code op(a) · op(b)}, transposing where asked. */
  public Node matmul(Node a, Node b, boolean transposeA, boolean transposeB) {
    return op(OpSet.MATMUL, Attrs.of("transpose_a", transposeA, "transpose_b", transposeB), a, b);
  }

  // ------------------------------------------------------------------ shape

  /** {@code x} in a new shape; one dimension may be -1. */
  public Node reshape(Node x, int... shape) {
    if (x.sameShape(shape)) {
      return x;
    }
    return op(OpSet.RESHAPE, Attrs.of("shape", shape.clone()), x);
  }

  /** {@code x} reshaped to the shape of {@code like} (at most one dynamic axis). */
  public Node reshapeLike(Node x, Node like) {
    return reshape(x, like.shape());
  }

  /** Axes permuted. */
  public Node transpose(Node x, int... perm) {
    return op(OpSet.TRANSPOSE, Attrs.of("perm", perm.clone()), x);
  }

  /** {@code x} broadcast to the shape of {@code like}. */
  public Node broadcastLike(Node x, Node like) {
    if (x.sameShape(like.rawShape()) && !Dims.dynamic(like.rawShape())) {
      return x;
    }
    return op(OpSet.BROADCAST_LIKE, Attrs.NONE, x, like);
  }

  /**
   * {@code g} (the gradient of a broadcast result) summed back to the shape of {@code like}:
   * over leading axes and over axes where {@code like} has size 1.
   */
  public Node sumTo(Node g, Node like) {
    int[] gs = g.rawShape();
    int[] ls = like.rawShape();
    int lead = gs.length - ls.length;
    List<Integer> axes = new ArrayList<>();
    for (int i = 0; i < gs.length; i++) {
      if (i < lead || ls[i - lead] == 1 && gs[i] != 1) {
        axes.add(i);
      }
    }
    if (axes.isEmpty()) {
      return g;
    }
    Node s = sum(g, axes.stream().mapToInt(Integer::intValue).toArray(), true);
    return reshape(s, ls);
  }

  /** A slice: {@code size} -1 runs to the end of the axis. */
  public Node slice(Node x, int[] begin, int[] size) {
    return op(OpSet.SLICE, Attrs.of("begin", begin.clone(), "size", size.clone()), x);
  }

  /** {@code x} padded with {@code value}: (before, after) per axis. */
  public Node pad(Node x, int[] paddings, double value) {
    return op(OpSet.PAD, Attrs.of("paddings", paddings.clone(), "value", value), x);
  }

  /** The inputs joined along {@code axis}. */
  public Node concat(List<Node> xs, int axis) {
    return graph.add(OpSet.CONCAT, xs, Attrs.of("axis", axis));
  }

  // ------------------------------------------------------------------ indexing

  /** Rows of {@code params} picked by int32 {@code indices}. */
  public Node gather(Node params, Node indices) {
    return op(OpSet.GATHER, Attrs.NONE, params, indices);
  }

  /** Rows of {@code data} summed by int32 {@code ids} into {@code numSegments} rows. */
  public Node segmentSum(Node data, Node ids, int numSegments) {
    return op(OpSet.SEGMENT_SUM, Attrs.of("num_segments", numSegments), data, ids);
  }

  /** A float32 one-hot encoding of int32 {@code indices}. */
  public Node oneHot(Node indices, int depth) {
    return op(OpSet.ONE_HOT, Attrs.of("depth", depth), indices);
  }

  // ------------------------------------------------------------------ convolution, pooling

  /** {@code x} broadcast to {@code shape}; -1 keeps x's dimension (the batch). */
  public Node broadcastTo(Node x, int... shape) {
    return op(OpSet.BROADCAST_TO, Attrs.of("shape", shape.clone()), x);
  }

  /**
   * N-d convolution, channels last: x {@code (N, S..., Cin)}, kernel {@code (K...,
   * Cin/groups, Cout)}.
   *
   * @param pads (before, after) per spatial axis; see {@link #samePads}
   */
  public Node conv(Node x, Node kernel, int[] strides, int[] pads, int[] dilations, int groups) {
    return conv(x, kernel, convAttrs(strides, pads, dilations, groups));
  }

  Node conv(Node x, Node kernel, Attrs geometry) {
    return op(OpSet.CONV, geometry(geometry, null, null), x, kernel);
  }

  /** conv's gradient for x, shaped like {@code x}: also a transposed convolution's forward. */
  public Node convInputGrad(Node dy, Node kernel, Node x, Attrs geometry) {
    int[] s = x.shape();
    return op(OpSet.CONV_INPUT_GRAD, geometry(geometry, "input_shape",
        Arrays.copyOfRange(s, 1, s.length)), dy, kernel);
  }

  /**
   * A transposed convolution's forward: {@code conv_input_grad} for an output of per-sample shape
   * {@code outputShape}.
   */
  public Node convTranspose(Node x, Node kernel, int[] outputShape, int[] strides, int[] pads,
      int[] dilations, int groups) {
    return op(OpSet.CONV_INPUT_GRAD, geometry(convAttrs(strides, pads, dilations, groups),
        "input_shape", outputShape), x, kernel);
  }

  /** conv's gradient for the kernel. */
  public Node convKernelGrad(Node x, Node dy, int[] kernelShape, Attrs geometry) {
    return op(OpSet.CONV_KERNEL_GRAD, geometry(geometry, "kernel_shape", kernelShape), x, dy);
  }

  /** Max pooling, channels last; padded cells are ignored. */
  public Node maxPool(Node x, int[] window, int[] strides, int[] pads) {
    return op(OpSet.MAX_POOL, poolAttrs(window, strides, pads), x);
  }

  /** Average pooling, channels last; padded cells are left out of the divisor. */
  public Node avgPool(Node x, int[] window, int[] strides, int[] pads) {
    return op(OpSet.AVG_POOL, poolAttrs(window, strides, pads), x);
  }

  Node maxPoolGrad(Node x, Node dy, Attrs attrs) {
    return op(OpSet.MAX_POOL_GRAD, attrs, x, dy);
  }

  Node avgPoolGrad(Node dy, Node like, Attrs attrs) {
    return op(OpSet.AVG_POOL_GRAD, attrs, dy, like);
  }

  /** TF's {@code same} padding for these sizes (the extra cell after), as (before, after) pairs. */
  public static int[] samePads(int[] spatial, int[] window, int[] strides, int[] dilations) {
    return ConvGeometry.samePads(spatial, window, strides, dilations);
  }

  private static Attrs convAttrs(int[] strides, int[] pads, int[] dilations, int groups) {
    return Attrs.of("strides", strides.clone(), "pads", pads.clone(), "dilations",
        dilations.clone(), "groups", groups);
  }

  private static Attrs poolAttrs(int[] window, int[] strides, int[] pads) {
    return Attrs.of("window", window.clone(), "strides", strides.clone(), "pads", pads.clone());
  }

  /** The geometry attributes of a conv node, plus one shape attribute. */
  private static Attrs geometry(Attrs from, String shapeName, int[] shape) {
    Object[] kv = shapeName == null ? new Object[8] : new Object[10];
    kv[0] = "strides";
    kv[1] = from.ints("strides");
    kv[2] = "pads";
    kv[3] = from.ints("pads");
    kv[4] = "dilations";
    kv[5] = from.ints("dilations");
    kv[6] = "groups";
    kv[7] = from.i("groups");
    if (shapeName != null) {
      kv[8] = shapeName;
      kv[9] = shape.clone();
    }
    return Attrs.of(kv);
  }
}
