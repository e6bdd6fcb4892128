package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Output shapes and parameter counts against Keras's rules for concrete configurations (the
 * expected numbers are Keras's: e.g. Conv2D(32, 3) on (28, 28, 1) is (None, 26, 26, 32), 320).
 */
class LayerShapesTest {
  private static void check(Layer layer, int[] in, int[] out, int params) {
    Layer named = layer.withName("l");
    assertThat(named.outputShape(in)).as(layer.kerasClass()).containsExactly(out);
    List<ParameterSpec> specs = named.parameters(in);
    assertThat(specs.stream().mapToInt(ParameterSpec::size).sum()).as(layer.kerasClass())
        .isEqualTo(params);
  }

  private static int[] s(int... d) {
    return d;
  }

  @Test
  void convolutions() {
    check(new Conv2D(32, 3), s(28, 28, 1), s(26, 26, 32), 320);
    check(new Conv2D(16, 3).withPadding("same").withStrides(2), s(28, 28, 3), s(14, 14, 16),
        448);
    check(new Conv2D(16, 3).withStrides(2), s(28, 28, 3), s(13, 13, 16), 448);
    check(new Conv2D(8, 3).withGroups(2), s(10, 10, 4), s(8, 8, 8), 3 * 3 * 2 * 8 + 8);
    check(new Conv2D(4, 3).withDilationRate(2), s(10, 10, 1), s(6, 6, 4), 40);
    check(new Conv2D(4, 3).withDilationRate(2).withPadding("same"), s(10, 10, 1),
        s(10, 10, 4), 40);
    check(new Conv2D(6, 3).withDataFormat("channels_first"), s(3, 10, 12), s(6, 8, 10),
        3 * 3 * 3 * 6 + 6);
    check(new Conv2D(4, 3).withoutBias(), s(5, 5, 2), s(3, 3, 4), 72);
    check(new Conv1D(8, 5), s(10, 4), s(6, 8), 5 * 4 * 8 + 8);
    check(new Conv1D(8, 3).withPadding("causal").withDilationRate(2), s(10, 4), s(10, 8), 104);
    check(new Conv1D(8, 3).withPadding("same").withStrides(3), s(10, 4), s(4, 8), 104);
    check(new Conv3D(4, 3), s(8, 8, 8, 2), s(6, 6, 6, 4), 27 * 2 * 4 + 4);
    check(new DepthwiseConv2D(3, 2, Activation.LINEAR), s(10, 10, 3), s(8, 8, 6), 54 + 6);
    check(new DepthwiseConv2D(3).withPadding("same").withStrides(2), s(9, 9, 4), s(5, 5, 4),
        36 + 4);
    check(new SeparableConv2D(16, 3), s(10, 10, 3), s(8, 8, 16), 27 + 48 + 16);
    check(new SeparableConv2D(16, 3).withDepthMultiplier(2).withPadding("same"),
        s(10, 10, 3), s(10, 10, 16), 54 + 96 + 16);
    check(new Conv2DTranspose(8, 3).withStrides(2), s(5, 5, 4), s(11, 11, 8), 296);
    check(new Conv2DTranspose(8, 3).withStrides(2).withPadding("same"), s(5, 5, 4),
        s(10, 10, 8), 296);
    check(new Conv2DTranspose(8, 2).withStrides(3), s(4, 4, 1), s(12, 12, 8), 40);
    check(new Conv2DTranspose(8, 3), s(5, 5, 4), s(7, 7, 8), 296);
  }

  @Test
  void kernelsHaveKerasLayouts() {
    assertThat(new Conv2D(32, 3).withName("c").parameters(s(28, 28, 5)).get(0).shape())
        .containsExactly(3, 3, 5, 32);
    assertThat(new Conv2D(8, 3).withGroups(4).withName("c").parameters(s(6, 6, 4)).get(0)
        .shape()).containsExactly(3, 3, 1, 8);
    assertThat(new DepthwiseConv2D(3, 2, Activation.LINEAR).withName("d")
        .parameters(s(6, 6, 4)).get(0).shape()).containsExactly(3, 3, 4, 2);
    List<ParameterSpec> sep = new SeparableConv2D(5, 3).withName("s").parameters(s(6, 6, 4));
    assertThat(sep).extracting(ParameterSpec::name)
        .containsExactly("depthwise_kernel", "pointwise_kernel", "bias");
    assertThat(sep.get(1).shape()).containsExactly(1, 1, 4, 5);
    assertThat(new Conv2DTranspose(8, 3).withName("t").parameters(s(5, 5, 4)).get(0).shape())
        .containsExactly(3, 3, 8, 4);
  }

