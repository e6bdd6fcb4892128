package dev.backplane.tfjava;

import dev.backplane.UnsupportedFeatureException;
import dev.backplane.ops.Attrs;
import dev.backplane.ops.DType;
import dev.backplane.ops.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Max;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Sum;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Lowers the api's op graphs ({@link dev.backplane.spi.Program}s) to TensorFlow raw ops in one TF
 * graph. Each api op maps to one or a few TF ops with the semantics of its float64 reference
 * kernel; a few patterns the api's gradient builder writes map to TF's fused kernels
 * ({@code mul(dy, greater(x, 0))} to {@code ReluGrad}, {@code add(matmul, bias)} to
 * {@code BiasAdd}, a rank-2 {@code sum} over axis 0 to {@code BiasAddGrad}).
 *
 * <p>Identical ops (same op, attributes and TF inputs) are built once, so the forward passes of
 * the train, evaluate and predict programs share their TF ops where they compute the same thing.
 * The inputs {@code x}, {@code y} and {@code iteration} are shared placeholders; each
 * {@code random_uniform} is a placeholder fed from the host with {@link dev.backplane.ops.Random}.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
final class Lowering {
  /** The op names this backend lowers. */
  static final Set<String> SUPPORTED = Set.copyOf(Arrays.asList("input", "variable", "constant",
      "random_uniform", "neg", "square", "sqrt", "rsqrt", "exp", "expm1", "log", "log1p", "tanh",
      "sigmoid", "erf", "abs", "sign", "relu", "add", "sub", "mul", "div", "maximum", "minimum",
      "pow", "greater", "greater_equal", "less", "less_equal", "equal", "where", "clip", "cast",
      "stop_gradient", "softmax", "log_softmax", "sum", "mean", "max", "matmul", "reshape",
      "transpose", "broadcast_like", "slice", "pad", "concat", "numel", "gather", "segment_sum",
      "one_hot", "broadcast_to", "conv", "conv_input_grad", "conv_kernel_grad", "max_pool",
      "max_pool_grad", "avg_pool", "avg_pool_grad"));

  /**
   * A {@code random_uniform} the host computes and feeds each step.
   *
   * @param placeholder where its values go
   * @param shape its shape, -1 for the batch axis
   * @param seed the stream seed
   * @param salt the op's salt
   */
  record RandomSource(Placeholder<TFloat32> placeholder, int[] shape, long seed, long salt) {}

  private final Ops tf;
  private final StateVariables state;
  private final String backendId;
  private final Map<Node, Operand> lowered = new IdentityHashMap<>();
  private final Map<Node, Operand<TBool>> booleans = new IdentityHashMap<>();
  private final Map<String, Operand> shared = new HashMap<>();
  private final Map<String, Placeholder> inputs = new HashMap<>();
  private final Map<Operand, RandomSource> randoms = new IdentityHashMap<>();
  private final SpatialLowering spatial;

  Lowering(Ops tf, StateVariables state, String backendId) {
    this.tf = tf;
    this.state = state;
    this.backendId = backendId;
    this.spatial = new SpatialLowering(tf, shared, backendId);
  }

  /** The placeholder of input {@code name}, or {@code null} when no program uses it. */
  Placeholder input(String name) {
    return inputs.get(name);
  }

  /**
   * Lowers everything the nodes need, in topological order (so recursion stays shallow).
   *
   * @param live the program's live nodes, in topological order
   */
  void lowerAll(List<Node> live) {
    for (Node n : live) {
      lower(n);
    }
  }

  /** The host-fed random sources among these live nodes (already lowered). */
  List<RandomSource> randomsOf(List<Node> live) {
    Set<RandomSource> out = new LinkedHashSet<>();
    for (Node n : live) {
      if (n.opName().equals("random_uniform")) {
        out.add(randoms.get(lower(n)));
      }
    }
    return new ArrayList<>(out);
  }

