package dev.backplane.model;

import dev.backplane.ops.Ops;

import dev.backplane.ops.Node;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A fully connected layer, Keras's {@code Dense}: {@code y = activation(x · kernel + bias)} with
 * the kernel shaped {@code (inputs, units)}. Defaults as in Keras: linear activation, a bias,
 * {@code glorot_uniform} kernel, {@code zeros} bias.
 *
 * @param units output size, at least 1
 * @param activation applied to the output
 * @param useBias whether the layer adds a bias
 * @param kernelInitializer how the kernel is drawn
 * @param biasInitializer how the bias is drawn
 * @param name the layer name, or {@code null} to let the model assign {@code dense}, {@code dense_1}, ...
 */
public record Dense(int units, Activation activation, boolean useBias,
    Initializer kernelInitializer, Initializer biasInitializer, String name) implements Layer {

  /** Validates the configuration. */
  public Dense {
    if (units < 1) {
      throw new IllegalArgumentException("Dense units must be at least 1, got " + units);
    }
    Objects.requireNonNull(activation, "activation");
    Objects.requireNonNull(kernelInitializer, "kernelInitializer");
    Objects.requireNonNull(biasInitializer, "biasInitializer");
  }

  /** {@code Dense(units)} with a linear activation. */
  public Dense(int units) {
    this(units, Activation.LINEAR);
  }

  /** {@code Dense(units, activation=...)}. */
  public Dense(int units, Activation activation) {
    this(units, activation, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS, null);
  }

  /** {@code Dense(units, activation="relu")}, the activation by Keras name. */
  public Dense(int units, String activation) {
    this(units, Activation.of(activation));
  }

  @Override
  public String kerasClass() {
    return "Dense";
  }

  @Override
  public Dense withName(String newName) {
    return new Dense(units, activation, useBias, kernelInitializer, biasInitializer, newName);
  }

  /** A copy without a bias. */
  public Dense withoutBias() {
    return new Dense(units, activation, false, kernelInitializer, biasInitializer, name);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    inputs(inputShape);
    return new int[] {units};
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    List<ParameterSpec> p = new ArrayList<>(2);
    p.add(new ParameterSpec("kernel", new int[] {inputs(inputShape), units}, kernelInitializer));
    if (useBias) {
      p.add(new ParameterSpec("bias", new int[] {units}, biasInitializer));
    }
    return p;
  }

  private int inputs(int[] inputShape) {
    if (inputShape.length != 1) {
      throw new IllegalArgumentException("Layer '" + name + "' (Dense) expects one feature axis per"
          + " sample but its input has shape " + Shapes.withBatch(inputShape)
          + "; add a Flatten layer before it");
    }
    return inputShape[0];
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Ops ops = ctx.ops();
    Node y = ops.matmul(x, ctx.weight("kernel"));
    if (useBias) {
      y = ops.add(y, ctx.weight("bias"));
    }
    return activation.build(ops, y);
  }
}
