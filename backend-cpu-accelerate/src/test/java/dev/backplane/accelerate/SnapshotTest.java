package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Snapshots hold parameters, slots and the iteration count, and restore exactly. */
class SnapshotTest {
  private static final ModelSpec SPEC = Fixtures.spec(12, Loss.BINARY_CROSSENTROPY, new Adam(0.01),
      21, new Dense(16, "relu"), new Dropout(0.2), new Dense(3, "sigmoid"));
  private static final Tensor X = Fixtures.uniform(1, 40, 12, -1, 1);
  private static final Tensor Y = Fixtures.labels(2, 40, 3, SPEC.loss());

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void namesShapesAndOrderAreThoseOfTheSpec(String mode) {
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(SPEC, AccelerateBackend.DEVICE)) {
      ModelState initial = exe.snapshot();
      assertThat(initial).isEqualTo(SPEC.initialState());
      assertThat(initial.slots().stream().map(NamedArray::name)).containsExactly(
          "l0/kernel/m", "l0/kernel/v", "l0/bias/m", "l0/bias/v",
          "l2/kernel/m", "l2/kernel/v", "l2/bias/m", "l2/bias/v");
      Fixtures.train(exe, X, Y, 3, 4);
      ModelState trained = exe.snapshot();
      assertThat(trained.iterations()).isEqualTo(4);
      assertThat(trained.slot("l2/kernel/v").values()).isNotEqualTo(
          SPEC.initialState().slot("l2/kernel/v").values());
      // A snapshot is a copy: changing it changes nothing in the executable.
      trained.parameters().get(0).values()[0] = 1e6f;
      assertThat(exe.snapshot().parameters().get(0).values()[0]).isNotEqualTo(1e6f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void restoreThenTrainRepeatsTheRunExactly(String mode) {
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(SPEC, AccelerateBackend.DEVICE)) {
      Fixtures.train(exe, X, Y, 3, 3);
      ModelState checkpoint = exe.snapshot();
      double[] first = Fixtures.train(exe, X, Y, 3, 5);
      ModelState firstEnd = exe.snapshot();
      exe.restore(checkpoint);
      assertThat(exe.snapshot()).isEqualTo(checkpoint);
      double[] second = Fixtures.train(exe, X, Y, 3, 5);
      assertThat(second).containsExactly(first);
      assertThat(exe.snapshot()).isEqualTo(firstEnd);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void stateMovesBetweenEngines(String mode) {
    String other = mode.equals("java") ? "native" : "java";
    try (AccelerateBackend a = Fixtures.backend(mode, 2); AccelerateBackend b =
        Fixtures.backend(other, 2); Executable ea = a.compile(SPEC, AccelerateBackend.DEVICE);
        Executable eb = b.compile(SPEC, AccelerateBackend.DEVICE)) {
      Fixtures.train(ea, X, Y, 3, 6);
      eb.restore(ea.snapshot());
      double[] la = Fixtures.train(ea, X, Y, 3, 3);
      double[] lb = Fixtures.train(eb, X, Y, 3, 3);
      for (int i = 0; i < la.length; i++) {
        assertThat(lb[i]).isCloseTo(la[i], within(1e-4 * la[i]));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void wrongStatesAreRejectedClearlyAndChangeNothing(String mode) {
    try (AccelerateBackend backend = Fixtures.backend(mode, 1);
        Executable exe = backend.compile(SPEC, AccelerateBackend.DEVICE)) {
      ModelState before = exe.snapshot();
      List<NamedArray> params = new ArrayList<>(before.parameters());
      params.set(2, new NamedArray("l2/kernel", new int[] {16, 4}, new float[64]));
      ModelState wrongShape = new ModelState(params, before.slots(), 0);
      assertThatThrownBy(() -> exe.restore(wrongShape))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("l2/kernel[16, 4]").hasMessageContaining("l2/kernel[16, 3]");

      ModelState noSlots = new ModelState(before.parameters(), List.of(), 0);
      assertThatThrownBy(() -> exe.restore(noSlots))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("0 optimizer slots but the model has 8");

      ModelSpec rmsprop = Fixtures.spec(12, Loss.BINARY_CROSSENTROPY, new RMSprop(), 21,
          new Dense(16, "relu"), new Dropout(0.2), new Dense(3, "sigmoid"));
      assertThatThrownBy(() -> exe.restore(rmsprop.initialState()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("optimizer slot");
      assertThat(exe.snapshot()).isEqualTo(before);
    }
  }
}