  /** The TF value of a float32 node. */
  Operand<TFloat32> f32(Node n) {
    return (Operand<TFloat32>) lower(n);
  }

  /** The TF value of a node (memoized). */
  Operand lower(Node n) {
    Operand done = lowered.get(n);
    if (done != null) {
      return done;
    }
    Operand out;
    try {
      out = build(n);
    } catch (UnsupportedFeatureException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalStateException("Lowering " + n + " to TensorFlow failed: " + e.getMessage(),
          e);
    }
    lowered.put(n, out);
    return out;
  }

  private Operand in(Node n, int i) {
    return lower(n.input(i));
  }

  /** Key of an op with its attributes and TF inputs, for sharing identical ops. */
  private String key(String what, Node n, Operand... ins) {
    StringBuilder sb = new StringBuilder(what).append('|');
    // Attrs print every value exactly except long float arrays, which only constants hold.
    sb.append(n.opName().equals("constant") ? Arrays.toString(n.attrs().floats("value"))
        : n.attrs().toString()).append('|');
    sb.append(Arrays.toString(n.shape())).append('|');
    for (Operand o : ins) {
      sb.append(o.op().name()).append(':').append(o.asOutput().index()).append(',');
    }
    return sb.toString();
  }

  private Operand build(Node n) {
    String op = n.opName();
    switch (op) {
      case "input":
        return input(n);
      case "variable": {
        Operand<TFloat32> read = state.reads.get(n.attrs().s("name"));
        if (read == null) {
          throw new IllegalStateException("The program reads variable '" + n.attrs().s("name")
              + "' but the model state has " + state.names);
        }
        return read;
      }
      case "random_uniform":
        return random(n);
      default:
        break;
    }
    List<Node> ins = n.inputs();
    Operand[] tfIns = new Operand[ins.size()];
    for (int i = 0; i < tfIns.length; i++) {
      tfIns[i] = lower(ins.get(i));
    }
    String k = key(op, n, tfIns);
    Operand hit = shared.get(k);
    if (hit != null) {
      return hit;
    }
    Operand out = compute(n, tfIns);
    shared.put(k, out);
    return out;
  }

  private Operand input(Node n) {
    String name = n.attrs().s("name");
    Placeholder p = inputs.get(name);
    if (p == null) {
      Class type = n.dtype() == DType.INT32 ? TInt32.class : TFloat32.class;
      p = tf.withName(name).placeholder(type, Placeholder.shape(shape(n.shape())));
      inputs.put(name, p);
    }
    return p;
  }

  private Operand random(Node n) {
    Node iteration = n.input(1);
    if (!iteration.opName().equals("input") || !iteration.attrs().s("name").equals("iteration")) {
      throw new UnsupportedFeatureException(backendId, "op 'random_uniform' keyed by " + iteration
          + (n.layer().isEmpty() ? "" : " (in layer '" + n.layer() + "')")
          + "; only the program's iteration input is supported");
    }
    long seed = n.attrs().l("seed");
    long salt = n.attrs().l("salt");
    int[] like = n.input(0).shape();
    String k = "random|" + seed + "|" + salt + "|" + Arrays.toString(like);
    Operand hit = shared.get(k);
    if (hit != null) {
      return hit;
    }
    Placeholder<TFloat32> p = tf.withName("random_uniform").placeholder(TFloat32.class,
        Placeholder.shape(shape(like)));
    RandomSource source = new RandomSource(p, like, seed, salt);
    // TF refuses to fetch a fed tensor: a program whose output is the random values themselves
    // fetches this identity instead of the placeholder.
    Operand<TFloat32> read = tf.identity(p);
    randoms.put(read, source);
    shared.put(k, read);
    return read;
  }

