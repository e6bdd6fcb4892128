package dev.backplane.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Device;
import dev.backplane.UnsupportedFeatureException;
import dev.backplane.model.BatchNormalization;
import dev.backplane.model.Dense;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.model.ProgramBuilder;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.SGD;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.ForwardingExecutable;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A step split into gradients (per shard, summed) and an update equals the one-step {@code
 * trainStep} on the whole batch, on the reference interpreter.
 */
class GradientStepTest {
  private static final int N = 7;

  private static ModelSpec spec(Optimizer optimizer) {
    List<Layer> layers = List.of(new Dense(5, "tanh").withName("h"),
        new Dense(3, "softmax").withName("o"));
    return ModelSpec.create("split", new int[] {4}, layers,
        Loss.SPARSE_CATEGORICAL_CROSSENTROPY, optimizer, 11);
  }

  private static float[] data(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextDouble() * 2 - 1);
    }
    return v;
  }

  private static void splitMatchesWhole(Optimizer optimizer) {
    ModelSpec spec = spec(optimizer);
    InterpreterExecutable whole = new InterpreterExecutable(spec, Device.cpu("ref", 0));
    InterpreterExecutable split = new InterpreterExecutable(spec, Device.cpu("ref", 0));
    Program gp = ProgramBuilder.build(spec, Program.Kind.GRADIENTS);
    assertThat(gp.updates().keySet()).containsExactly("h/kernel", "h/bias", "o/kernel", "o/bias");
    for (int step = 0; step < 3; step++) {
      float[] xv = data(N * 4, step);
      float[] yv = new float[N];
      for (int i = 0; i < N; i++) {
        yv[i] = (i + step) % 3;
      }
      Tensor x = Tensor.wrap(xv, N, 4);
      Tensor y = Tensor.wrap(yv, N, 1);
      double wholeLoss = whole.trainStep(x, y, new float[N * 3]);
      float[][] sums = null;
      double lossSum = 0;
      // shards of 3 and 4 rows, by position, as the data-parallel trainer splits a batch
      for (int[] shard : new int[][] {{0, 3}, {3, N}}) {
        float[][] g = new float[gp.updates().size()][];
        int k = 0;
        for (var node : gp.updates().values()) {
          g[k++] = new float[size(node.shape())];
        }
        lossSum += split.computeGradients(x.rows(shard[0], shard[1]),
            y.rows(shard[0], shard[1]), new float[(shard[1] - shard[0]) * 3], g);
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
      assertThat(lossSum).isCloseTo(wholeLoss, within(1e-5 * Math.abs(wholeLoss)));
    }
    ModelState a = whole.snapshot();
    ModelState b = split.snapshot();
    assertThat(b.iterations()).isEqualTo(3);
    for (int p = 0; p < a.parameters().size(); p++) {
      float[] wa = a.parameters().get(p).values();
      float[] wb = b.parameters().get(p).values();
      for (int i = 0; i < wa.length; i++) {
        assertThat(wb[i]).as(a.parameters().get(p).name() + "[" + i + "]")
            .isCloseTo(wa[i], within(1e-5f * Math.max(1f, Math.abs(wa[i]))));
      }
    }
  }

  private static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  @Test
  void shardGradientsSummedThenAdamEqualTheWholeBatchStep() {
    splitMatchesWhole(new Adam(0.05));
  }

  @Test
  void shardGradientsSummedThenSgdWithMomentumEqualTheWholeBatchStep() {
    splitMatchesWhole(new SGD(0.1, 0.9, true));
  }

  @Test
  void applyProgramReadsOneGradientInputPerTrainableVariable() {
    Program apply = ProgramBuilder.build(spec(new Adam()), Program.Kind.APPLY);
    assertThat(apply.inputs().keySet()).contains("iteration", "scale", "gradient:h/kernel",
        "gradient:o/bias");
    assertThat(apply.loss()).isNull();
    assertThat(apply.updates().keySet()).contains("h/kernel", "h/kernel/m", "o/bias/v");
  }

  @Test
  void batchNormalizationCannotSplitItsStep() {
    ModelSpec spec = ModelSpec.create("bn", new int[] {4},
        List.of(new Dense(3).withName("d"), new BatchNormalization().withName("bn"),
            new Dense(1).withName("o")), Loss.MEAN_SQUARED_ERROR, new SGD(), 1);
    assertThatThrownBy(() -> ProgramBuilder.build(spec, Program.Kind.GRADIENTS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Model 'bn' updates non-trainable state")
        .hasMessageContaining("moving");
  }

  @Test
  void anExecutableWithoutTheSplitSaysWhichBackend() {
    Executable plain = new ForwardingExecutable(
        new InterpreterExecutable(spec(new SGD()), Device.cpu("plain", 0)));
    assertThatThrownBy(() -> plain.applyGradients(new float[0][], 1))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("Backend 'plain' cannot run data-parallel gradient updates");
    assertThatThrownBy(() -> plain.computeGradients(Tensor.wrap(new float[4], 1, 4),
        Tensor.wrap(new float[1], 1, 1), new float[3], new float[0][]))
        .isInstanceOf(UnsupportedFeatureException.class)
        .hasMessageContaining("computeGradients");
  }
}
