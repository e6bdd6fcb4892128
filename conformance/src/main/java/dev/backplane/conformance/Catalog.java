package dev.backplane.conformance;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Every check of the kit, in report order. */
final class Catalog {
  private Catalog() {}

  static List<Check> all() {
    List<Check> checks = new ArrayList<>();
    List<OpChecks.Op> ops = OpChecks.ops();
    for (OpChecks.Op op : ops) {
      checks.add(new Check("forward/" + op.name(), "forward of " + op.what()
          + " against the reference", Tolerances.FORWARD, true,
          s -> OpChecks.forward(s, op.forward())));
    }
    for (OpChecks.Op op : OpChecks.forwardOnly()) {
      checks.add(new Check("forward/" + op.name(), "forward of " + op.what()
          + " against the reference", Tolerances.FORWARD, true,
          s -> OpChecks.forward(s, op.forward())));
    }
    for (OpChecks.Op op : ops) {
      checks.add(new Check("gradient/" + op.name(), "gradient of " + op.what()
          + " against central finite differences", Tolerances.GRADIENT, false,
          s -> OpChecks.gradient(s, op.gradient())));
    }
    for (PrimitiveChecks.Case c : PrimitiveChecks.cases()) {
      checks.add(new Check("op/" + c.name(), "forward of op " + c.op().doc().signature()
          + " in a one-op custom layer against the float64 interpreter", Tolerances.FORWARD,
          false, s -> PrimitiveChecks.forward(s, c)));
      if (c.op().differentiable()) {
        checks.add(new Check("op/" + c.name() + "/gradient", "gradient of op " + c.name()
            + " (one SGD step) against central finite differences of the float64 interpreter",
            Tolerances.GRADIENT, false, s -> PrimitiveChecks.gradient(s, c)));
      }
    }
    for (Map.Entry<String, dev.backplane.optimizer.Optimizer> e
        : OptimizerChecks.optimizers().entrySet()) {
      checks.add(new Check("optimizer/" + e.getKey(), e.getValue() + ": state after "
          + OptimizerChecks.STEPS + " steps against the reference", Tolerances.OPTIMIZER, true,
          s -> OptimizerChecks.run(s, e.getValue())));
    }
    for (ModelCase c : ModelCases.all()) {
      checks.add(new Check("model/" + c.id(), c.description() + ": per-epoch losses and final"
          + " state against the reference", Tolerances.MODEL, true,
          s -> ModelChecks.run(s, c)));
    }
    checks.add(new Check("model/deep_mlp_predict_mode", "predict after training with dropout"
        + " 0.5 applies no dropout", Tolerances.FORWARD, true, ModelChecks::predictMode));
    checks.add(new Check("determinism/same_seed", "two runs from the same seed (dropout 0.5)"
        + " are bitwise identical", Tolerances.EXACT, false, StateChecks::determinism));
    checks.add(new Check("snapshot/round_trip", "restoring a snapshot repeats training"
        + " bitwise", Tolerances.EXACT, false, StateChecks::roundTrip));
    checks.add(new Check("snapshot/cross_backend", "a state moved between the backend and the"
        + " reference mid-training continues the reference's loss curve", Tolerances.MODEL, true,
        StateChecks::crossBackend));
    checks.add(new Check("errors/input_shape", "wrong input shape: IllegalArgumentException"
        + " naming the layer", null, false, ErrorChecks::inputShape));
    checks.add(new Check("errors/unsupported_layer", "unknown layer class:"
        + " UnsupportedFeatureException naming the layer and backend", null, false,
        ErrorChecks::unsupportedLayer));
    checks.add(new Check("resources/threads", "live threads after " + Tolerances.RESOURCE_CYCLES
        + " compile/close cycles", Tolerances.THREAD_GROWTH, false, ResourceChecks::threads));
    checks.add(new Check("resources/native_memory", "resident set growth (MiB) over "
        + Tolerances.RESOURCE_CYCLES + " compile/close cycles", Tolerances.RSS_GROWTH_MIB, false,
        ResourceChecks::nativeMemory));
    checks.add(new Check("resources/open_close", "live threads after " + Tolerances.OPEN_CYCLES
        + " backend open/close cycles", Tolerances.THREAD_GROWTH, false,
        ResourceChecks::openClose));
    return checks;
  }
}