  /** The condition of a node as a TF bool: comparisons directly, anything else as {@code != 0}. */
  private Operand<TBool> bool(Node c) {
    Operand<TBool> b = booleans.get(c);
    if (b != null) {
      return b;
    }
    b = switch (c.opName()) {
      case "greater", "greater_equal", "less", "less_equal", "equal" -> compare(c);
      default -> tf.math.notEqual(lower(c), zeroLike(c));
    };
    booleans.put(c, b);
    return b;
  }

  private Operand<TBool> compare(Node c) {
    Operand a = in(c, 0);
    Operand b = in(c, 1);
    String k = key("bool_" + c.opName(), c, a, b);
    Operand hit = shared.get(k);
    if (hit != null) {
      return hit;
    }
    Operand<TBool> out = switch (c.opName()) {
      case "greater" -> tf.math.greater(a, b);
      case "greater_equal" -> tf.math.greaterEqual(a, b);
      case "less" -> tf.math.less(a, b);
      case "less_equal" -> tf.math.lessEqual(a, b);
      default -> tf.math.equal(a, b);
    };
    shared.put(k, out);
    return out;
  }

  private Operand zeroLike(Node c) {
    return c.dtype() == DType.INT32 ? tf.constant(0) : tf.constant(0f);
  }

  private Operand compute(Node n, Operand[] x) {
    Attrs a = n.attrs();
    switch (n.opName()) {
      case "constant": {
        float[] v = a.floats("value");
        int[] s = a.ints("shape");
        return s.length == 0 ? tf.constant(v[0])
            : tf.constant(shape(s), DataBuffers.of(v, true, false));
      }
      case "neg":
        return tf.math.neg(x[0]);
      case "square":
        return tf.math.square(x[0]);
      case "sqrt":
        return tf.math.sqrt(x[0]);
      case "rsqrt":
        return tf.math.rsqrt(x[0]);
      case "exp":
        return tf.math.exp(x[0]);
      case "expm1":
        return tf.math.expm1(x[0]);
      case "log":
        return tf.math.log(x[0]);
      case "log1p":
        return tf.math.log1p(x[0]);
      case "tanh":
        return tf.math.tanh(x[0]);
      case "sigmoid":
        return tf.math.sigmoid(x[0]);
      case "erf":
        return tf.math.erf(x[0]);
      case "abs":
        return tf.math.abs(x[0]);
      case "sign":
        return tf.math.sign(x[0]);
      case "relu":
        return tf.nn.relu(x[0]);
      case "add": {
        Operand fused = biasAdd(n);
        return fused != null ? fused : tf.math.add(x[0], x[1]);
      }
      case "sub":
        return tf.math.sub(x[0], x[1]);
      case "mul": {
        Operand fused = reluGrad(n);
        return fused != null ? fused : tf.math.mul(x[0], x[1]);
      }
      case "div":
        return tf.math.div(x[0], x[1]);
      case "maximum":
        return tf.math.maximum(x[0], x[1]);
      case "minimum":
        return tf.math.minimum(x[0], x[1]);
      case "pow":
        return tf.math.pow(x[0], x[1]);
      case "greater":
      case "greater_equal":
      case "less":
      case "less_equal":
      case "equal":
        return tf.dtypes.cast(compare(n), TFloat32.class);
      case "where":
        return tf.select(bool(n.input(0)), x[1], x[2]);
      case "clip":
        return tf.math.minimum(tf.math.maximum(x[0], tf.constant((float) a.d("min"))),
            tf.constant((float) a.d("max")));
      case "cast": {
        DType to = DType.valueOf(a.s("dtype"));
        if (to == n.input(0).dtype()) {
          return x[0];
        }
        Class type = to == DType.INT32 ? TInt32.class : TFloat32.class;
        return tf.dtypes.cast(x[0], type);
      }
      case "stop_gradient":
        return x[0];
      case "softmax":
      case "log_softmax":
        return softmax(n, x[0], n.opName().equals("log_softmax"));
      case "sum": {
        int[] axes = axes(a.ints("axes"), n.input(0).rank());
        boolean keep = a.b("keepdims", false);
        if (n.input(0).rank() == 2 && axes.length == 1 && axes[0] == 0) {
          Operand g = tf.nn.biasAddGrad(x[0]);
          return keep ? tf.reshape(g, tf.constant(new int[] {1, n.input(0).dim(1)})) : g;
        }
        return tf.sum(x[0], tf.constant(axes), Sum.keepDims(keep));
      }
      case "mean":
        return tf.math.mean(x[0], tf.constant(axes(a.ints("axes"), n.input(0).rank())),
            Mean.keepDims(a.b("keepdims", false)));
      case "max":
        return tf.max(x[0], tf.constant(axes(a.ints("axes"), n.input(0).rank())),
            Max.keepDims(a.b("keepdims", false)));
      case "matmul":
        return tf.linalg.matMul(x[0], x[1], MatMul.transposeA(a.b("transpose_a", false)),
            MatMul.transposeB(a.b("transpose_b", false)));
      case "reshape":
        return tf.reshape(x[0], tf.constant(n.shape()));
      case "transpose":
        return tf.linalg.transpose(x[0], tf.constant(a.ints("perm")));
      case "broadcast_like": {
        Node like = n.input(1);
        if (Arrays.equals(n.input(0).shape(), like.shape())) {
          return x[0];
        }
        Operand target = dynamic(like.shape()) ? tf.shape(x[1]) : tf.constant(like.shape());
        return tf.broadcastTo(x[0], target);
      }
      case "broadcast_to":
        return broadcastTo(n, x[0]);
      case "conv":
        return spatial.conv(n, x[0], x[1]);
      case "conv_input_grad":
        return spatial.convInputGrad(n, x[0], x[1]);
      case "conv_kernel_grad":
        return spatial.convKernelGrad(n, x[0], x[1]);
      case "max_pool":
        return spatial.pool(n, x[0], true);
      case "avg_pool":
        return spatial.pool(n, x[0], false);
      case "max_pool_grad":
        return spatial.maxPoolGrad(n, x[0], x[1]);
      case "avg_pool_grad":
        return spatial.avgPoolGrad(n, x[0]);
      case "slice":
        return tf.slice(x[0], tf.constant(a.ints("begin")), tf.constant(a.ints("size")));
      case "pad": {
        int[] p = a.ints("paddings");
        int[][] pairs = new int[p.length / 2][];
        for (int i = 0; i < pairs.length; i++) {
          pairs[i] = new int[] {p[2 * i], p[2 * i + 1]};
        }
        Operand value = n.dtype() == DType.INT32 ? tf.constant((int) a.d("value"))
            : tf.constant((float) a.d("value"));
        return tf.pad(x[0], tf.constant(pairs), value);
      }
      case "concat": {
        List<Operand> parts = new ArrayList<>(Arrays.asList(x));
        return tf.concat((List) parts,
            tf.constant(axis(a.i("axis"), n.input(0).rank())));
      }
      case "numel":
        return numel(n, x[0]);
      case "gather":
        return tf.gather(x[0], x[1], tf.constant(0));
      case "segment_sum":
        return tf.math.unsortedSegmentSum(x[0], x[1], tf.constant(a.i("num_segments")));
      case "one_hot":
        return tf.oneHot(x[0], tf.constant(a.i("depth")), tf.constant(1f), tf.constant(0f));
      default:
        throw new UnsupportedFeatureException(backendId, "op '" + n.opName() + "'"
            + (n.layer().isEmpty() ? "" : " (in layer '" + n.layer() + "')"));
    }
  }

