package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Device;
import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad arguments fail with messages that say what was expected and what was received. */
class ValidationTest {
  private static final ModelSpec SPEC = Fixtures.spec(4, Loss.SPARSE_CATEGORICAL_CROSSENTROPY,
      new SGD(), 1, new Dense(3, "softmax"));
  private AccelerateBackend backend;
  private Executable exe;

  @BeforeEach
  void open() {
    backend = Fixtures.backend("java", 1);
    exe = backend.compile(SPEC, AccelerateBackend.DEVICE);
  }

  @AfterEach
  void close() {
    backend.close();
  }

  @Test
  void wrongInputWidth() {
    assertThatThrownBy(() -> exe.trainStep(Tensor.zeros(2, 5), Tensor.zeros(2, 1), new float[6]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Input x has shape [2, 5] but model 'test' expects 4 values per sample"
            + " (input shape [4])");
    assertThatThrownBy(() -> exe.predict(Tensor.zeros(2, 3), new float[6]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expects 4 values");
  }

  @Test
  void wrongLabels() {
    assertThatThrownBy(() -> exe.trainStep(Tensor.zeros(2, 4), Tensor.zeros(2, 3), new float[6]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Labels y have shape [2, 3] but the batch has 2 samples and"
            + " sparse_categorical_crossentropy expects 1 label value(s) per sample");
    assertThatThrownBy(() -> exe.trainStep(Tensor.zeros(2, 4), Tensor.ofLabels(new int[] {0, 3}),
        new float[6])).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Sparse label 3.0 of sample 1 is not a class index from 0 to 2");
    assertThatThrownBy(() -> exe.evaluateStep(Tensor.zeros(1, 4),
        Tensor.ofLabels(new float[] {0.5f}), new float[3]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Sparse label 0.5");
  }

  @Test
  void outputsTooShortOrEmptyBatch() {
    assertThatThrownBy(() -> exe.trainStep(Tensor.zeros(2, 4), Tensor.zeros(2, 1), new float[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("outputs has 5 values but 2 samples of 3 outputs need 6");
    assertThatThrownBy(() -> exe.trainStep(Tensor.zeros(0, 4), Tensor.zeros(0, 1), new float[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one sample");
  }

  @Test
  void unknownDevice() {
    assertThatThrownBy(() -> backend.compile(SPEC, Device.parse("accelerate:cpu:1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Backend 'accelerate' has no device accelerate:cpu:1; its only device is"
            + " accelerate:cpu:0");
  }

  @Test
  void closedExecutable() {
    exe.close();
    exe.close();
    assertThatThrownBy(() -> exe.predict(Tensor.zeros(1, 4), new float[3]))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Model 'test' on accelerate:cpu:0 is closed");
  }
}