  @Test
  void pooling() {
    check(new MaxPooling2D(), s(28, 28, 8), s(14, 14, 8), 0);
    check(new MaxPooling2D(3, 2, "same"), s(7, 7, 1), s(4, 4, 1), 0);
    check(new MaxPooling2D(3, 2, "valid"), s(7, 7, 1), s(3, 3, 1), 0);
    check(new AveragePooling2D(2), s(5, 5, 3), s(2, 2, 3), 0);
    check(new AveragePooling2D(2).withDataFormat("channels_first"), s(3, 6, 4), s(3, 3, 2), 0);
    check(new MaxPooling1D(), s(10, 3), s(5, 3), 0);
    check(new MaxPooling1D(3, 1, "same"), s(10, 3), s(10, 3), 0);
    check(new AveragePooling1D(4), s(10, 3), s(2, 3), 0);
    check(new GlobalAveragePooling2D(), s(5, 5, 8), s(8), 0);
    check(new GlobalAveragePooling2D(true), s(5, 5, 8), s(1, 1, 8), 0);
    check(new GlobalMaxPooling2D(), s(5, 5, 8), s(8), 0);
    check(new GlobalMaxPooling1D(), s(10, 3), s(3), 0);
    check(new GlobalAveragePooling1D(true), s(10, 3), s(1, 3), 0);
    check(new GlobalAveragePooling2D(DataFormat.CHANNELS_FIRST, false, null), s(8, 5, 5), s(8),
        0);
  }

  @Test
  void normalization() {
    check(new BatchNormalization(), s(10, 10, 8), s(10, 10, 8), 32);
    check(new BatchNormalization(1, 0.99, 1e-3), s(3, 4, 5), s(3, 4, 5), 12);
    check(new LayerNormalization(), s(5, 8), s(5, 8), 16);
    check(new LayerNormalization(new int[] {-2, -1}, 1e-3, true, true, null), s(5, 8),
        s(5, 8), 80);
    List<ParameterSpec> bn = new BatchNormalization().withName("bn").parameters(s(4));
    assertThat(bn).extracting(ParameterSpec::name)
        .containsExactly("gamma", "beta", "moving_mean", "moving_variance");
    assertThat(bn).extracting(ParameterSpec::trainable).containsExactly(true, true, false, false);
  }

  @Test
  void reshaping() {
    check(Reshape.of(-1, 4), s(2, 6), s(3, 4), 0);
    check(Reshape.of(12), s(3, 4), s(12), 0);
    check(Permute.of(2, 1), s(3, 5), s(5, 3), 0);
    check(Permute.of(3, 1, 2), s(2, 3, 4), s(4, 2, 3), 0);
    check(new ZeroPadding2D(), s(28, 28, 3), s(30, 30, 3), 0);
    check(new ZeroPadding2D(new int[] {1, 2, 3, 4}, DataFormat.CHANNELS_LAST, null),
        s(5, 5, 3), s(8, 12, 3), 0);
    check(new ZeroPadding1D(2), s(5, 3), s(9, 3), 0);
    check(new Cropping2D(new int[] {2, 2, 4, 4}, DataFormat.CHANNELS_LAST, null), s(28, 28, 3),
        s(24, 20, 3), 0);
    check(new Cropping1D(), s(5, 3), s(3, 3), 0);
    check(new UpSampling2D(), s(3, 4, 2), s(6, 8, 2), 0);
    check(new UpSampling1D(3), s(4, 2), s(12, 2), 0);
    check(new RepeatVector(3), s(4), s(3, 4), 0);
  }

  @Test
  void embeddingAndActivations() {
    check(new Embedding(1000, 64), s(10), s(10, 64), 64000);
    check(PReLU.sharedAxes(1, 2), s(4, 4, 3), s(4, 4, 3), 3);
    check(new PReLU(), s(4, 4, 3), s(4, 4, 3), 48);
    check(new ReLU(), s(7), s(7), 0);
    check(new LeakyReLU(), s(7), s(7), 0);
    check(new ELU(), s(2, 7), s(2, 7), 0);
    check(new ThresholdedReLU(), s(7), s(7), 0);
    check(new Softmax(), s(3, 7), s(3, 7), 0);
    assertThat(new LeakyReLU().negativeSlope()).isEqualTo(0.3);
    assertThat(LeakyReLU.alpha(0.1).negativeSlope()).isEqualTo(0.1);
  }

  @Test
  void aSummaryCountsBatchNormStatisticsAsNonTrainable() {
    Sequential m = new Sequential(new int[] {6, 6, 1}, new Conv2D(4, 3, "relu"),
        new BatchNormalization(), new GlobalAveragePooling2D(), new Dense(2, "softmax"));
    String summary = m.summary();
    assertThat(summary).contains("(None, 4, 4, 4)", "Trainable params: " + (40 + 8 + 10),
        "Non-trainable params: 8");
  }
}
