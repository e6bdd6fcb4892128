package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Backend;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every activation and loss: the api's gradient graph lowered to TensorFlow against central
 * finite differences of the backend's own loss, and against the same gradient graph on the api's
 * float64 interpreter, which is itself checked against float64 finite differences.
 */
class GradientCheckTest {
  private static final int ROWS = 8;
  private static Backend tf;

  @BeforeAll
  static void open() {
    tf = new TfJavaProvider().open(CrossBackendComparison.context(2, false));
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Activation.class)
  void activationGradients(Activation activation) {
    ModelSpec spec = spec(Loss.MEAN_SQUARED_ERROR, activation, Activation.LINEAR, 2);
    check(spec, inputs(1), targets(spec, 2));
  }

  static Stream<Arguments> losses() {
    return Stream.of(
        Arguments.of(Loss.BINARY_CROSSENTROPY, Activation.SIGMOID),
        Arguments.of(Loss.BINARY_CROSSENTROPY.withFromLogits(), Activation.LINEAR),
        Arguments.of(Loss.CATEGORICAL_CROSSENTROPY, Activation.SOFTMAX),
        Arguments.of(Loss.CATEGORICAL_CROSSENTROPY.withFromLogits(), Activation.LINEAR),
        Arguments.of(Loss.SPARSE_CATEGORICAL_CROSSENTROPY, Activation.SOFTMAX),
        Arguments.of(Loss.SPARSE_CATEGORICAL_CROSSENTROPY.withFromLogits(), Activation.LINEAR),
        Arguments.of(Loss.MEAN_SQUARED_ERROR, Activation.LINEAR),
        Arguments.of(Loss.MEAN_ABSOLUTE_ERROR, Activation.LINEAR),
        // Categorical cross-entropy on probabilities normalises by the row sum first.
        Arguments.of(Loss.CATEGORICAL_CROSSENTROPY, Activation.SIGMOID));
  }

  @ParameterizedTest(name = "{0} after {1}")
  @MethodSource("losses")
  void lossGradients(Loss loss, Activation output) {
    ModelSpec spec = spec(loss, Activation.TANH, output, 3);
    check(spec, inputs(2), targets(spec, 3));
  }

  @Test
  void clippedProbabilitiesHaveZeroGradient() {
    // A sigmoid saturated to exactly 1.0f is clipped to 1 - eps; Keras passes no gradient there.
    ModelSpec spec = ModelSpec.create("saturated", new int[] {1},
        List.of(new Dense(1, Activation.SIGMOID, false, Initializer.ONES, Initializer.ZEROS,
            "dense")), Loss.BINARY_CROSSENTROPY, new SGD(), 1);
    try (TfJavaExecutable e = compile(spec)) {
      float[][] g = e.gradients(Tensor.of(new float[] {40f, 40f}, 2, 1),
          Tensor.of(new float[] {0f, 1f}, 2, 1));
      assertThat(g[0][0]).isZero();
    }
  }

  private void check(ModelSpec spec, Tensor x, Tensor y) {
    InterpreterGradients reference = new InterpreterGradients(spec);
    double[][] analytic = reference.gradients(x, y);
    double[][] referenceFd = referenceDifferences(reference, x, y);
    try (TfJavaExecutable e = compile(spec)) {
      float[][] tfGrads = e.gradients(x, y);
      double[][] backendFd = backendDifferences(e, spec, x, y);
      for (int p = 0; p < analytic.length; p++) {
        String name = spec.initialState().parameters().get(p).name();
        double scale = maxAbs(analytic[p]);
        for (int i = 0; i < analytic[p].length; i++) {
          String at = spec.name() + " " + name + "[" + i + "]";
          assertThat(analytic[p][i]).as("reference backprop vs float64 differences, " + at)
              .isCloseTo(referenceFd[p][i], within(1e-6, scale));
          assertThat((double) tfGrads[p][i]).as("TensorFlow gradient vs float64 reference, " + at)
              .isCloseTo(analytic[p][i], within(1e-4, scale));
          assertThat((double) tfGrads[p][i]).as("TensorFlow gradient vs backend differences, " + at)
              .isCloseTo(backendFd[p][i], within(2e-2, scale));
        }
      }
    }
  }