  /**
   * {@code broadcast_to(x; shape)}: TF's BroadcastTo to the node's shape; a dynamic axis (a -1
   * that kept x's unknown dimension) takes its size from x at run time.
   */
  private Operand broadcastTo(Node n, Operand x) {
    int[] out = n.shape();
    int[] in = n.input(0).shape();
    if (Arrays.equals(out, in)) {
      return x;
    }
    if (!dynamic(out)) {
      return tf.broadcastTo(x, tf.constant(out));
    }
    int off = out.length - in.length;
    List<Operand> dims = new ArrayList<>();
    Operand xs = null;
    for (int i = 0; i < out.length; i++) {
      if (out[i] >= 0) {
        dims.add(tf.constant(new int[] {out[i]}));
      } else {
        xs = xs == null ? tf.shape(x) : xs;
        dims.add(tf.slice(xs, tf.constant(new int[] {i - off}), tf.constant(new int[] {1})));
      }
    }
    return tf.broadcastTo(x, tf.concat((List) dims, tf.constant(0)));
  }

  /** {@code add(matmul(..), bias)} with a rank-1 bias over the last axis: MatMul + BiasAdd. */
  private Operand biasAdd(Node n) {
    for (int i = 0; i < 2; i++) {
      Node m = n.input(i);
      Node b = n.input(1 - i);
      if (m.opName().equals("matmul") && b.rank() == 1 && b.dim(0) == m.dim(1)
          && b.dim(0) >= 0) {
        return tf.nn.biasAdd(lower(m), lower(b));
      }
    }
    return null;
  }

