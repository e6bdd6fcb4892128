package dev.backplane.ops;

import dev.backplane.model.Erf;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The op set: every primitive a backend may be asked to run, by name. Layers, losses,
 * optimizers and gradients are all built from these; {@code backplane ops} prints the table.
 */
public final class OpSet {
  private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

  static final Op INPUT = new SourceOps.Input();
  static final Op VARIABLE = new SourceOps.Variable();
  static final Op CONSTANT = new SourceOps.Constant();
  static final Op RANDOM_UNIFORM = new SourceOps.RandomUniform();

  static final Op NEG = new UnaryOp("neg", "-x", x -> -x, "-dy", (o, x, y, dy) -> o.neg(dy));
  static final Op SQUARE = new UnaryOp("square", "x²", x -> x * x, "2x · dy",
      (o, x, y, dy) -> o.mul(dy, o.mul(o.scalar(2), x)));
  static final Op SQRT = new UnaryOp("sqrt", "√x", Math::sqrt, "dy · 0.5 / y",
      (o, x, y, dy) -> o.div(o.mul(dy, o.scalar(0.5)), y));
  static final Op RSQRT = new UnaryOp("rsqrt", "1/√x", x -> 1 / Math.sqrt(x), "dy · -0.5 · y³",
      (o, x, y, dy) -> o.mul(dy, o.mul(o.scalar(-0.5), o.mul(y, o.square(y)))));
  static final Op EXP = new UnaryOp("exp", "eˣ", Math::exp, "dy · y", (o, x, y, dy) -> o.mul(dy, y));
  static final Op EXPM1 = new UnaryOp("expm1", "eˣ - 1", Math::expm1, "dy · (y + 1)",
      (o, x, y, dy) -> o.mul(dy, o.add(y, o.scalar(1))));
  static final Op LOG = new UnaryOp("log", "ln x", Math::log, "dy / x",
      (o, x, y, dy) -> o.div(dy, x));
  static final Op LOG1P = new UnaryOp("log1p", "ln(1 + x)", Math::log1p, "dy / (1 + x)",
      (o, x, y, dy) -> o.div(dy, o.add(x, o.scalar(1))));
  static final Op TANH = new UnaryOp("tanh", "tanh x", Math::tanh, "dy · (1 - y²)",
      (o, x, y, dy) -> o.mul(dy, o.sub(o.scalar(1), o.square(y))));
  static final Op SIGMOID = new UnaryOp("sigmoid", "1 / (1 + e⁻ˣ)", x -> 1 / (1 + Math.exp(-x)),
      "dy · y · (1 - y)", (o, x, y, dy) -> o.mul(dy, o.mul(y, o.sub(o.scalar(1), y))));
  static final Op ERF = new UnaryOp("erf", "the error function", Erf::erf,
      "dy · 2/√π · exp(-x²)",
      (o, x, y, dy) -> o.mul(dy, o.mul(o.scalar(TWO_OVER_SQRT_PI), o.exp(o.neg(o.square(x))))));
  static final Op ABS = new UnaryOp("abs", "|x|", Math::abs, "dy · sign(x)",
      (o, x, y, dy) -> o.mul(dy, o.sign(x)));
  static final Op SIGN = new UnaryOp("sign", "-1, 0 or 1", Math::signum, "none", null);
  static final Op RELU = new UnaryOp("relu", "max(x, 0)", x -> x > 0 ? x : 0,
      "dy · greater(x, 0)", (o, x, y, dy) -> o.mul(dy, o.greater(x, o.scalar(0))));

  static final Op ADD = new BinaryOp("add", "a + b", Double::sum, "dy, dy",
      (o, a, b, y, dy) -> new Node[] {dy, dy});
  static final Op SUB = new BinaryOp("sub", "a - b", (a, b) -> a - b, "dy, -dy",
      (o, a, b, y, dy) -> new Node[] {dy, o.neg(dy)});
  static final Op MUL = new BinaryOp("mul", "a · b", (a, b) -> a * b, "dy · b, dy · a",
      (o, a, b, y, dy) -> new Node[] {o.mul(dy, b), o.mul(dy, a)});
  static final Op DIV = new BinaryOp("div", "a / b", (a, b) -> a / b, "dy / b, -dy · y / b",
      (o, a, b, y, dy) -> new Node[] {o.div(dy, b), o.neg(o.div(o.mul(dy, y), b))});
  static final Op MAXIMUM = new BinaryOp("maximum", "max(a, b)", Math::max,
      "dy · (a >= b), dy · (a < b)", (o, a, b, y, dy) -> new Node[] {
          o.mul(dy, o.greaterEqual(a, b)), o.mul(dy, o.less(a, b))});
  static final Op MINIMUM = new BinaryOp("minimum", "min(a, b)", Math::min,
      "dy · (a <= b), dy · (a > b)", (o, a, b, y, dy) -> new Node[] {
          o.mul(dy, o.lessEqual(a, b)), o.mul(dy, o.greater(a, b))});
  static final Op POW = new BinaryOp("pow", "aᵇ", Math::pow,
      "dy · b · a^(b-1), dy · y · ln a (0 where a <= 0)", (o, a, b, y, dy) -> new Node[] {
          o.mul(dy, o.mul(b, o.pow(a, o.sub(b, o.scalar(1))))),
          o.where(o.greater(a, o.scalar(0)), o.mul(dy, o.mul(y, o.log(a))), o.zerosLike(y))});
  static final Op GREATER = new BinaryOp("greater", "1 if a > b else 0",
      (a, b) -> a > b ? 1 : 0, "none", null);
  static final Op GREATER_EQUAL = new BinaryOp("greater_equal", "1 if a >= b else 0",
      (a, b) -> a >= b ? 1 : 0, "none", null);
  static final Op LESS = new BinaryOp("less", "1 if a < b else 0", (a, b) -> a < b ? 1 : 0,
      "none", null);
  static final Op LESS_EQUAL = new BinaryOp("less_equal", "1 if a <= b else 0",
      (a, b) -> a <= b ? 1 : 0, "none", null);
  static final Op EQUAL = new BinaryOp("equal", "1 if a == b else 0", (a, b) -> a == b ? 1 : 0,
      "none", null);

