package dev.backplane.model;

import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras's {@code Conv2DTranspose}: the transposed convolution (the gradient of a convolution for
 * its input), with the kernel shaped {@code (kh, kw, filters, in_channels)} as in Keras. Output
 * size per spatial axis as Keras's {@code deconv_output_length} without {@code output_padding}:
 * {@code in · stride + max(span - stride, 0)} for valid and {@code in · stride} for same, with
 * {@code span = dilation (kernel - 1) + 1}. Defaults as in Keras.
 *
 * @param filters output channels, at least 1
 * @param kernelSize the window, (kh, kw); one value is used for both axes
 * @param strides the step, (sh, sw)
 * @param padding {@code valid} or {@code same}
 * @param dataFormat where the channel axis lies
 * @param dilationRate the dilation, (dh, dw)
 * @param activation applied to the output
 * @param useBias whether the layer adds a bias
 * @param kernelInitializer how the kernel is drawn
 * @param biasInitializer how the bias is drawn
 * @param name the layer name, or {@code null} for an automatic one
 */
public record Conv2DTranspose(int filters, int[] kernelSize, int[] strides, Padding padding,
    DataFormat dataFormat, int[] dilationRate, Activation activation, boolean useBias,
    Initializer kernelInitializer, Initializer biasInitializer, String name) implements Layer {
  private static final String CLS = "Conv2DTranspose";

  /** Validates and copies the configuration. */
  public Conv2DTranspose {
    kernelSize = Spatial.positive(CLS, "kernel_size", kernelSize, 2);
    strides = Spatial.positive(CLS, "strides", strides, 2);
    dilationRate = Spatial.positive(CLS, "dilation_rate", dilationRate, 2);
    ConvCore.validate(CLS, 2, filters, kernelSize, strides, dilationRate, 1, padding, dataFormat,
        activation, kernelInitializer, biasInitializer);
  }

  /** {@code Conv2DTranspose(filters, kernel_size)} with Keras's defaults. */
  public Conv2DTranspose(int filters, int kernelSize) {
    this(filters, kernelSize, Activation.LINEAR);
  }

  /** {@code Conv2DTranspose(filters, kernel_size, activation=...)}. */
  public Conv2DTranspose(int filters, int kernelSize, Activation activation) {
    this(filters, new int[] {kernelSize}, new int[] {1}, Padding.VALID, DataFormat.CHANNELS_LAST,
        new int[] {1}, activation, true, Initializer.GLOROT_UNIFORM, Initializer.ZEROS, null);
  }

  /** A copy with these strides. */
  public Conv2DTranspose withStrides(int... s) {
    return new Conv2DTranspose(filters, kernelSize, s, padding, dataFormat, dilationRate,
        activation, useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy with this padding ({@code "valid"} or {@code "same"}). */
  public Conv2DTranspose withPadding(String p) {
    return new Conv2DTranspose(filters, kernelSize, strides, Padding.of(p), dataFormat,
        dilationRate, activation, useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy with this dilation rate. */
  public Conv2DTranspose withDilationRate(int... d) {
    return new Conv2DTranspose(filters, kernelSize, strides, padding, dataFormat, d, activation,
        useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy with this data format. */
  public Conv2DTranspose withDataFormat(String f) {
    return new Conv2DTranspose(filters, kernelSize, strides, padding, DataFormat.of(f),
        dilationRate, activation, useBias, kernelInitializer, biasInitializer, name);
  }

  /** A copy without a bias. */
  public Conv2DTranspose withoutBias() {
    return new Conv2DTranspose(filters, kernelSize, strides, padding, dataFormat, dilationRate,
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
  public Conv2DTranspose withName(String newName) {
    return new Conv2DTranspose(filters, kernelSize, strides, padding, dataFormat, dilationRate,
        activation, useBias, kernelInitializer, biasInitializer, newName);
  }

  private Spatial geometry() {
    return new Spatial(name, CLS, 2, kernelSize, strides, dilationRate, padding, dataFormat);
  }

  private int[] outSpatial(int[] in) {
    int[] out = new int[2];
    for (int i = 0; i < 2; i++) {
      int span = dilationRate[i] * (kernelSize[i] - 1) + 1;
      out[i] = padding == Padding.SAME ? in[i] * strides[i]
          : in[i] * strides[i] + Math.max(span - strides[i], 0);
    }
    return out;
  }

  @Override
  public int[] outputShape(int[] inputShape) {
    Spatial s = geometry();
    return s.shape(outSpatial(s.spatialOf(inputShape)), filters);
  }

  @Override
  public List<ParameterSpec> parameters(int[] inputShape) {
    outputShape(inputShape);
    int c = geometry().channelsOf(inputShape);
    List<ParameterSpec> p = new ArrayList<>(2);
    p.add(new ParameterSpec("kernel", new int[] {kernelSize[0], kernelSize[1], filters, c},
        kernelInitializer));
    if (useBias) {
      p.add(new ParameterSpec("bias", new int[] {filters}, biasInitializer));
    }
    return p;
  }

  @Override
  public Node call(LayerContext ctx, Node x) {
    Spatial s = geometry();
    Ops ops = ctx.ops();
    Node h = s.toLast(ops, x);
    int[] shape = h.shape();
    int[] outSpatial = outSpatial(new int[] {shape[1], shape[2]});
    int[] pads = padding == Padding.SAME
        ? Ops.samePads(outSpatial, kernelSize, strides, dilationRate) : new int[4];
    Node y = ops.convTranspose(h, ctx.weight("kernel"),
        new int[] {outSpatial[0], outSpatial[1], filters}, strides, pads, dilationRate, 1);
    if (useBias) {
      y = ops.add(y, ctx.weight("bias"));
    }
    return s.fromLast(ops, activation.build(ops, y));
  }
}