  /** {@code mul(dy, greater(x, 0))} with dy and x of the output's shape: ReluGrad. */
  private Operand reluGrad(Node n) {
    for (int i = 0; i < 2; i++) {
      Node dy = n.input(i);
      Node g = n.input(1 - i);
      if (g.opName().equals("greater") && isZeroScalar(g.input(1))
          && Arrays.equals(dy.shape(), n.shape()) && Arrays.equals(g.input(0).shape(), n.shape())
          && dy.dtype() == DType.FLOAT32) {
        return tf.nn.reluGrad(lower(dy), lower(g.input(0)));
      }
    }
    return null;
  }

  private static boolean isZeroScalar(Node c) {
    if (!c.opName().equals("constant")) {
      return false;
    }
    float[] v = c.attrs().floats("value");
    return v.length == 1 && v[0] == 0f && c.rank() == 0;
  }

  private Operand softmax(Node n, Operand x, boolean log) {
    int rank = n.rank();
    int axis = axis(n.attrs().i("axis"), rank);
    if (axis == rank - 1) {
      return log ? tf.nn.logSoftmax(x) : tf.nn.softmax(x);
    }
    int[] perm = new int[rank];
    for (int i = 0; i < rank; i++) {
      perm[i] = i;
    }
    perm[axis] = rank - 1;
    perm[rank - 1] = axis; // a swap is its own inverse
    Operand moved = tf.linalg.transpose(x, tf.constant(perm));
    Operand s = log ? tf.nn.logSoftmax(moved) : tf.nn.softmax(moved);
    return tf.linalg.transpose(s, tf.constant(perm));
  }

  private Operand numel(Node n, Operand x) {
    Node in = n.input(0);
    int[] axes = axes(n.attrs().ints("axes"), in.rank());
    long count = 1;
    boolean known = true;
    for (int ax : axes) {
      if (in.dim(ax) < 0) {
        known = false;
      } else {
        count *= in.dim(ax);
      }
    }
    if (known) {
      return tf.constant((float) count);
    }
    Operand dims = tf.gather(tf.shape(x), tf.constant(axes), tf.constant(0));
    return tf.dtypes.cast(tf.prod(dims, tf.constant(0)), TFloat32.class);
  }

  private static int axis(int a, int rank) {
    return a < 0 ? a + rank : a;
  }

  private static int[] axes(int[] axes, int rank) {
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      out[i] = axis(axes[i], rank);
    }
    return out;
  }

  private static boolean dynamic(int[] shape) {
    for (int d : shape) {
      if (d < 0) {
        return true;
      }
    }
    return false;
  }

  static Shape shape(int[] dims) {
    return StateVariables.shapeOf(dims);
  }
}