  private static org.assertj.core.data.Offset<Double> within(double relative, double scale) {
    return org.assertj.core.data.Offset.offset(relative * Math.max(scale, 1e-3) + 1e-7);
  }

  /** Central differences of the backend's batch-mean loss (evaluateStep), one value at a time. */
  private static double[][] backendDifferences(TfJavaExecutable e, ModelSpec spec, Tensor x, Tensor y) {
    double h = 1e-2;
    ModelState base = spec.initialState();
    float[] outputs = new float[ROWS * spec.outputSize()];
    double[][] fd = new double[base.parameters().size()][];
    for (int p = 0; p < fd.length; p++) {
      fd[p] = new double[base.parameters().get(p).values().length];
      for (int i = 0; i < fd[p].length; i++) {
        e.restore(perturbed(base, p, i, h));
        double plus = e.evaluateStep(x, y, outputs) / ROWS;
        e.restore(perturbed(base, p, i, -h));
        double minus = e.evaluateStep(x, y, outputs) / ROWS;
        fd[p][i] = (plus - minus) / (2 * h);
      }
    }
    e.restore(base);
    return fd;
  }

  private static double[][] referenceDifferences(InterpreterGradients r, Tensor x, Tensor y) {
    double h = 1e-6;
    double[][] params = r.parameters();
    double[][] fd = new double[params.length][];
    for (int p = 0; p < params.length; p++) {
      fd[p] = new double[params[p].length];
      for (int i = 0; i < params[p].length; i++) {
        double keep = params[p][i];
        params[p][i] = keep + h;
        double plus = r.lossSum(x, y) / ROWS;
        params[p][i] = keep - h;
        double minus = r.lossSum(x, y) / ROWS;
        params[p][i] = keep;
        fd[p][i] = (plus - minus) / (2 * h);
      }
    }
    return fd;
  }

  private static ModelState perturbed(ModelState base, int p, int i, double h) {
    List<NamedArray> params = new ArrayList<>();
    for (int k = 0; k < base.parameters().size(); k++) {
      NamedArray a = base.parameters().get(k).copy();
      if (k == p) {
        a.values()[i] += (float) h;
      }
      params.add(a);
    }
    return new ModelState(params, base.slots(), base.iterations());
  }

  private static ModelSpec spec(Loss loss, Activation hidden, Activation output, int outputs) {
    List<Layer> layers = List.of(new Dense(4, hidden).withName("dense"),
        new Dense(outputs, output).withName("dense_1"));
    return ModelSpec.create(loss + "-" + hidden + "-" + output, new int[] {3}, layers, loss,
        new SGD(), 5);
  }

  private static TfJavaExecutable compile(ModelSpec spec) {
    return (TfJavaExecutable) CrossBackendComparison.compileOnFirstDevice(tf, spec);
  }

  private static Tensor inputs(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[ROWS * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble(-2, 2);
    }
    return Tensor.wrap(x, ROWS, 3);
  }

  private static Tensor targets(ModelSpec spec, int outputs) {
    SplittableRandom r = new SplittableRandom(99);
    if (spec.loss().sparseLabels()) {
      int[] labels = new int[ROWS];
      for (int i = 0; i < ROWS; i++) {
        labels[i] = r.nextInt(outputs);
      }
      return Tensor.ofLabels(labels);
    }
    boolean categorical = spec.loss().type() == Loss.Type.CATEGORICAL_CROSSENTROPY;
    float[] y = new float[ROWS * outputs];
    for (int i = 0; i < ROWS; i++) {
      int hot = r.nextInt(outputs);
      for (int j = 0; j < outputs; j++) {
        y[i * outputs + j] = categorical ? (j == hot ? 1 : 0)
            : spec.loss().type() == Loss.Type.BINARY_CROSSENTROPY ? r.nextInt(2)
            : (float) r.nextDouble(-1, 1);
      }
    }
    return Tensor.wrap(y, ROWS, outputs);
  }

  private static double maxAbs(double[] a) {
    double m = 0;
    for (double v : a) {
      m = Math.max(m, Math.abs(v));
    }
    return m;
  }
}
