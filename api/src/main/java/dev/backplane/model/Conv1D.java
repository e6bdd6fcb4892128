package dev.backplane.model;

import dev.backplane.ops.Node;
import java.util.List;

/**
 * Keras's {@code Conv1D}: a 1-D convolution, {@code y = activation(conv(x, kernel) + bias)}, with
 * the kernel shaped {@code (k, in_channels / groups, filters)} as in Keras. Defaults as in
 * Keras: strides 1, {@code padding='valid'}, {@code channels_last}, dilation 1, one group, linear
 * activation, a bias, {@code glorot_uniform} kernel and {@code zeros} bias. Unlike Keras, strides
 * and dilation above 1 may be combined.
 *
 * @param filters output channels, at least 1 and a multiple of {@code groups}
 * @param kernelSize the window length
 * @param strides the step
 * @param padding {@code valid}, {@code same} or {@code causal} (output t sees inputs up to t)
 * @param dataFormat where the channel axis lies
 * @param dilationRate the dilation
 * @param groups channel groups; input channels must be a multiple
 * @param activation applied to the output
 * @param useBias whether the layer adds a bias
 * @param kernelInitializer how the kernel is drawn
 * @param biasInitializer how the bias is drawn
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Conv1D(int filters, int[] kernelSize, int[] strides, Padding padding,
    DataFormat dataFormat, int[] dilationRate, int groups, Activation activation, boolean useBias,
    Initializer kernelInitializer, Initializer biasInitializer, String name) implements Layer {
  private static final int RANK = 1;
  private static final String CLS = "Conv1D";

  /** Validates and copies the configuration. */
  public Conv1D {
    kernelSize = Spatial.positive(CLS, "kernel_size", kernelSize, RANK);
    strides = Spatial.positive(CLS, "strides", strides, RANK);
    dilationRate = Spatial.positive(CLS, "dilation_rate", dilationRate, RANK);
    ConvCore.validate(CLS, RANK, filters, kernelSize, strides, dilationRate, groups, padding,
        dataFormat, activation, kernelInitializer, biasInitializer);
  }

  /** {@code Conv1D(filters, kernel_size)} with Keras's defaults. */
  public Conv1D(int filters, int kernelSize) {
    this(filters, kernelSize, Activation.LINEAR);
  }

  /** {@code Conv1D(filters, kernel_size, activation=...)}. */
  public Conv1D(int filters, int kernelSize, Activation activation) {
    this(filters, new int[] {kernelSize}, new int[] {1}, Padding.VALID, DataFormat.CHANNELS_LAST,
        new int[] {1}, 1, activation, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS, null);
  }

  /** {@code Conv1D(filters, kernel_size, activation="relu")}, the activation by Keras name. */
  public Conv1D(int filters, int kernelSize, String activation) {
    this(filters, kernelSize, Activation.of(activation));
  }

  /** A copy with these strides . */
  public Conv1D withStrides(int... s) {
    return new Conv1D(filters, kernelSize, s, padding, dataFormat, dilationRate, groups,
        activation, useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy with this padding ({@code "valid"}, {@code "same"} or {@code "causal"}). */
  public Conv1D withPadding(String p) {
    return new Conv1D(filters, kernelSize, strides, Padding.of(p), dataFormat, dilationRate,
        groups, activation, useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy with this kernel size. */
  public Conv1D withKernelSize(int... k) {
    return new Conv1D(filters, k, strides, padding, dataFormat, dilationRate, groups,
        activation, useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy with this dilation rate. */
  public Conv1D withDilationRate(int... d) {
    return new Conv1D(filters, kernelSize, strides, padding, dataFormat, d, groups, activation,
        useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy with this many groups. */
  public Conv1D withGroups(int g) {
    return new Conv1D(filters, kernelSize, strides, padding, dataFormat, dilationRate, g,
        activation, useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy with this data format ({@code "channels_last"} or {@code "channels_first"}). */
  public Conv1D withDataFormat(String f) {
    return new Conv1D(filters, kernelSize, strides, padding, DataFormat.of(f), dilationRate,
        groups, activation, useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy with these initializers. */
  public Conv1D withInitializers(Initializer kernel, Initializer bias) {
    return new Conv1D(filters, kernelSize, strides, padding, dataFormat, dilationRate, groups,
        activation, useBias, kernel, bias, name);
  }

  /** A copy without a bias. */
  public Conv1D withoutBias() {
    return new Conv1D(filters, kernelSize, strides, padding, dataFormat, dilationRate, groups,
        activation, false, kernelInitializer, biasInitializer, name);
  }

  @Override
  public int[] kernelSize() {
    return kernelSize.clone();
  }

  @Override
  public int[] strides() {
    return strides.clone();
  }

  @Override
  public int[] dilationRate() {
    return dilationRate.clone();
  }

  @Override
  public String kerasClass() {
    return CLS;
  }

  @Override
  public Conv1D withName(String newName) {
    return new Conv1D(filters, kernelSize, strides, padding, dataFormat, dilationRate, groups,
        activation, useBias, kernelInitializer, biasInitializer, newName);
  }

  private Spatial geometry() {
    return ConvCore.geometry(name, CLS, RANK, kernelSize, strides, dilationRate, padding,
        dataFormat);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    return ConvCore.outputShape(geometry(), inputShape, filters, groups);
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    return ConvCore.parameters(geometry(), inputShape, filters, groups, useBias,
        kernelInitializer, biasInitializer);
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    return ConvCore.call(ctx, geometry(), x, groups, useBias, activation);
  }
}
