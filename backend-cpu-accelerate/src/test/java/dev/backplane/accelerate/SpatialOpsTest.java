package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Loss;
import dev.backplane.ops.Node;
import dev.backplane.ops.Ops;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * broadcast_to, the convolutions and the pooling ops against the float64 interpreter (through
 * {@link InterpreterExecutable}) on small graphs, on the pure-Java and the native kernels: the
 * forward by {@code predict}, the gradient ops by one SGD step (the weights after it carry
 * {@code conv_input_grad}, {@code conv_kernel_grad}, {@code max_pool_grad} and
 * {@code avg_pool_grad}). Pooling inputs with ties take values from a five-value set, so most
 * windows have several maxima and the gradient must pick the first.
 */
class SpatialOpsTest {
  record Case(String name, int[] in, int[] kernel, boolean ties, SpatialProbe.Body body) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Node flat(Ops o, Node y) {
    int size = 1;
    for (int i = 1; i < y.rank(); i++) {
      size *= y.dim(i);
    }
    return o.reshape(y, -1, size);
  }

  static int[] same(int[] spatial, int[] window, int[] strides, int[] dilations) {
    return Ops.samePads(spatial, window, strides, dilations);
  }

  static Case conv(String name, int[] in, int[] kernel, int[] strides, int[] pads,
      int[] dilations, int groups) {
    return new Case(name, in, kernel, false,
        (o, xw, k) -> flat(o, o.conv(xw, k, strides, pads, dilations, groups)));
  }

  static Case transpose(String name, int[] dy, int[] kernel, int[] out, int[] strides,
      int[] pads, int[] dilations, int groups) {
    return new Case(name, dy, kernel, false, (o, xw, k) -> flat(o, o.convTranspose(xw, k, out,
        strides, pads, dilations, groups)));
  }

  static Case pool(String name, boolean max, int[] in, int[] window, int[] strides,
      int[] pads) {
    return new Case(name, in, null, max, (o, xw, k) -> flat(o, max
        ? o.maxPool(xw, window, strides, pads) : o.avgPool(xw, window, strides, pads)));
  }

  static List<Case> cases() {
    List<Case> c = new ArrayList<>();
    c.add(conv("conv2d same, strides 2x1", new int[] {7, 6, 3}, new int[] {3, 2, 3, 4},
        new int[] {2, 1}, same(new int[] {7, 6}, new int[] {3, 2}, new int[] {2, 1},
            new int[] {1, 1}), new int[] {1, 1}, 1));
    c.add(conv("conv2d valid, dilation 2x1", new int[] {7, 7, 2}, new int[] {3, 3, 2, 5},
        new int[] {1, 2}, new int[4], new int[] {2, 1}, 1));
    c.add(conv("conv2d uneven pads, strides 2, dilation 1x2", new int[] {5, 6, 2},
        new int[] {2, 3, 2, 3}, new int[] {2, 2}, new int[] {0, 2, 1, 0}, new int[] {1, 2}, 1));
    c.add(conv("conv2d groups 2", new int[] {6, 5, 4}, new int[] {3, 3, 2, 6},
        new int[] {1, 1}, same(new int[] {6, 5}, new int[] {3, 3}, new int[] {1, 1},
            new int[] {1, 1}), new int[] {1, 1}, 2));
    c.add(conv("depthwise x2, strides 2", new int[] {6, 6, 3}, new int[] {3, 3, 1, 6},
        new int[] {2, 2}, same(new int[] {6, 6}, new int[] {3, 3}, new int[] {2, 2},
            new int[] {1, 1}), new int[] {1, 1}, 3));
    c.add(conv("conv1d strides 2, dilation 2", new int[] {11, 3}, new int[] {3, 3, 4},
        new int[] {2}, new int[] {1, 2}, new int[] {2}, 1));
    c.add(conv("conv3d", new int[] {4, 5, 4, 2}, new int[] {2, 3, 2, 2, 3},
        new int[] {1, 2, 1}, new int[] {1, 0, 0, 1, 1, 1}, new int[] {1, 1, 2}, 1));
    c.add(transpose("conv_input_grad forward (transposed conv)", new int[] {3, 4, 3},
        new int[] {3, 2, 2, 3}, new int[] {5, 4, 2}, new int[] {2, 1},
        same(new int[] {5, 4}, new int[] {3, 2}, new int[] {2, 1}, new int[] {1, 1}),
        new int[] {1, 1}, 1));
    c.add(transpose("transposed conv groups 2", new int[] {4, 4, 4}, new int[] {3, 3, 2, 4},
        new int[] {7, 7, 4}, new int[] {2, 2}, new int[] {1, 1, 1, 1}, new int[] {1, 1}, 2));
    c.add(pool("max_pool 2x2/2 ties", true, new int[] {6, 6, 3}, new int[] {2, 2},
        new int[] {2, 2}, new int[4]));
    c.add(pool("max_pool 3x3/2 same ties", true, new int[] {7, 5, 2}, new int[] {3, 3},
        new int[] {2, 2}, same(new int[] {7, 5}, new int[] {3, 3}, new int[] {2, 2},
            new int[] {1, 1})));
    c.add(pool("max_pool 1d", true, new int[] {9, 2}, new int[] {3}, new int[] {2},
        new int[] {1, 1}));
    c.add(pool("max_pool 3d", true, new int[] {4, 4, 4, 2}, new int[] {2, 2, 2},
        new int[] {2, 2, 2}, new int[6]));
    c.add(pool("avg_pool 3x2 uneven pads", false, new int[] {5, 4, 2}, new int[] {3, 2},
        new int[] {1, 2}, new int[] {1, 1, 0, 1}));
    c.add(pool("avg_pool 3x3/2 same", false, new int[] {6, 7, 3}, new int[] {3, 3},
        new int[] {2, 2}, same(new int[] {6, 7}, new int[] {3, 3}, new int[] {2, 2},
            new int[] {1, 1})));
    c.add(pool("avg_pool 1d", false, new int[] {8, 3}, new int[] {2}, new int[] {2},
        new int[2]));
    c.add(new Case("broadcast_to rows", new int[] {3}, null, false,
        (o, xw, k) -> flat(o, o.broadcastTo(o.reshape(xw, -1, 1, 3), -1, 4, 3))));
    c.add(new Case("broadcast_to columns", new int[] {3}, null, false,
        (o, xw, k) -> flat(o, o.broadcastTo(o.reshape(xw, -1, 3, 1), -1, 3, 2))));
    return c;
  }

