package dev.backplane.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Device;
import dev.backplane.model.Dense;
import dev.backplane.model.Layer;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference test kernels' gradients agree with central finite differences. */
class ReferenceExecutableTest {
  private static final float[] X = {0.5f, -1f, 0.25f, 2f, -0.5f, 1f};
  private static final float[] Y = {1, 0, 1};

  private static void check(Loss loss, String hidden, String top) {
    List<Layer> layers = List.of(new Dense(3, hidden).withName("h"),
        new Dense(1, top).withName("o"));
    ModelSpec spec = ModelSpec.create("fd", new int[] {2}, layers, loss, new SGD(1), 5);
    Tensor x = Tensor.wrap(X, 3, 2);
    Tensor y = Tensor.wrap(Y, 3, 1);
    ReferenceExecutable exe = new ReferenceExecutable(spec, Device.cpu("ref", 0), "ref");
    ModelState start = exe.snapshot();
    exe.trainStep(x, y, new float[3]);
    ModelState after = exe.snapshot();
    for (int p = 0; p < start.parameters().size(); p++) {
      float[] w0 = start.parameters().get(p).values();
      float[] w1 = after.parameters().get(p).values();
      for (int i = 0; i < w0.length; i++) {
        double analytic = w0[i] - w1[i];
        double numeric = (meanLoss(spec, start, p, i, 1e-2f, x, y)
            - meanLoss(spec, start, p, i, -1e-2f, x, y)) / 2e-2;
        assertThat(analytic).as(loss + " " + start.parameters().get(p).name() + "[" + i + "]")
            .isCloseTo(numeric, within(2e-3));
      }
    }
  }

  private static double meanLoss(ModelSpec spec, ModelState start, int p, int i, float h,
      Tensor x, Tensor y) {
    ModelState s = start.copy();
    NamedArray a = s.parameters().get(p);
    a.values()[i] += h;
    ReferenceExecutable e = new ReferenceExecutable(spec, Device.cpu("ref", 0), "ref");
    e.restore(s);
    return e.evaluateStep(x, y, new float[3]) / 3;
  }

  @Test
  void binaryCrossEntropyThroughTanhAndSigmoid() {
    check(Loss.BINARY_CROSSENTROPY, "tanh", "sigmoid");
  }

  @Test
  void meanSquaredErrorThroughReluAndLinear() {
    check(Loss.MEAN_SQUARED_ERROR, "relu", "linear");
  }
}
