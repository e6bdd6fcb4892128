package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Snapshots hold weights, optimizer slots and the iteration count, and replay exactly. */
class SnapshotRestoreTest {
  private static final Tensor[] DATA = CrossBackendComparison.binaryData(96, 10, 3);
  private static Backend tf;

  @BeforeAll
  static void open() {
    tf = new TfJavaProvider().open(CrossBackendComparison.context(2, false));
  }

  @AfterAll
  static void close() {
    tf.close();
  }

  /** With dropout, so the masks (keyed by the iteration count) must replay too. */
  static ModelSpec spec() {
    return ModelSpec.create("snap", new int[] {10},
        List.of(new Dense(16, Activation.RELU).withName("dense"), new Dropout(0.3, "dropout"),
            new Dense(1, Activation.SIGMOID).withName("dense_1")),
        Loss.BINARY_CROSSENTROPY, new Adam(0.01), 42);
  }

  @Test
  void trainSnapshotTrainRestoreReplaysExactly() {
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, spec())) {
      train(e, 3);
      ModelState saved = e.snapshot();
      assertThat(saved.iterations()).isEqualTo(9);
      assertThat(saved.slots()).extracting(a -> a.name()).containsExactly(
          "dense/kernel/m", "dense/kernel/v", "dense/bias/m", "dense/bias/v",
          "dense_1/kernel/m", "dense_1/kernel/v", "dense_1/bias/m", "dense_1/bias/v");

      double[] first = train(e, 2);
      ModelState after = e.snapshot();
      assertThat(after).isNotEqualTo(saved);

      e.restore(saved);
      assertThat(e.snapshot()).isEqualTo(saved);
      assertThat(train(e, 2)).containsExactly(first);
      assertThat(e.snapshot()).isEqualTo(after);
    }
  }

  @Test
  void stateMovesBetweenExecutables() {
    try (Executable a = CrossBackendComparison.compileOnFirstDevice(tf, spec());
        Executable b = CrossBackendComparison.compileOnFirstDevice(tf, spec())) {
      train(a, 2);
      b.restore(a.snapshot());
      assertThat(train(b, 1)).containsExactly(train(a, 1));
      assertThat(b.snapshot()).isEqualTo(a.snapshot());
    }
  }

  @Test
  void restoreRejectsAnotherModelsState() {
    ModelSpec other = ModelSpec.create("other", new int[] {10},
        List.of(new Dense(1, Activation.SIGMOID).withName("dense")), Loss.BINARY_CROSSENTROPY,
        new SGD(), 1);
    try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, spec())) {
      ModelState before = e.snapshot();
      assertThatThrownBy(() -> e.restore(other.initialState()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("parameter");
      assertThat(e.snapshot()).isEqualTo(before);
    }
  }

  /** Trains epochs of 3 batches of 32 and returns the loss sums of every step. */
  private static double[] train(Executable e, int epochs) {
    double[] losses = new double[epochs * 3];
    float[] out = new float[32];
    int k = 0;
    for (int epoch = 0; epoch < epochs; epoch++) {
      for (int from = 0; from < 96; from += 32) {
        losses[k++] = e.trainStep(DATA[0].rows(from, from + 32), DATA[1].rows(from, from + 32),
            out);
      }
    }
    return losses;
  }
}