  static Stream<Arguments> runs() {
    return Stream.of("java", "native").flatMap(m -> cases().stream().map(c ->
        Arguments.of(m, c)));
  }

  static Tensor input(long seed, int n, int[] shape, boolean ties) {
    int per = 1;
    for (int d : shape) {
      per *= d;
    }
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n * per];
    for (int i = 0; i < v.length; i++) {
      v[i] = ties ? r.nextInt(5) * 0.5f - 1f : (float) r.nextDouble(-1, 1);
    }
    int[] dims = new int[shape.length + 1];
    dims[0] = n;
    System.arraycopy(shape, 0, dims, 1, shape.length);
    return Tensor.wrap(v, dims);
  }

  static void close(String what, float[] got, float[] want, double tol) {
    assertThat(got.length).as(what).isEqualTo(want.length);
    double scale = 1;
    for (float w : want) {
      scale = Math.max(scale, Math.abs(w));
    }
    double worst = 0;
    int at = -1;
    for (int i = 0; i < got.length; i++) {
      double d = Math.abs((double) got[i] - want[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    assertThat(worst).as("%s: worst difference at %d (got %s, want %s)", what, at,
        at < 0 ? "" : got[at], at < 0 ? "" : want[at]).isLessThanOrEqualTo(tol * scale);
  }

  static void sameState(ModelState got, ModelState want, double tol) {
    for (NamedArray w : want.parameters()) {
      close("parameter " + w.name(), got.parameter(w.name()).values(), w.values(), tol);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("runs")
  void matchesTheInterpreter(String mode, Case c) {
    ModelSpec spec = ModelSpec.create("probe", c.in(), List.of(new SpatialProbe("p", c.in(),
        c.kernel(), c.body())), Loss.MEAN_SQUARED_ERROR, new SGD(0.5), 7);
    int n = 3;
    int out = spec.outputSize();
    Tensor x = input(11, n, c.in(), c.ties());
    Tensor y = input(12, n, new int[] {out}, false);
    try (AccelerateBackend backend = Fixtures.backend(mode, 2);
        Executable exe = backend.compile(spec, AccelerateBackend.DEVICE);
        InterpreterExecutable ref = new InterpreterExecutable(spec, AccelerateBackend.DEVICE)) {
      ref.restore(exe.snapshot());
      float[] got = new float[n * out];
      float[] want = new float[n * out];
      exe.predict(x, got);
      ref.predict(x, want);
      close("predict", got, want, 1e-5);
      for (int step = 0; step < 2; step++) {
        double l = exe.trainStep(x, y, got);
        double lr = ref.trainStep(x, y, want);
        assertThat(Math.abs(l - lr)).as("loss of step %d", step)
            .isLessThanOrEqualTo(1e-5 * Math.max(1, Math.abs(lr)));
        close("train outputs of step " + step, got, want, 1e-5);
        sameState(exe.snapshot(), ref.snapshot(), 1e-5);
        if (c.ties()) {
          // Ties are broken by the first step's update; only its gradient is tie-exact.
          break;
        }
      }
    }
  }
}
