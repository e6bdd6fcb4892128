package dev.backplane.tfjava;

import dev.backplane.Device;
import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Flatten;
import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.LayerContext;
import dev.backplane.model.Loss;
import dev.backplane.model.ParameterSpec;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Small convolutional networks, built from custom layers on the api's {@code conv},
 * {@code max_pool} and {@code avg_pool} ops, trained a few epochs on tf-java and on the api's
 * float64 interpreter from the same seeded weights: per-epoch losses and the final state agree
 * within relative 1e-4.
 */
class ConvNetTrainingTest {
  private static final double RTOL = 1e-4;
  private static Backend tf;

  @BeforeAll
  static void open() {
    tf = new TfJavaProvider().open(CrossBackendComparison.context(2, false));
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  /** A convolution with bias and activation: kernel (K..., Cin/groups, filters). */
  record Conv(String name, int filters, int[] window, int[] strides, int[] pads, int[] dilations,
      int groups, Activation activation) implements Layer {
    @Override
    public String kerasClass() {
      return "TestConv";
    }

    @Override
    public Layer withName(String newName) {
      return new Conv(newName, filters, window, strides, pads, dilations, groups, activation);
    }

    @Override
    public int[] outputShape(int[] in) {
      int d = window.length;
      int[] out = new int[d + 1];
      for (int i = 0; i < d; i++) {
        int span = dilations[i] * (window[i] - 1) + 1;
        out[i] = (in[i] + pads[2 * i] + pads[2 * i + 1] - span) / strides[i] + 1;
      }
      out[d] = filters;
      return out;
    }

    @Override
    public List<ParameterSpec> parameters(int[] in) {
      int[] k = Arrays.copyOf(window, window.length + 2);
      k[window.length] = in[window.length] / groups;
      k[window.length + 1] = filters;
      return List.of(new ParameterSpec("kernel", k, Initializer.GLOROT_UNIFORM),
          new ParameterSpec("bias", new int[] {filters}, Initializer.ZEROS));
    }

    @Override
    public Node call(LayerContext ctx, Node x) {
      Ops o = ctx.ops();
      Node y = o.conv(x, ctx.weight("kernel"), strides, pads, dilations, groups);
      return activation.build(o, o.add(y, ctx.weight("bias")));
    }
  }

  /** Max or average pooling. */
  record Pool(String name, boolean max, int[] window, int[] strides, int[] pads)
      implements Layer {
    @Override
    public String kerasClass() {
      return max ? "TestMaxPool" : "TestAvgPool";
    }

    @Override
    public Layer withName(String newName) {
      return new Pool(newName, max, window, strides, pads);
    }

    @Override
    public int[] outputShape(int[] in) {
      int[] out = in.clone();
      for (int i = 0; i < window.length; i++) {
        out[i] = (in[i] + pads[2 * i] + pads[2 * i + 1] - window[i]) / strides[i] + 1;
      }
      return out;
    }

    @Override
    public List<ParameterSpec> parameters(int[] in) {
      return List.of();
    }

    @Override
    public Node call(LayerContext ctx, Node x) {
      return max ? ctx.ops().maxPool(x, window, strides, pads)
          : ctx.ops().avgPool(x, window, strides, pads);
    }
  }

  static Stream<CrossBackendComparison.Case> cases() {
    List<CrossBackendComparison.Case> cases = new ArrayList<>();
    int[] same3 = Ops.samePads(new int[] {6, 6}, new int[] {3, 3}, new int[] {1, 1},
        new int[] {1, 1});
    Tensor[] images = classData(48, new int[] {6, 6, 2}, 3, 21);
    cases.add(new CrossBackendComparison.Case("2-D convnet, Adam, sparse CCE",
        ModelSpec.create("convnet2d", new int[] {6, 6, 2}, List.of(
            new Conv("conv", 4, ints(3, 3), ints(1, 1), same3, ints(1, 1), 1, Activation.RELU),
            new Pool("pool", true, ints(2, 2), ints(2, 2), ints(0, 0, 0, 0)),
            new Conv("conv_1", 4, ints(2, 2), ints(1, 1), ints(0, 1, 0, 1), ints(1, 1), 2,
                Activation.TANH),
            new Pool("pool_1", false, ints(2, 2), ints(1, 1), ints(0, 1, 1, 0)),
            new Flatten("flatten"),
            new Dense(3, Activation.SOFTMAX).withName("dense")),
            Loss.SPARSE_CATEGORICAL_CROSSENTROPY, new Adam(0.01), 7), images[0], images[1], 16,
        3));
    Tensor[] series = regressionData(40, new int[] {10, 2}, 22);
    cases.add(new CrossBackendComparison.Case("1-D dilated convnet, SGD, MSE",
        ModelSpec.create("convnet1d", new int[] {10, 2}, List.of(
            new Conv("conv", 3, ints(3), ints(1), ints(2, 2), ints(2), 1, Activation.TANH),
            new Pool("pool", false, ints(2), ints(2), ints(0, 0)),
            new Conv("conv_1", 4, ints(2), ints(2), ints(1, 0), ints(1), 1, Activation.RELU),
            new Flatten("flatten"),
            new Dense(1, Activation.LINEAR).withName("dense")),
            Loss.MEAN_SQUARED_ERROR, new SGD(0.05), 8), series[0], series[1], 10, 3));
    Tensor[] volumes = binaryData(24, new int[] {4, 4, 4, 1}, 23);
    cases.add(new CrossBackendComparison.Case("3-D convnet, SGD momentum, BCE",
        ModelSpec.create("convnet3d", new int[] {4, 4, 4, 1}, List.of(
            new Conv("conv", 2, ints(2, 2, 2), ints(1, 1, 1), ints(1, 0, 0, 1, 1, 0),
                ints(1, 1, 1), 1, Activation.RELU),
            new Pool("pool", true, ints(2, 2, 2), ints(2, 2, 2), ints(0, 0, 0, 0, 0, 0)),
            new Flatten("flatten"),
            new Dense(1, Activation.SIGMOID).withName("dense")),
            Loss.BINARY_CROSSENTROPY, new SGD(0.1, 0.9, false), 9), volumes[0], volumes[1], 8,
        3));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void trainsLikeTheFloat64Reference(CrossBackendComparison.Case c) {
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, c.spec());
        Executable reference = new InterpreterExecutable(c.spec(), Device.cpu("interpreter", 0))) {
      var outcome = CrossBackendComparison.compare(c, e, reference);
      System.out.println("tf-java vs float64 reference, " + c + ": "
          + CrossBackendComparison.summary(outcome) + ", losses "
          + Arrays.toString(outcome.a().epochLosses()));
      CrossBackendComparison.assertAgree(outcome, RTOL, "tf-java", "float64 reference");
    }
  }

