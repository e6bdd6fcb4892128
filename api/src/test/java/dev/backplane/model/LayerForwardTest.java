package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Forward values on the float64 interpreter against hand-computed values and an independent
 * naive convolution, and finite-difference gradient checks.
 */
class LayerForwardTest {
  private static final double[] ONE_TO_NINE = {1, 2, 3, 4, 5, 6, 7, 8, 9};

  private static void assertValues(double[] actual, double... expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("value %d", i).isCloseTo(expected[i], within(1e-6));
    }
  }

  private static double[] ones(int n) {
    double[] v = new double[n];
    java.util.Arrays.fill(v, 1);
    return v;
  }

  @Test
  void conv2dValidAndSameByHand() {
    Conv2D valid = new Conv2D(1, 2).withoutBias();
    LayerHarness h = new LayerHarness(valid, 1, new int[] {3, 3, 1}, false);
    assertValues(h.forward(ONE_TO_NINE, Map.of("kernel", ones(4))), 12, 16, 24, 28);
    // TF same padding: the extra row and column go after.
    LayerHarness same = new LayerHarness(valid.withPadding("same"), 1, new int[] {3, 3, 1},
        false);
    assertValues(same.forward(ONE_TO_NINE, Map.of("kernel", ones(4))),
        12, 16, 9, 24, 28, 15, 15, 17, 9);
    // Strided same: out ceil(3 / 2) = 2, total pad 1 after.
    LayerHarness strided = new LayerHarness(valid.withPadding("same").withStrides(2), 1,
        new int[] {3, 3, 1}, false);
    assertValues(strided.forward(ONE_TO_NINE, Map.of("kernel", ones(4))), 12, 9, 15, 9);
    // Dilated 2x2 kernel spans 3x3: the four corners.
    LayerHarness dilated = new LayerHarness(valid.withDilationRate(2), 1, new int[] {3, 3, 1},
        false);
    assertValues(dilated.forward(ONE_TO_NINE, Map.of("kernel", ones(4))), 1 + 3 + 7 + 9);
  }

  /** Keras semantics written out independently: channels last, groups, TF same padding. */
  private static double[] naiveConv2d(double[] x, int n, int hIn, int wIn, int cin, double[] k,
      int kh, int kw, int cout, int sh, int sw, int dh, int dw, boolean same, int groups,
      double[] bias, int[] outHw) {
    int hOut;
    int wOut;
    int padTop = 0;
    int padLeft = 0;
    if (same) {
      hOut = (hIn + sh - 1) / sh;
      wOut = (wIn + sw - 1) / sw;
      int totalH = Math.max((hOut - 1) * sh + (kh - 1) * dh + 1 - hIn, 0);
      int totalW = Math.max((wOut - 1) * sw + (kw - 1) * dw + 1 - wIn, 0);
      padTop = totalH / 2;
      padLeft = totalW / 2;
    } else {
      hOut = (hIn - (kh - 1) * dh - 1) / sh + 1;
      wOut = (wIn - (kw - 1) * dw - 1) / sw + 1;
    }
    outHw[0] = hOut;
    outHw[1] = wOut;
    int cpg = cin / groups;
    int opg = cout / groups;
    double[] y = new double[n * hOut * wOut * cout];
    for (int b = 0; b < n; b++) {
      for (int i = 0; i < hOut; i++) {
        for (int j = 0; j < wOut; j++) {
          for (int co = 0; co < cout; co++) {
            double s = bias == null ? 0 : bias[co];
            int g = co / opg;
            for (int a = 0; a < kh; a++) {
              for (int c = 0; c < kw; c++) {
                int r = i * sh - padTop + a * dh;
                int q = j * sw - padLeft + c * dw;
                if (r < 0 || r >= hIn || q < 0 || q >= wIn) {
                  continue;
                }
                for (int ci = 0; ci < cpg; ci++) {
                  s += x[((b * hIn + r) * wIn + q) * cin + g * cpg + ci]
                      * k[((a * kw + c) * cpg + ci) * cout + co];
                }
              }
            }
            y[((b * hOut + i) * wOut + j) * cout + co] = s;
          }
        }
      }
    }
    return y;
  }

  private static void compareWithNaive(Conv2D layer, int hIn, int wIn, int cin) {
    LayerHarness h = new LayerHarness(layer, 2, new int[] {hIn, wIn, cin}, false);
    double[] x = LayerHarness.random(11, 2 * hIn * wIn * cin);
    Map<String, double[]> w = h.randomWeights(12);
    int[] hw = new int[2];
    int[] k = layer.kernelSize();
    int[] s = layer.strides();
    int[] d = layer.dilationRate();
    double[] expected = naiveConv2d(x, 2, hIn, wIn, cin, w.get("kernel"), k[0], k[1],
        layer.filters(), s[0], s[1], d[0], d[1], layer.padding() == Padding.SAME,
        layer.groups(), w.get("bias"), hw);
    assertThat(h.out.shape()).containsExactly(2, hw[0], hw[1], layer.filters());
    assertValues(h.forward(x, w), expected);
  }

  @Test
  void conv2dMatchesANaiveConvolution() {
    compareWithNaive(new Conv2D(3, 3), 5, 6, 2);
    compareWithNaive(new Conv2D(3, 3).withPadding("same"), 5, 6, 2);
    compareWithNaive(new Conv2D(2, new int[] {2, 3}, new int[] {2, 1}, Padding.SAME,
        DataFormat.CHANNELS_LAST, new int[] {1}, 1, Activation.LINEAR, true,
        Initializer.GLOROT_UNIFORM, Initializer.ZEROS, null), 6, 5, 3);
    compareWithNaive(new Conv2D(4, 3).withStrides(2), 7, 7, 1);
    compareWithNaive(new Conv2D(2, 2).withDilationRate(2).withPadding("same"), 5, 5, 2);
    compareWithNaive(new Conv2D(4, 3).withGroups(2), 5, 5, 4);
  }

  @Test
  void channelsFirstEqualsChannelsLastTransposed() {
    Conv2D last = new Conv2D(3, 2).withPadding("same");
    LayerHarness a = new LayerHarness(last, 1, new int[] {3, 4, 2}, false);
    LayerHarness b = new LayerHarness(last.withDataFormat("channels_first"), 1,
        new int[] {2, 3, 4}, false);
    double[] x = LayerHarness.random(3, 24);
    double[] xFirst = new double[24];
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        for (int c = 0; c < 2; c++) {
          xFirst[(c * 3 + i) * 4 + j] = x[(i * 4 + j) * 2 + c];
        }
      }
    }
    Map<String, double[]> w = a.randomWeights(4);
    double[] yl = a.forward(x, w);
    double[] yf = b.forward(xFirst, w);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        for (int c = 0; c < 3; c++) {
          assertThat(yf[(c * 3 + i) * 4 + j]).isCloseTo(yl[(i * 4 + j) * 3 + c], within(1e-12));
        }
      }
    }
  }

  @Test
  void conv1dCausalSeesOnlyThePast() {
    Conv1D causal = new Conv1D(1, 2).withPadding("causal").withoutBias();
    LayerHarness h = new LayerHarness(causal, 1, new int[] {4, 1}, false);
    // kernel (2, 1, 1) = [1, 10]: y_t = x_{t-1} + 10 x_t, x_{-1} = 0.
    assertValues(h.forward(new double[] {1, 2, 3, 4}, Map.of("kernel", new double[] {1, 10})),
        10, 21, 32, 43);
  }

  @Test
  void depthwiseAndSeparableMatchPerChannelConvolutions() {
    DepthwiseConv2D dw = new DepthwiseConv2D(new int[] {2}, new int[] {1}, Padding.VALID, 2,
        DataFormat.CHANNELS_LAST, new int[] {1}, Activation.LINEAR, false,
        Initializer.GLOROT_UNIFORM, Initializer.ZEROS, null);
    LayerHarness h = new LayerHarness(dw, 1, new int[] {2, 2, 2}, false);
    // x[i, j, c]: channel 0 = 1..4, channel 1 = 10..40.
    double[] x = {1, 10, 2, 20, 3, 30, 4, 40};
    // kernel (2, 2, 2, 2) [a, b, c, m]: channel c filter m is all (c * 2 + m + 1).
    double[] k = new double[16];
    for (int i = 0; i < 16; i++) {
      int c = (i / 2) % 2;
      int m = i % 2;
      k[i] = c * 2 + m + 1;
    }
    assertValues(h.forward(x, Map.of("depthwise_kernel", k)), 10, 20, 300, 400);
    SeparableConv2D sep = new SeparableConv2D(1, new int[] {2}, new int[] {1}, Padding.VALID,
        DataFormat.CHANNELS_LAST, new int[] {1}, 2, Activation.LINEAR, true,
        Initializer.GLOROT_UNIFORM, Initializer.GLOROT_UNIFORM, Initializer.ZEROS, null);
    LayerHarness s = new LayerHarness(sep, 1, new int[] {2, 2, 2}, false);
    assertValues(s.forward(x, Map.of("depthwise_kernel", k, "pointwise_kernel",
        new double[] {1, 0.1, 0.01, 0.001}, "bias", new double[] {0.5})),
        10 + 2 + 3 + 0.4 + 0.5);
  }

  @Test
  void conv2dTransposeSpreadsEachInputOverTheKernel() {
    Conv2DTranspose t = new Conv2DTranspose(1, 2).withStrides(2).withoutBias();
    LayerHarness h = new LayerHarness(t, 1, new int[] {2, 2, 1}, false);
    double[] y = h.forward(new double[] {1, 2, 3, 4}, Map.of("kernel", new double[] {1, 2, 3,
        4}));
    assertThat(h.out.shape()).containsExactly(1, 4, 4, 1);
    assertValues(y, 1, 2, 2, 4, 3, 4, 6, 8, 3, 6, 4, 8, 9, 12, 12, 16);
    // Overlap with stride 1: a full convolution.
    LayerHarness full = new LayerHarness(new Conv2DTranspose(1, 2).withoutBias(), 1,
        new int[] {1, 2, 1}, false);
    assertValues(full.forward(new double[] {1, 1}, Map.of("kernel", new double[] {1, 2, 3,
        4})), 1, 3, 2, 3, 7, 4);
  }

  @Test
  void poolingWithSamePadding() {
    LayerHarness max = new LayerHarness(new MaxPooling2D(2, 2, "same"), 1,
        new int[] {3, 3, 1}, false);
    assertValues(max.forward(ONE_TO_NINE, Map.of()), 5, 6, 8, 9);
    LayerHarness avg = new LayerHarness(new AveragePooling2D(2, 2, "same"), 1,
        new int[] {3, 3, 1}, false);
    assertValues(avg.forward(ONE_TO_NINE, Map.of()), 3, 4.5, 7.5, 9);
    LayerHarness valid = new LayerHarness(new MaxPooling2D(2, 1, "valid"), 1,
        new int[] {3, 3, 1}, false);
    assertValues(valid.forward(ONE_TO_NINE, Map.of()), 5, 6, 8, 9);
    LayerHarness one = new LayerHarness(new AveragePooling1D(2, 1, "same"), 1,
        new int[] {3, 1}, false);
    assertValues(one.forward(new double[] {1, 2, 4}, Map.of()), 1.5, 3, 4);
    LayerHarness gap = new LayerHarness(new GlobalAveragePooling2D(), 1, new int[] {3, 3, 1},
        false);
    assertValues(gap.forward(ONE_TO_NINE, Map.of()), 5);
    LayerHarness gmp = new LayerHarness(new GlobalMaxPooling1D(), 1, new int[] {3, 3}, false);
    assertValues(gmp.forward(ONE_TO_NINE, Map.of()), 7, 8, 9);
  }

  @Test
  void batchNormTrainingUsesBatchStatisticsAndInferenceMovingOnes() {
    double[] x = {1, 10, 3, 30};
    Map<String, double[]> w = Map.of("gamma", new double[] {2, 1}, "beta",
        new double[] {0.5, 0}, "moving_mean", new double[] {1, 20}, "moving_variance",
        new double[] {4, 100});
    LayerHarness train = new LayerHarness(new BatchNormalization(), 2, new int[] {2}, true);
    // Feature 0: mean 2, biased variance 1; feature 1: mean 20, variance 100.
    double s0 = 1 / Math.sqrt(1 + 1e-3);
    double s1 = 1 / Math.sqrt(100 + 1e-3);
    assertValues(train.forward(x, w), 2 * -1 * s0 + 0.5, -10 * s1, 2 * s0 + 0.5, 10 * s1);
    assertThat(train.ctx.stateUpdates()).hasSize(2);
    LayerHarness infer = new LayerHarness(new BatchNormalization(), 2, new int[] {2}, false);
    double i0 = 1 / Math.sqrt(4 + 1e-3);
    double i1 = 1 / Math.sqrt(100 + 1e-3);
    assertValues(infer.forward(x, w), 0.5, -10 * i1, 2 * 2 * i0 + 0.5, 10 * i1);
    assertThat(infer.ctx.stateUpdates()).isEmpty();
  }

  @Test
  void layerNormNormalizesEachSample() {
    LayerHarness h = new LayerHarness(new LayerNormalization(), 1, new int[] {4}, false);
    double[] y = h.forward(new double[] {1, 2, 3, 4}, Map.of("gamma", ones(4), "beta",
        new double[4]));
    double sd = Math.sqrt(1.25 + 1e-3);
    assertValues(y, -1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd);
  }

  @Test
  void embeddingGathersRows() {
    LayerHarness h = new LayerHarness(new Embedding(3, 2), 2, new int[] {2}, false);
    double[] table = {0, 1, 10, 11, 20, 21};
    assertValues(h.forward(new double[] {0, 2, 1, 1}, Map.of("embeddings", table)),
        0, 1, 20, 21, 10, 11, 10, 11);
  }

  @Test
  void shapeLayersMoveValuesLikeKeras() {
    assertValues(new LayerHarness(new UpSampling2D(), 1, new int[] {2, 2, 1}, false)
        .forward(new double[] {1, 2, 3, 4}, Map.of()), 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3,
        4, 4);
    assertValues(new LayerHarness(new UpSampling1D(2), 1, new int[] {2, 2}, false)
        .forward(new double[] {1, 2, 3, 4}, Map.of()), 1, 2, 1, 2, 3, 4, 3, 4);
    assertValues(new LayerHarness(new RepeatVector(2), 1, new int[] {2}, false)
        .forward(new double[] {1, 2}, Map.of()), 1, 2, 1, 2);
    assertValues(new LayerHarness(Permute.of(2, 1), 1, new int[] {2, 3}, false)
        .forward(new double[] {1, 2, 3, 4, 5, 6}, Map.of()), 1, 4, 2, 5, 3, 6);
    assertValues(new LayerHarness(new ZeroPadding1D(new int[] {1, 0}, null), 1,
        new int[] {2, 1}, false).forward(new double[] {1, 2}, Map.of()), 0, 1, 2);
    assertValues(new LayerHarness(new Cropping2D(new int[] {1, 0, 0, 1},
        DataFormat.CHANNELS_LAST, null), 1, new int[] {3, 3, 1}, false)
        .forward(ONE_TO_NINE, Map.of()), 4, 5, 7, 8);
    assertValues(new LayerHarness(new ZeroPadding2D(new int[] {0, 1, 1, 0},
        DataFormat.CHANNELS_LAST, null), 1, new int[] {1, 2, 1}, false)
        .forward(new double[] {1, 2}, Map.of()), 0, 1, 2, 0, 0, 0);
    assertValues(new LayerHarness(Reshape.of(-1, 2), 1, new int[] {4}, false)
        .forward(new double[] {1, 2, 3, 4}, Map.of()), 1, 2, 3, 4);
  }

  @Test
  void activationLayers() {
    double[] x = {-2, -0.5, 0.5, 1.5, 7};
    assertValues(new LayerHarness(new ReLU(6.0, 0.1, 1), 1, new int[] {5}, false)
        .forward(x, Map.of()), -0.3, -0.15, -0.05, 1.5, 6);
    assertValues(new LayerHarness(new LeakyReLU(), 1, new int[] {5}, false)
        .forward(x, Map.of()), -0.6, -0.15, 0.5, 1.5, 7);
    assertValues(new LayerHarness(new ELU(2), 1, new int[] {5}, false).forward(x, Map.of()),
        2 * Math.expm1(-2), 2 * Math.expm1(-0.5), 0.5, 1.5, 7);
    assertValues(new LayerHarness(new ThresholdedReLU(1), 1, new int[] {5}, false)
        .forward(x, Map.of()), 0, 0, 0, 1.5, 7);
    assertValues(new LayerHarness(new PReLU(), 1, new int[] {5}, false)
        .forward(x, Map.of("alpha", new double[] {0.1, 0.2, 0.3, 0.4, 0.5})), -0.2, -0.1, 0.5,
        1.5, 7);
    double[] sm = new LayerHarness(new Softmax(1), 1, new int[] {2, 2}, false)
        .forward(new double[] {0, 0, Math.log(3), 0}, Map.of());
    assertValues(sm, 0.25, 0.5, 0.75, 0.5);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    new LayerHarness(new Conv2D(3, 3).withPadding("same").withStrides(2), 2,
        new int[] {5, 5, 2}, true).checkGradients(1, 1e-6);
    new LayerHarness(new Conv2D(4, 2).withDilationRate(2).withGroups(2), 1,
        new int[] {4, 4, 2}, true).checkGradients(2, 1e-6);
    new LayerHarness(new DepthwiseConv2D(3, 2, Activation.TANH), 2, new int[] {4, 4, 3}, true)
        .checkGradients(3, 1e-6);
    new LayerHarness(new BatchNormalization(), 4, new int[] {3}, true).checkGradients(4, 1e-6);
    new LayerHarness(new BatchNormalization(), 2, new int[] {2, 2, 3}, true)
        .checkGradients(5, 1e-6);
    new LayerHarness(new LayerNormalization(), 2, new int[] {2, 5}, true)
        .checkGradients(6, 1e-6);
    new LayerHarness(new SeparableConv2D(2, 2), 1, new int[] {3, 3, 2}, true)
        .checkGradients(7, 1e-6);
    new LayerHarness(new Conv2DTranspose(2, 3).withStrides(2).withPadding("same"), 1,
        new int[] {2, 2, 2}, true).checkGradients(8, 1e-6);
    new LayerHarness(new Conv2D(2, 2).withDataFormat("channels_first"), 1,
        new int[] {2, 3, 3}, true).checkGradients(9, 1e-6);
  }
}
