package dev.backplane.conformance;

import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.spi.ModelState;

/**
 * {@code model/*}: whole models from the same seed on the same batches, on the backend and on the
 * reference: per-epoch losses and the final state. And {@code model/deep_mlp_predict_mode}: after
 * training with dropout 0.5, predict must apply no dropout at all.
 */
final class ModelChecks {
  private ModelChecks() {}

  static Measurement run(Session s, ModelCase c) {
    Curve tested = trainOn(s, c, false);
    Curve reference = trainOn(s, c, true);
    double losses = Deviation.curves(tested.epochLosses(), reference.epochLosses());
    double state = Deviation.states(tested.state(), reference.state());
    return Measurement.of(Deviation.worse(losses, state), "epoch losses " + tested.epochLosses()
        + " vs reference " + reference.epochLosses() + " (deviation " + Report.number(losses)
        + "); final state deviation " + Report.number(state))
        .withCurves(tested.epochLosses(), reference.epochLosses());
  }

  static Curve trainOn(Session s, ModelCase c, boolean reference) {
    ModelSpec spec = c.spec();
    try (Executable exe = reference ? s.compileReference(spec) : s.compile(spec)) {
      return EpochTrainer.train(exe, c, 0, c.epochs());
    }
  }

  /**
   * Trains the deep MLP with dropout 0.5 on the backend for one epoch, then predicts with that
   * state: on the backend, on the reference, and on the backend with the same weights in the model
   * with dropout 0. Dropout is the identity in inference, so all three must agree.
   */
  static Measurement predictMode(Session s) {
    ModelCase dropped = ModelCases.deepMlp(0.5).withEpochs(1);
    ModelCase plain = ModelCases.deepMlp(0.0);
    int size = dropped.x().rows() * dropped.outputs();
    ModelState trained;
    float[] tested = new float[size];
    try (Executable exe = s.compile(dropped.spec())) {
      trained = EpochTrainer.train(exe, dropped, 0, 1).state();
      exe.predict(dropped.x(), tested);
    }
    float[] reference = new float[size];
    try (Executable ref = s.compileReference(dropped.spec())) {
      ref.restore(trained.copy());
      ref.predict(dropped.x(), reference);
    }
    float[] withoutDropout = new float[size];
    try (Executable exe = s.compile(plain.spec(trained.copy().parameters()))) {
      exe.predict(plain.x(), withoutDropout);
    }
    double vsReference = Deviation.relative(tested, reference);
    double vsPlain = Deviation.relative(tested, withoutDropout);
    return Measurement.of(Deviation.worse(vsReference, vsPlain), "predict after training with"
        + " dropout 0.5: vs reference " + Report.number(vsReference) + ", vs the same weights"
        + " without dropout layers' effect " + Report.number(vsPlain));
  }
}