  static final Op WHERE = new SelectOps.Where();
  static final Op CLIP = new SelectOps.Clip();
  static final Op CAST = new SelectOps.Cast();
  static final Op STOP_GRADIENT = new SelectOps.StopGradient();
  static final Op SOFTMAX = new SoftmaxOp(false);
  static final Op LOG_SOFTMAX = new SoftmaxOp(true);
  static final Op SUM = new ReduceOp(ReduceOp.Kind.SUM);
  static final Op MEAN = new ReduceOp(ReduceOp.Kind.MEAN);
  static final Op MAX = new ReduceOp(ReduceOp.Kind.MAX);
  static final Op MATMUL = new MatMulOp();
  static final Op RESHAPE = new ShapeOps.Reshape();
  static final Op TRANSPOSE = new ShapeOps.Transpose();
  static final Op BROADCAST_LIKE = new ShapeOps.BroadcastLike();
  static final Op SLICE = new ShapeOps.Slice();
  static final Op PAD = new ShapeOps.Pad();
  static final Op CONCAT = new ShapeOps.Concat();
  static final Op NUMEL = new ShapeOps.Numel();
  static final Op GATHER = new IndexOps.Gather();
  static final Op SEGMENT_SUM = new IndexOps.SegmentSum();
  static final Op ONE_HOT = new IndexOps.OneHot();
  static final Op BROADCAST_TO = new ShapeOps.BroadcastTo();
  static final Op CONV = new ConvOps.Conv();
  static final Op CONV_INPUT_GRAD = new ConvOps.ConvInputGrad();
  static final Op CONV_KERNEL_GRAD = new ConvOps.ConvKernelGrad();
  static final Op MAX_POOL = new PoolOps.Pool(true);
  static final Op MAX_POOL_GRAD = new PoolOps.MaxPoolGrad();
  static final Op AVG_POOL = new PoolOps.Pool(false);
  static final Op AVG_POOL_GRAD = new PoolOps.AvgPoolGrad();

  private static final Map<String, Op> BY_NAME;

  static {
    Map<String, Op> map = new LinkedHashMap<>();
    for (Op op : new Op[] {INPUT, VARIABLE, CONSTANT, RANDOM_UNIFORM, NEG, SQUARE, SQRT, RSQRT,
        EXP, EXPM1, LOG, LOG1P, TANH, SIGMOID, ERF, ABS, SIGN, RELU, ADD, SUB, MUL, DIV, MAXIMUM,
        MINIMUM, POW, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL, EQUAL, WHERE, CLIP, CAST,
        STOP_GRADIENT, SOFTMAX, LOG_SOFTMAX, SUM, MEAN, MAX, MATMUL, RESHAPE, TRANSPOSE,
        BROADCAST_LIKE, BROADCAST_TO, SLICE, PAD, CONCAT, NUMEL, GATHER, SEGMENT_SUM, ONE_HOT,
        CONV, CONV_INPUT_GRAD, CONV_KERNEL_GRAD, MAX_POOL, MAX_POOL_GRAD, AVG_POOL,
        AVG_POOL_GRAD}) {
      map.put(op.name(), op);
    }
    BY_NAME = Collections.unmodifiableMap(map);
  }

  private OpSet() {}

  /** Every op, in table order. */
  public static List<Op> all() {
    return new ArrayList<>(BY_NAME.values());
  }

  /** The names of every op, in table order. */
  public static List<String> names() {
    return new ArrayList<>(BY_NAME.keySet());
  }

  /**
   * The op with this name.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static Op get(String name) {
    Op op = BY_NAME.get(name);
    if (op == null) {
      throw new IllegalArgumentException("Unknown op '" + name + "'. Known ops: " + names());
    }
    return op;
  }
}
