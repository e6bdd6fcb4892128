package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keras's sample weights on this backend: the weight is the labels' last column of a
 * {@link Loss#withSampleWeights()} program. Hand-computed Keras values for a linear model, and
 * a weighted sparse classifier against the float64 interpreter.
 */
class SampleWeightTest {
  private static final dev.backplane.Device DEVICE = dev.backplane.Device.cpu("tf-java", 0);
  private static Backend tf;

  @BeforeAll
  static void open() {
    tf = new TfJavaProvider().open(CrossBackendComparison.context(1, false));
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  @Test
  void weightedMseStepAsKeras() {
    ModelSpec base = spec(2, Loss.MEAN_SQUARED_ERROR.withSampleWeights(), new SGD(0.1),
        1, new Dense(1));
    ModelState state = base.initialState().copy();
    System.arraycopy(new float[] {0.5f, -0.25f}, 0, state.parameters().get(0).values(), 0, 2);
    state.parameters().get(1).values()[0] = 0.1f;
    ModelSpec spec = new ModelSpec(base.name(), base.inputShape(), base.layers(), base.loss(),
        base.optimizer(), base.seed(), state);
    Tensor x = Tensor.of(new float[][] {{1, 2}, {3, -1}, {0, 1}, {2, 2}});
    // labels, then each sample's weight
    Tensor y = Tensor.of(new float[][] {{1, 1}, {0, 2}, {2, 0.5f}, {-1, 0}});
    float[] out = new float[4];
    try (Executable exe = CrossBackendComparison.compileOnFirstDevice(tf, spec)) {
      // squared errors 0.81, 3.4225, 4.6225, 2.56 weighted by 1, 2, 0.5, 0
      assertThat(exe.evaluateStep(x, y, out)).isCloseTo(9.96625, within(1e-5));
      assertThat(exe.trainStep(x, y, out)).isCloseTo(9.96625, within(1e-5));
      ModelState after = exe.snapshot();
      float[] k = after.parameters().get(0).values();
      assertThat((double) k[0]).isCloseTo(-0.01, within(1e-6));
      assertThat((double) k[1]).isCloseTo(0.07875, within(1e-6));
      assertThat((double) after.parameters().get(1).values()[0]).isCloseTo(0.01375,
          within(1e-6));
    }
  }

  @Test
  void weightedSparseClassifierMatchesTheInterpreter() {
    Loss loss = Loss.SPARSE_CATEGORICAL_CROSSENTROPY.withSampleWeights();
    ModelSpec spec = spec(3, loss, new SGD(0.05), 9, new Dense(5, "relu"),
        new Dense(3, "softmax"));
    Tensor x = Tensor.of(new float[][] {{0.1f, -0.5f, 0.9f}, {0.3f, 0.2f, -0.7f},
        {-0.8f, 0.4f, 0.6f}, {0.5f, -0.9f, -0.1f}, {0.7f, 0.8f, 0.2f}, {-0.2f, -0.3f, 0.4f}});
    Tensor y = Tensor.of(new float[][] {{0, 1}, {2, 0.5f}, {1, 2}, {2, 0}, {0, 3}, {1, 1}});
    float[] out = new float[18];
    float[] ref = new float[18];
    try (Executable exe = CrossBackendComparison.compileOnFirstDevice(tf, spec);
        Executable interp = new InterpreterExecutable(spec, DEVICE)) {
      for (int step = 0; step < 3; step++) {
        double a = exe.trainStep(x, y, out);
        double b = interp.trainStep(x, y, ref);
        assertThat(a).as("loss of step %d", step).isCloseTo(b, within(1e-5 * Math.abs(b)));
      }
      Tensor bad = Tensor.of(new float[][] {{0, 1}, {3, 1}, {1, 1}, {2, 1}, {0, 1}, {1, 1}});
      assertThatThrownBy(() -> exe.trainStep(x, bad, out))
          .hasMessageContaining("Label 3.0 in row 1 is not a class index");
    }
  }

  private static ModelSpec spec(int inputs, Loss loss, dev.backplane.optimizer.Optimizer o,
      long seed, dev.backplane.model.Layer... layers) {
    java.util.List<dev.backplane.model.Layer> named = new java.util.ArrayList<>();
    for (int i = 0; i < layers.length; i++) {
      named.add(layers[i].withName("l" + i));
    }
    return ModelSpec.create("test", new int[] {inputs}, named, loss, o, seed);
  }
}
