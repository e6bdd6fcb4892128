package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keras's {@code DepthwiseConv2D}: each input channel convolved with its own
 * {@code depth_multiplier} filters. The weight {@code depthwise_kernel} is shaped
 * {@code (kh, kw, in_channels, depth_multiplier)} as in Keras; output channel
 * {@code c · depth_multiplier + m} is channel {@code c}'s filter {@code m}. Built as a grouped
 * convolution with {@code groups = in_channels} on the kernel reshaped to
 * {@code (kh, kw, 1, in_channels · depth_multiplier)}. Defaults as in Keras.
 *
 * @param kernelSize the window, (kh, kw); one value is used for both axes
 * @param strides the step, (sh, sw)
 * @param padding {@code valid} or {@code same}
 * @param depthMultiplier filters per input channel, at least 1
 * @param dataFormat where the channel axis lies
 * @param dilationRate the dilation, (dh, dw)
 * @param activation applied to the output
 * @param useBias whether the layer adds a bias (of {@code in_channels · depth_multiplier})
 * @param depthwiseInitializer how the kernel is drawn
 * @param biasInitializer how the bias is drawn
 * @param name the layer name, or {@code null} for an automatic one
 */
public record DepthwiseConv2D(int[] kernelSize, int[] strides, Padding padding,
    int depthMultiplier, DataFormat dataFormat, int[] dilationRate, Activation activation,
    boolean useBias, Initializer depthwiseInitializer, Initializer biasInitializer, String name)
    implements Layer {
  private static final String CLS = "DepthwiseConv2D";

  /** Validates and copies the configuration. */
  public DepthwiseConv2D {
    kernelSize = Spatial.positive(CLS, "kernel_size", kernelSize, 2);
    strides = Spatial.positive(CLS, "strides", strides, 2);
    dilationRate = Spatial.positive(CLS, "dilation_rate", dilationRate, 2);
    if (depthMultiplier < 1) {
      throw new IllegalArgumentException(CLS + " depth_multiplier must be at least 1, got "
          + depthMultiplier);
    }
    ConvCore.validate(CLS, 2, 1, kernelSize, strides, dilationRate, 1, padding, dataFormat,
        activation, depthwiseInitializer, biasInitializer);
  }

  /** {@code DepthwiseConv2D(kernel_size)} with Keras's defaults. */
  public DepthwiseConv2D(int kernelSize) {
    this(kernelSize, 1, Activation.LINEAR);
  }

  /** {@code DepthwiseConv2D(kernel_size, depth_multiplier=..., activation=...)}. */
  public DepthwiseConv2D(int kernelSize, int depthMultiplier, Activation activation) {
    this(new int[] {kernelSize}, new int[] {1}, Padding.VALID, depthMultiplier,
        DataFormat.CHANNELS_LAST, new int[] {1}, activation, true, Initializer.GLOROT_UNIFORM,
        Initializer.ZEROS, null);
  }

  /** A copy with these strides. */
  public DepthwiseConv2D withStrides(int... s) {
    return new DepthwiseConv2D(kernelSize, s, padding, depthMultiplier, dataFormat, dilationRate,
        activation, useBias, depthwiseInitializer, biasInitializer, name);
  }

  /** A copy with this padding ({@code "valid"} or {@code "same"}). */
  public DepthwiseConv2D withPadding(String p) {
    return new DepthwiseConv2D(kernelSize, strides, Padding.of(p), depthMultiplier, dataFormat,
        dilationRate, activation, useBias, depthwiseInitializer, biasInitializer, name);
  }

  /** A copy with this dilation rate. */
  public DepthwiseConv2D withDilationRate(int... d) {
    return new DepthwiseConv2D(kernelSize, strides, padding, depthMultiplier, dataFormat, d,
        activation, useBias, depthwiseInitializer, biasInitializer, name);
  }

  /** A copy with this data format. */
  public DepthwiseConv2D withDataFormat(String f) {
    return new DepthwiseConv2D(kernelSize, strides, padding, depthMultiplier, DataFormat.of(f),
        dilationRate, activation, useBias, depthwiseInitializer, biasInitializer, name);
  }

  /** A copy without a bias. */
  public DepthwiseConv2D withoutBias() {
    return new DepthwiseConv2D(kernelSize, strides, padding, depthMultiplier, dataFormat,
        dilationRate, activation, false, depthwiseInitializer, biasInitializer, name);
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
  public DepthwiseConv2D withName(String newName) {
    return new DepthwiseConv2D(kernelSize, strides, padding, depthMultiplier, dataFormat,
        dilationRate, activation, useBias, depthwiseInitializer, biasInitializer, newName);
  }

  private Spatial geometry() {
    return new Spatial(name, CLS, 2, kernelSize, strides, dilationRate, padding, dataFormat);
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Spatial s = geometry();
    return s.shape(s.outSpatial(inputShape, "kernel_size"),
        s.channelsOf(inputShape) * depthMultiplier);
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    outputShape(inputShape);
    int c = geometry().channelsOf(inputShape);
    List<ParameterSpec> p = new ArrayList<>(2);
    p.add(new ParameterSpec("depthwise_kernel",
        new int[] {kernelSize[0], kernelSize[1], c, depthMultiplier}, depthwiseInitializer));
    if (useBias) {
      p.add(new ParameterSpec("bias", new int[] {c * depthMultiplier}, biasInitializer));
    }
    return p;
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Spatial s = geometry();
    Ops ops = ctx.ops();
    Node y = depthwise(ops, s, s.toLast(ops, x), ctx.weight("depthwise_kernel"),
        depthMultiplier);
    if (useBias) {
      y = ops.add(y, ctx.weight("bias"));
    }
    return s.fromLast(ops, activation.build(ops, y));
  }

  /** The depthwise convolution of channels-last {@code h}: a grouped conv, one group a channel. */
  static Node depthwise(Ops ops, Spatial s, Node h, Node kernel, int multiplier) {
    Objects.requireNonNull(kernel, "kernel");
    int[] shape = h.shape();
    int c = shape[shape.length - 1];
    int[] spatial = java.util.Arrays.copyOfRange(shape, 1, 3);
    Node k = ops.reshape(kernel, s.window[0], s.window[1], 1, c * multiplier);
    return ops.conv(h, k, s.strides, s.pads(spatial), s.dilations, c);
  }
}
