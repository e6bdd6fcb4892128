package dev.backplane.model;

import dev.backplane.ops.DType;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code Embedding}: integer indices in {@code [0, inputDim)} to rows of the
 * {@code embeddings} weight, shaped {@code (input_dim, output_dim)}; an input {@code (batch, L)}
 * becomes {@code (batch, L, output_dim)}. Inputs arrive as floats and are cast to int32. When an
 * Embedding is a Sequential model's first layer, {@code fit}, {@code evaluate} and
 * {@code predict} reject indices outside {@code [0, inputDim)} or not integral before any work.
 * Default initializer as in Keras: uniform in {@code [-0.05, 0.05]}. {@code mask_zero} is not
 * supported (there is no masking).
 *
 * @param inputDim the vocabulary size, at least 1
 * @param outputDim the embedding size, at least 1
 * @param embeddingsInitializer how the embeddings are drawn
 * @param maskZero must be false
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Embedding(int inputDim, int outputDim, Initializer embeddingsInitializer,
    boolean maskZero, String name) implements Layer {
  /** Validates the configuration. */
  public Embedding {
    if (inputDim < 1 || outputDim < 1) {
      throw new IllegalArgumentException("Embedding input_dim and output_dim must be at least 1,"
          + " got input_dim=" + inputDim + ", output_dim=" + outputDim);
    }
    Objects.requireNonNull(embeddingsInitializer, "embeddingsInitializer");
    if (maskZero) {
      throw new IllegalArgumentException("Embedding mask_zero=True is not supported: Backplane"
          + " has no masking. Use mask_zero=False and reserve index 0 yourself, or pad with an"
          + " index whose row you ignore");
    }
  }

  /** {@code Embedding(input_dim, output_dim)}. */
  public Embedding(int inputDim, int outputDim) {
    this(inputDim, outputDim, Initializer.RANDOM_UNIFORM, false, null);
  }

  @Override
  public String kerasClass() {
    return "Embedding";
  }

  @Override
  public Embedding withName(String newName) {
    return new Embedding(inputDim, outputDim, embeddingsInitializer, maskZero, newName);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    int[] out = java.util.Arrays.copyOf(inputShape, inputShape.length + 1);
    out[inputShape.length] = outputDim;
    return out;
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return List.of(new ParameterSpec("embeddings", new int[] {inputDim, outputDim},
        embeddingsInitializer));
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    return ops.gather(ctx.weight("embeddings"), ops.cast(x, DType.INT32));
  }

  /**
   * Checks every value of {@code data} is an integer index in {@code [0, inputDim)}.
   *
   * @throws IllegalArgumentException naming the first bad value, its row and the fix
   */
  void checkIndices(float[] data, int offset, int size, int rowSize, String what) {
    for (int i = 0; i < size; i++) {
      float v = data[offset + i];
      if (!(v >= 0 && v < inputDim) || v != Math.rint(v)) {
        throw new IllegalArgumentException(what + " has " + v + " at row "
            + (rowSize == 0 ? 0 : i / rowSize) + ", but layer '" + name + "' (Embedding) needs"
            + " integer indices in [0, " + inputDim + ") (input_dim=" + inputDim + "); "
            + (v == Math.rint(v) ? "raise input_dim or remap the index"
                : "round the data to integer indices"));
      }
    }
  }
}
