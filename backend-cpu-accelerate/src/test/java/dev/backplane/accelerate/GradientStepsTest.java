package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.model.ProgramBuilder;
import dev.backplane.ops.Node;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.Program;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The split step (gradients of shards summed, then the update) equals {@code trainStep} on the
 * whole batch, and leaves the executable's ordinary steps working.
 */
class GradientStepsTest {
  private static final int N = 13;

  private static ModelSpec spec(Optimizer optimizer) {
    return Fixtures.spec(6, Loss.SPARSE_CATEGORICAL_CROSSENTROPY, optimizer, 5,
        new Dense(16, "relu"), new Dense(4, "softmax"));
  }

  private static Tensor labels(int step) {
    float[] y = new float[N];
    for (int i = 0; i < N; i++) {
      y[i] = (i * 7 + step) % 4;
    }
    return Tensor.wrap(y, N, 1);
  }

  private static List<float[]> gradientArrays(ModelSpec spec) {
    List<float[]> out = new ArrayList<>();
    for (Node g : ProgramBuilder.build(spec, Program.Kind.GRADIENTS).updates().values()) {
      int size = 1;
      for (int d : g.shape()) {
        size *= d;
      }
      out.add(new float[size]);
    }
    return out;
  }

  private static void check(String mode, Optimizer optimizer) {
    ModelSpec spec = spec(optimizer);
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable whole = backend.compile(spec, AccelerateBackend.DEVICE);
        Executable split = backend.compile(spec, AccelerateBackend.DEVICE)) {
      for (int step = 0; step < 4; step++) {
        Tensor x = Fixtures.uniform(10 + step, N, 6, -1, 1);
        Tensor y = labels(step);
        double wholeLoss = whole.trainStep(x, y, new float[N * 4]);
        float[][] sums = null;
        double loss = 0;
        for (int[] shard : new int[][] {{0, 6}, {6, N}}) {
          float[][] g = gradientArrays(spec).toArray(new float[0][]);
          loss += split.computeGradients(x.rows(shard[0], shard[1]), y.rows(shard[0], shard[1]),
              new float[(shard[1] - shard[0]) * 4], g);
          if (sums == null) {
            sums = g;
          } else {
            for (int a = 0; a < g.length; a++) {
              for (int i = 0; i < g[a].length; i++) {
                sums[a][i] += g[a][i];
              }
            }
          }
        }
        split.applyGradients(sums, N);
        assertThat(loss).isCloseTo(wholeLoss, within(1e-5 * Math.abs(wholeLoss)));
      }
      ModelState a = whole.snapshot();
      ModelState b = split.snapshot();
      assertThat(b.iterations()).isEqualTo(4);
      for (int p = 0; p < a.parameters().size(); p++) {
        float[] wa = a.parameters().get(p).values();
        float[] wb = b.parameters().get(p).values();
        for (int i = 0; i < wa.length; i++) {
          assertThat(wb[i]).as(a.parameters().get(p).name() + "[" + i + "]")
              .isCloseTo(wa[i], within(1e-5f * Math.max(1f, Math.abs(wa[i]))));
        }
      }
      // an ordinary step after split steps runs on the same state
      Tensor x = Fixtures.uniform(99, N, 6, -1, 1);
      double l1 = whole.trainStep(x, labels(9), new float[N * 4]);
      double l2 = split.trainStep(x, labels(9), new float[N * 4]);
      assertThat(l2).isCloseTo(l1, within(1e-5 * Math.abs(l1)));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void adamSplitStepsMatchWholeBatchSteps(String mode) {
    check(mode, new Adam(0.01));
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void sgdMomentumSplitStepsMatchWholeBatchSteps(String mode) {
    check(mode, new SGD(0.1, 0.9, false));
  }

  @ParameterizedTest
  @ValueSource(strings = {"java"})
  void gradientArraysOfTheWrongSizeAreRejected(String mode) {
    ModelSpec spec = spec(new SGD());
    try (AccelerateBackend backend = Fixtures.backend(mode, 1);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE)) {
      float[][] g = gradientArrays(spec).toArray(new float[0][]);
      g[1] = new float[3];
      assertThatThrownBy(() -> exe.computeGradients(Fixtures.uniform(1, N, 6, -1, 1), labels(0),
          new float[N * 4], g)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gradients[1] has 3 values");
      assertThatThrownBy(() -> exe.applyGradients(new float[1][], N))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gradientSums has 1 arrays");
    }
  }
}
