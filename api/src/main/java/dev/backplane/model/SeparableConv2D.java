package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras's {@code SeparableConv2D}: a depthwise convolution (weight {@code depthwise_kernel},
 * {@code (kh, kw, in_channels, depth_multiplier)}) followed by a 1×1 pointwise convolution
 * (weight {@code pointwise_kernel}, {@code (1, 1, in_channels · depth_multiplier, filters)}), then
 * the bias ({@code filters}) and the activation. Strides, padding and dilation apply to the
 * depthwise step. Defaults as in Keras.
 *
 * @param filters output channels, at least 1
 * @param kernelSize the depthwise window, (kh, kw); one value is used for both axes
 * @param strides the step, (sh, sw)
 * @param padding {@code valid} or {@code same}
 * @param dataFormat where the channel axis lies
 * @param dilationRate the dilation, (dh, dw)
 * @param depthMultiplier depthwise filters per input channel, at least 1
 * @param activation applied to the output
 * @param useBias whether the layer adds a bias
 * @param depthwiseInitializer how the depthwise kernel is drawn
 * @param pointwiseInitializer how the pointwise kernel is drawn
 * @param biasInitializer how the bias is drawn
 * @param name the layer name, or {@code null} for an automatic one
 */
public record SeparableConv2D(int filters, int[] kernelSize, int[] strides, Padding padding,
    DataFormat dataFormat, int[] dilationRate, int depthMultiplier, Activation activation,
    boolean useBias, Initializer depthwiseInitializer, Initializer pointwiseInitializer,
    Initializer biasInitializer, String name) implements Layer {
  private static final String CLS = "SeparableConv2D";

  /** Validates and copies the configuration. */
  public SeparableConv2D {
    kernelSize = Spatial.positive(CLS, "kernel_size", kernelSize, 2);
    strides = Spatial.positive(CLS, "strides", strides, 2);
    dilationRate = Spatial.positive(CLS, "dilation_rate", dilationRate, 2);
    if (depthMultiplier < 1) {
      throw new IllegalArgumentException(CLS + " depth_multiplier must be at least 1, got "
          + depthMultiplier);
    }
    ConvCore.validate(CLS, 2, filters, kernelSize, strides, dilationRate, 1, padding, dataFormat,
        activation, depthwiseInitializer, pointwiseInitializer, biasInitializer);
  }

  /** {@code SeparableConv2D(filters, kernel_size)} with Keras's defaults. */
  public SeparableConv2D(int filters, int kernelSize) {
    this(filters, kernelSize, Activation.LINEAR);
  }

  /** {@code SeparableConv2D(filters, kernel_size, activation=...)}. */
  public SeparableConv2D(int filters, int kernelSize, Activation activation) {
    this(filters, new int[] {kernelSize}, new int[] {1}, Padding.VALID, DataFormat.CHANNELS_LAST,
        new int[] {1}, 1, activation, true, Initializer.GLOROT_UNIFORM,
        Initializer.GLOROT_UNIFORM, Initializer.ZEROS, null);
  }

  /** A copy with these strides. */
  public SeparableConv2D withStrides(int... s) {
    return new SeparableConv2D(filters, kernelSize, s, padding, dataFormat, dilationRate,
        depthMultiplier, activation, useBias, depthwiseInitializer, pointwiseInitializer,
        biasInitializer, name);
  }

  /** A copy with this padding ({@code "valid"} or {@code "same"}). */
  public SeparableConv2D withPadding(String p) {
    return new SeparableConv2D(filters, kernelSize, strides, Padding.of(p), dataFormat,
        dilationRate, depthMultiplier, activation, useBias, depthwiseInitializer,
        pointwiseInitializer, biasInitializer, name);
  }

  /** A copy with this depth multiplier. */
  public SeparableConv2D withDepthMultiplier(int m) {
    return new SeparableConv2D(filters, kernelSize, strides, padding, dataFormat, dilationRate,
        m, activation, useBias, depthwiseInitializer, pointwiseInitializer, biasInitializer,
        name);
  }

  /** A copy with this data format. */
  public SeparableConv2D withDataFormat(String f) {
    return new SeparableConv2D(filters, kernelSize, strides, padding, DataFormat.of(f),
        dilationRate, depthMultiplier, activation, useBias, depthwiseInitializer,
        pointwiseInitializer, biasInitializer, name);
  }

  /** A copy without a bias. */
  public SeparableConv2D withoutBias() {
    return new SeparableConv2D(filters, kernelSize, strides, padding, dataFormat, dilationRate,
        depthMultiplier, activation, false, depthwiseInitializer, pointwiseInitializer,
        biasInitializer, name);
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
  public SeparableConv2D withName(String newName) {
    return new SeparableConv2D(filters, kernelSize, strides, padding, dataFormat, dilationRate,
        depthMultiplier, activation, useBias, depthwiseInitializer, pointwiseInitializer,
        biasInitializer, newName);
  }

  private Spatial geometry() {
    return new Spatial(name, CLS, 2, kernelSize, strides, dilationRate, padding, dataFormat);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Spatial s = geometry();
    return s.shape(s.outSpatial(inputShape, "kernel_size"), filters);
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    outputShape(inputShape);
    int c = geometry().channelsOf(inputShape);
    List<ParameterSpec> p = new ArrayList<>(3);
    p.add(new ParameterSpec("depthwise_kernel",
        new int[] {kernelSize[0], kernelSize[1], c, depthMultiplier}, depthwiseInitializer));
    p.add(new ParameterSpec("pointwise_kernel", new int[] {1, 1, c * depthMultiplier, filters},
        pointwiseInitializer));
    if (useBias) {
      p.add(new ParameterSpec("bias", new int[] {filters}, biasInitializer));
    }
    return p;
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Spatial s = geometry();
    Ops ops = ctx.ops();
    Node d = DepthwiseConv2D.depthwise(ops, s, s.toLast(ops, x), ctx.weight("depthwise_kernel"),
        depthMultiplier);
    Node y = ops.conv(d, ctx.weight("pointwise_kernel"), new int[] {1, 1}, new int[4],
        new int[] {1, 1}, 1);
    if (useBias) {
      y = ops.add(y, ctx.weight("bias"));
    }
    return s.fromLast(ops, activation.build(ops, y));
  }
}
