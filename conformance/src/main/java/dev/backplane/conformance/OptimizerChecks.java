package dev.backplane.conformance;

import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.optimizer.Optimizer;
import dev.backplane.optimizer.RMSprop;
import dev.backplane.optimizer.SGD;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;
import dev.backplane.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code optimizer/*}: each optimizer configuration takes {@value #STEPS} steps on a small
 * two-layer model, on the backend and on the reference; parameters, slots and the iteration count
 * must agree. Learning rates are large enough that a missing momentum, Nesterov term or bias
 * correction moves the weights far beyond the tolerance.
 */
final class OptimizerChecks {
  static final int STEPS = 5;
  private static final int BATCH = 8;

  private OptimizerChecks() {}

  /** The configurations, by check name. */
  static Map<String, Optimizer> optimizers() {
    Map<String, Optimizer> m = new LinkedHashMap<>();
    m.put("sgd", new SGD(0.1));
    m.put("sgd_momentum", new SGD(0.1, 0.9, false));
    m.put("sgd_nesterov", new SGD(0.1, 0.9, true));
    m.put("adam", new Adam(0.01));
    m.put("rmsprop", new RMSprop(0.01));
    m.put("rmsprop_momentum", new RMSprop(0.01, RMSprop.DEFAULT_RHO, 0.9,
        RMSprop.DEFAULT_EPSILON));
    return m;
  }

  static Measurement run(Session s, Optimizer optimizer) {
    ModelSpec spec = ModelSpec.create("optimizer_check", new int[] {4},
        Data.named(new Dense(5, "tanh"), new Dense(2)), Loss.MEAN_SQUARED_ERROR, optimizer,
        ModelCases.SEED);
    SplittableRandom r = new SplittableRandom(505);
    Tensor x = Data.uniform(r, STEPS * BATCH, 4);
    Tensor y = Data.uniform(r, STEPS * BATCH, 2);
    ModelState tested;
    ModelState reference;
    try (Executable t = s.compile(spec); Executable ref = s.compileReference(spec)) {
      tested = steps(t, x, y);
      reference = steps(ref, x, y);
    }
    return Measurement.of(Deviation.states(tested, reference), optimizer + ": parameters and"
        + " slots after " + STEPS + " steps");
  }

  private static ModelState steps(Executable exe, Tensor x, Tensor y) {
    float[] out = new float[BATCH * 2];
    for (int i = 0; i < STEPS; i++) {
      exe.trainStep(x.rows(i * BATCH, (i + 1) * BATCH), y.rows(i * BATCH, (i + 1) * BATCH), out);
    }
    return exe.snapshot();
  }
}
