package dev.backplane.ops;

import java.util.Arrays;
import java.util.List;

/**
 * The leaves of a graph: fed inputs, model variables, constants, and the counter-based random
 * source that makes dropout masks identical on every backend.
 */
final class SourceOps {
  private SourceOps() {}

  /** A value fed per call: {@code input(; name, shape, dtype)}. */
  static final class Input extends Op {
    Input() {
      super("input");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("source", "input(; name, shape, dtype)",
          "a tensor fed per call (x, y, the iteration); shape may start with None (the batch)",
          "leaf");
    }

    @Override
    protected Spec infer(List<Node> inputs, Attrs attrs, String layer) {
      return new Spec(attrs.ints("shape"), DType.valueOf(attrs.s("dtype")));
    }

    @Override
    public RefTensor evaluate(List<RefTensor> inputs, Attrs attrs) {
      throw new IllegalStateException("input '" + attrs.s("name") + "' is fed, not evaluated");
    }

    @Override
    public List<Node> gradient(Ops ops, Node node, Node dy) {
      return List.of();
    }
  }

  /** Reads a model variable: {@code variable(; name, shape)}. */
  static final class Variable extends Op {
    Variable() {
      super("variable");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("source", "variable(; name, shape)",
          "the current value of a state variable (weight, moving statistic, optimizer slot)",
          "leaf (gradients are taken with respect to variables)");
    }

    @Override
    protected Spec infer(List<Node> inputs, Attrs attrs, String layer) {
      int[] shape = attrs.ints("shape");
      if (Dims.dynamic(shape)) {
        throw fail(layer, "variable '" + attrs.s("name") + "' needs a static shape, got "
            + Dims.text(shape));
      }
      return Spec.f32(shape);
    }

    @Override
    public RefTensor evaluate(List<RefTensor> inputs, Attrs attrs) {
      throw new IllegalStateException("variable '" + attrs.s("name") + "' is read, not evaluated");
    }

    @Override
    public List<Node> gradient(Ops ops, Node node, Node dy) {
      return List.of();
    }
  }

  /** A float32 constant: {@code constant(; value, shape)}. */
  static final class Constant extends Op {
    Constant() {
      super("constant");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("source", "constant(; value, shape)", "float32 values baked into the graph",
          "leaf");
    }

    @Override
    protected Spec infer(List<Node> inputs, Attrs attrs, String layer) {
      int[] shape = attrs.ints("shape");
      if (Dims.size(shape) != attrs.floats("value").length || Dims.dynamic(shape)) {
        throw fail(layer, "value count does not match shape " + Dims.text(shape));
      }
      return Spec.f32(shape);
    }

    @Override
    public RefTensor evaluate(List<RefTensor> inputs, Attrs attrs) {
      return RefTensor.of(attrs.floats("value"), attrs.ints("shape"));
    }

    @Override
    public boolean differentiable() {
      return false;
    }

    @Override
    public List<Node> gradient(Ops ops, Node node, Node dy) {
      return List.of();
    }
  }

  /**
   * {@code random_uniform(like, iteration; seed, salt)}: values in [0, 1) with 24 random bits,
   * exactly representable in float32, a pure function of (seed, iteration, salt, element index).
   */
  static final class RandomUniform extends Op {
    RandomUniform() {
      super("random_uniform");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("random", "random_uniform(like, iteration; seed, salt)",
          "shape of like; element i is (mix(key + i·0x9E3779B97F4A7C15) >>> 40) · 2^-24 with"
              + " key = mix(mix(mix(seed ^ 0x5DEECE66D) + iteration) + salt) and mix SplitMix64's"
              + " finalizer; iteration is an int32 scalar", "none");
    }

    @Override
    protected Spec infer(List<Node> inputs, Attrs attrs, String layer) {
      if (inputs.size() != 2 || inputs.get(1).rank() != 0
          || inputs.get(1).dtype() != DType.INT32) {
        throw fail(layer, "takes (like, iteration) with an int32 scalar iteration");
      }
      return Spec.f32(inputs.get(0).rawShape());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> inputs, Attrs attrs) {
      RefTensor like = inputs.get(0);
      long key = key(attrs.l("seed"), (long) inputs.get(1).data()[0], attrs.l("salt"));
      double[] out = new double[like.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = uniform(key, i);
      }
      return new RefTensor(like.shape(), out);
    }

    @Override
    public boolean differentiable() {
      return false;
    }

    @Override
    public List<Node> gradient(Ops ops, Node node, Node dy) {
      return Arrays.asList(null, null);
    }
  }

  /** The stream key of {@code random_uniform}. */
  static long key(long seed, long iteration, long salt) {
    return mix(mix(mix(seed ^ 0x5DEECE66DL) + iteration) + salt);
  }

  /** Element {@code i} of stream {@code key}: 24 random bits scaled to [0, 1). */
  static float uniform(long key, long i) {
    return (mix(key + i * 0x9E3779B97F4A7C15L) >>> 40) * 0x1.0p-24f;
  }

  /** SplitMix64's finalizer: a bijective 64-bit mix. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
