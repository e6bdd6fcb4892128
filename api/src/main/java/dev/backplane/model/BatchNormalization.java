package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code BatchNormalization}: {@code y = gamma (x - mean) / sqrt(var + epsilon) + beta}
 * per channel ({@code axis}). In training the mean and the biased variance are the batch's, over
 * every axis but the channel axis, and after the step the moving statistics become
 * {@code moving · momentum + batch · (1 - momentum)}; in evaluation, prediction and inside a
 * {@link Frozen} layer the moving statistics are used and left alone. Weights in Keras's order:
 * {@code gamma} (if scale), {@code beta} (if center), then the non-trainable
 * {@code moving_mean} (zeros) and {@code moving_variance} (ones). Defaults as in Keras: axis -1,
 * momentum 0.99, epsilon 1e-3, center and scale.
 *
 * @param axis the channel axis on the batched shape (negative from the end; 0 is the batch)
 * @param momentum the moving statistics' momentum, in [0, 1]
 * @param epsilon added to the variance, positive
 * @param center whether to add {@code beta}
 * @param scale whether to multiply by {@code gamma}
 * @param betaInitializer how beta is drawn
 * @param gammaInitializer how gamma is drawn
 * @param name the layer name, or {@code null} for an automatic one
 */
public record BatchNormalization(int axis, double momentum, double epsilon, boolean center,
    boolean scale, Initializer betaInitializer, Initializer gammaInitializer, String name)
    implements Layer {
  private static final String CLS = "BatchNormalization";

  /** Validates the configuration. */
  public BatchNormalization {
    if (!(momentum >= 0 && momentum <= 1)) {
      throw new IllegalArgumentException(CLS + " momentum must be in [0, 1], got " + momentum);
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException(CLS + " epsilon must be positive, got " + epsilon);
    }
    Objects.requireNonNull(betaInitializer, "betaInitializer");
    Objects.requireNonNull(gammaInitializer, "gammaInitializer");
  }

  /** {@code BatchNormalization()} with Keras's defaults. */
  public BatchNormalization() {
    this(-1, 0.99, 1e-3);
  }

  /** {@code BatchNormalization(axis, momentum, epsilon)}. */
  public BatchNormalization(int axis, double momentum, double epsilon) {
    this(axis, momentum, epsilon, true, true, Initializer.ZEROS, Initializer.ONES, null);
  }

  @Override
  public String kerasClass() {
    return CLS;
  }

  @Override
  public BatchNormalization withName(String newName) {
    return new BatchNormalization(axis, momentum, epsilon, center, scale, betaInitializer,
        gammaInitializer, newName);
  }

  /** The channel axis in the per-sample shape. */
  private int channelAxis(int[] in) {
    return Norms.axis(name, CLS, axis, in);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    channelAxis(inputShape);
    return inputShape.clone();
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    int[] c = {inputShape[channelAxis(inputShape)]};
    List<ParameterSpec> p = new ArrayList<>(4);
    if (scale) {
      p.add(new ParameterSpec("gamma", c, gammaInitializer));
    }
    if (center) {
      p.add(new ParameterSpec("beta", c, betaInitializer));
    }
    p.add(new ParameterSpec("moving_mean", c, Initializer.ZEROS, false));
    p.add(new ParameterSpec("moving_variance", c, Initializer.ONES, false));
    return p;
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    int rank = x.rank();
    int a = channelAxis(java.util.Arrays.copyOfRange(x.shape(), 1, rank)) + 1;
    int c = x.dim(a);
    int[] bshape = Norms.broadcastShape(rank, new int[] {a}, new int[] {c});
    Node mean;
    Node variance;
    if (ctx.updatesStatistics()) {
      int[] axes = new int[rank - 1];
      for (int i = 0, k = 0; i < rank; i++) {
        if (i != a) {
          axes[k++] = i;
        }
      }
      mean = ops.mean(x, axes, true);
      variance = ops.mean(ops.square(ops.sub(x, mean)), axes, true);
      Node m = ops.scalar(momentum);
      Node rest = ops.scalar(1 - momentum);
      ctx.updateState("moving_mean", ops.add(ops.mul(ctx.weight("moving_mean"), m),
          ops.mul(ops.reshape(mean, c), rest)));
      ctx.updateState("moving_variance", ops.add(ops.mul(ctx.weight("moving_variance"), m),
          ops.mul(ops.reshape(variance, c), rest)));
    } else {
      mean = ops.reshape(ctx.weight("moving_mean"), bshape);
      variance = ops.reshape(ctx.weight("moving_variance"), bshape);
    }
    return Norms.normalize(ops, ctx, x, mean, variance, epsilon, scale, center, bshape);
  }
}