  // ------------------------------------------------------------------ data

  private static int[] ints(int... v) {
    return v;
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  private static int[] withRows(int n, int[] sample) {
    int[] s = new int[sample.length + 1];
    s[0] = n;
    System.arraycopy(sample, 0, s, 1, sample.length);
    return s;
  }

  /** Gaussian inputs; the class is the arg-max of a fixed random linear map. */
  private static Tensor[] classData(int n, int[] sample, int classes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int f = size(sample);
    double[] w = new double[f * classes];
    for (int i = 0; i < w.length; i++) {
      w[i] = r.nextGaussian();
    }
    float[] x = new float[n * f];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double best = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < f; j++) {
        x[i * f + j] = (float) r.nextGaussian();
      }
      for (int c = 0; c < classes; c++) {
        double s = 0;
        for (int j = 0; j < f; j++) {
          s += x[i * f + j] * w[j * classes + c];
        }
        if (s > best) {
          best = s;
          y[i] = c;
        }
      }
    }
    return new Tensor[] {Tensor.wrap(x, withRows(n, sample)), Tensor.ofLabels(y)};
  }

  /** Uniform inputs; a smooth target of their weighted sum. */
  private static Tensor[] regressionData(int n, int[] sample, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int f = size(sample);
    float[] x = new float[n * f];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < f; j++) {
        x[i * f + j] = (float) r.nextDouble(-1, 1);
        s += Math.sin(j) * x[i * f + j];
      }
      y[i] = (float) Math.tanh(s);
    }
    return new Tensor[] {Tensor.wrap(x, withRows(n, sample)), Tensor.wrap(y, n, 1)};
  }

  /** Gaussian inputs; label 1 where the first half sums to more than the second. */
  private static Tensor[] binaryData(int n, int[] sample, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int f = size(sample);
    float[] x = new float[n * f];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (int j = 0; j < f; j++) {
        x[i * f + j] = (float) r.nextGaussian();
        s += j < f / 2 ? x[i * f + j] : -x[i * f + j];
      }
      y[i] = s > 0 ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, withRows(n, sample)), Tensor.wrap(y, n, 1)};
  }
}
