package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code LayerNormalization}: each sample normalized over {@code axis},
 * {@code y = gamma (x - mean) / sqrt(var + epsilon) + beta} with the sample's mean and biased
 * variance, the same in training and inference. {@code gamma} and {@code beta} are shaped like
 * the normalized axes, as in Keras. Defaults as in Keras: axis -1, epsilon 1e-3, center and scale.
 *
 * @param axis the normalized axes on the batched shape (negative from the end; 0 is the batch)
 * @param epsilon added to the variance, positive
 * @param center whether to add {@code beta}
 * @param scale whether to multiply by {@code gamma}
 * @param name the layer name, or {@code null} for an automatic one
 */
public record LayerNormalization(int[] axis, double epsilon, boolean center, boolean scale,
    String name) implements Layer {
  private static final String CLS = "LayerNormalization";

  /** Validates and copies the configuration. */
  public LayerNormalization {
    Objects.requireNonNull(axis, "axis");
    if (axis.length == 0) {
      throw new IllegalArgumentException(CLS + " needs at least one axis");
    }
    axis = axis.clone();
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException(CLS + " epsilon must be positive, got " + epsilon);
    }
  }

  /** {@code LayerNormalization()} with Keras's defaults. */
  public LayerNormalization() {
    this(new int[] {-1}, 1e-3, true, true, null);
  }

  /** {@code LayerNormalization(axis, epsilon)}. */
  public LayerNormalization(int axis, double epsilon) {
    this(new int[] {axis}, epsilon, true, true, null);
  }

  @Override
  public int[] axis() {
    return axis.clone();
  }

  @Override
  public String kerasClass() {
    return CLS;
  }

  @Override
  public LayerNormalization withName(String newName) {
    return new LayerNormalization(axis, epsilon, center, scale, newName);
  }

  /** The normalized axes as sorted per-sample indices. */
  private int[] axes(int[] in) {
    int[] a = new int[axis.length];
    for (int i = 0; i < a.length; i++) {
      a[i] = Norms.axis(name, CLS, axis[i], in);
    }
    Arrays.sort(a);
    for (int i = 1; i < a.length; i++) {
      if (a[i] == a[i - 1]) {
        throw new IllegalArgumentException(Spatial.who(name, CLS) + " axis "
            + Arrays.toString(axis) + " names an axis twice");
      }
    }
    return a;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    axes(inputShape);
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    int[] a = axes(inputShape);
    int[] shape = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      shape[i] = inputShape[a[i]];
    }
    List<ParameterSpec> p = new ArrayList<>(2);
    if (scale) {
      p.add(new ParameterSpec("gamma", shape, Initializer.ONES));
    }
    if (center) {
      p.add(new ParameterSpec("beta", shape, Initializer.ZEROS));
    }
    return p;
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    int[] perSample = Arrays.copyOfRange(x.shape(), 1, x.rank());
    int[] a = axes(perSample);
    int[] batched = new int[a.length];
    int[] dims = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      batched[i] = a[i] + 1;
      dims[i] = perSample[a[i]];
    }
    Node mean = ops.mean(x, batched, true);
    Node variance = ops.mean(ops.square(ops.sub(x, mean)), batched, true);
    return Norms.normalize(ops, ctx, x, mean, variance, epsilon, scale, center,
        Norms.broadcastShape(x.rank(), batched, dims));
  }
}
