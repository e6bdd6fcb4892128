package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Device;
import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Initializer;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dropout drops only in training, scales by 1 / (1 - rate), rate 0 is exactly nothing, and its
 * masks ({@code random_uniform >= rate}, fed from the host) are the interpreter's to the bit.
 */
class DropoutTest {
  private static final int FEATURES = 1000;
  private static Backend tf;

  @BeforeAll
  static void open() {
    tf = new TfJavaProvider().open(CrossBackendComparison.context(2, false));
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  @Test
  void rateZeroIsExactlyTheIdentity() {
    Tensor[] data = CrossBackendComparison.binaryData(64, 10, 5);
    ModelSpec with = spec(new Dropout(0.0, "dropout"));
    ModelSpec without = spec(null);
    try (Executable a = CrossBackendComparison.compileOnFirstDevice(tf, with);
        Executable b = CrossBackendComparison.compileOnFirstDevice(tf, without)) {
      float[] outA = new float[32];
      float[] outB = new float[32];
      for (int from = 0; from < 64; from += 32) {
        Tensor x = data[0].rows(from, from + 32);
        Tensor y = data[1].rows(from, from + 32);
        assertThat(a.trainStep(x, y, outA)).isEqualTo(b.trainStep(x, y, outB));
        assertThat(outA).containsExactly(outB);
      }
      assertThat(a.snapshot()).isEqualTo(b.snapshot());
    }
  }

  @Test
  void dropsAndScalesInTrainingOnly() {
    // out = sum of the kept inputs / (1 - rate) with all inputs and weights 1.
    ModelSpec spec = ModelSpec.create("drop", new int[] {FEATURES},
        List.of(new Dropout(0.5, "dropout"), new Dense(1, Activation.LINEAR, false,
            Initializer.ONES, Initializer.ZEROS, "dense")),
        Loss.MEAN_SQUARED_ERROR, new SGD(1e-9), 7);
    float[] ones = new float[4 * FEATURES];
    Arrays.fill(ones, 1f);
    Tensor x = Tensor.wrap(ones, 4, FEATURES);
    Tensor y = Tensor.zeros(4, 1);
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, spec)) {
      float[] predicted = new float[4];
      e.predict(x, predicted);
      assertThat(predicted).containsOnly(FEATURES);
      float[] evaluated = new float[4];
      e.evaluateStep(x, y, evaluated);
      assertThat(evaluated).containsOnly(FEATURES);

      var start = e.snapshot();
      float[] trained = new float[4];
      e.trainStep(x, y, trained);
      List<Float> distinct = new ArrayList<>();
      for (float v : trained) {
        // Each kept input counts 2 = 1 / (1 - 0.5); about half are kept (σ ≈ 32).
        assertThat(v % 2).isZero();
        assertThat(v).isBetween(800f, 1200f);
        distinct.add(v);
      }
      assertThat(distinct.stream().distinct().count()).isGreaterThan(1);

      // Same state, same masks.
      e.restore(start);
      float[] again = new float[4];
      e.trainStep(x, y, again);
      assertThat(again).containsExactly(trained);
    }
  }

  @Test
  void masksMatchTheInterpreterExactly() {
    // All inputs and weights 1: each output is (kept inputs) * 2, exact in float32 and float64,
    // so any mask difference shows. Iterations 0 and 5 key different masks.
    ModelSpec spec = ModelSpec.create("drop", new int[] {FEATURES},
        List.of(new Dropout(0.5, "dropout"), new Dense(1, Activation.LINEAR, false,
            Initializer.ONES, Initializer.ZEROS, "dense")),
        Loss.MEAN_SQUARED_ERROR, new SGD(1e-9), 7);
    float[] ones = new float[4 * FEATURES];
    Arrays.fill(ones, 1f);
    Tensor x = Tensor.wrap(ones, 4, FEATURES);
    Tensor y = Tensor.zeros(4, 1);
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, spec);
        Executable reference = new InterpreterExecutable(spec, Device.cpu("interpreter", 0))) {
      for (long iterations : new long[] {0, 5}) {
        ModelState start = spec.initialState();
        ModelState at = new ModelState(start.parameters(), start.variables(), start.slots(),
            iterations);
        e.restore(at);
        reference.restore(at);
        float[] trained = new float[4];
        float[] expected = new float[4];
        double loss = e.trainStep(x, y, trained);
        double expectedLoss = reference.trainStep(x, y, expected);
        assertThat(trained).as("iteration " + iterations).containsExactly(expected);
        assertThat(loss).isEqualTo(expectedLoss);
      }
    }
  }

  private static ModelSpec spec(Layer dropout) {
    List<Layer> layers = new ArrayList<>();
    layers.add(new Dense(16, Activation.RELU).withName("dense"));
    if (dropout != null) {
      layers.add(dropout);
    }
    layers.add(new Dense(1, Activation.SIGMOID).withName("dense_1"));
    return ModelSpec.create("rate0", new int[] {10}, layers, Loss.BINARY_CROSSENTROPY,
        new SGD(0.1), 42);
  }
}
