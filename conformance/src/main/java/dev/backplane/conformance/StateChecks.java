package dev.backplane.conformance;

import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelState;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code determinism/*} and {@code snapshot/*}: same seed, same result; a snapshot restores
 * exactly; and a state moves between the backend and the reference mid-training without changing
 * the loss curve.
 */
final class StateChecks {
  private StateChecks() {}

  /**
   * Trains the deep MLP with dropout 0.5 (so the dropout masks must be seeded too) twice from
   * fresh compiles; losses, state and predictions must be bitwise equal.
   */
  static Measurement determinism(Session s) {
    ModelCase c = ModelCases.deepMlp(0.5).withEpochs(2);
    float[] p1 = new float[c.x().rows() * c.outputs()];
    float[] p2 = new float[p1.length];
    Curve a;
    Curve b;
    try (Executable exe = s.compile(c.spec())) {
      a = EpochTrainer.train(exe, c, 0, c.epochs());
      exe.predict(c.x(), p1);
    }
    try (Executable exe = s.compile(c.spec())) {
      b = EpochTrainer.train(exe, c, 0, c.epochs());
      exe.predict(c.x(), p2);
    }
    double dev = Deviation.worse(Deviation.exact(a.epochLosses(), b.epochLosses()),
        Deviation.worse(Deviation.exact(a.state(), b.state()), Deviation.exact(p1, p2)));
    return Measurement.of(dev, "two runs of " + c.id() + ": losses " + a.epochLosses() + " and "
        + b.epochLosses());
  }

  /**
   * Snapshot after one epoch; two more epochs; restore the snapshot and train the same two epochs
   * again, on the same executable and on a fresh one. Everything must repeat bitwise, and the
   * snapshot must be a copy that later steps do not change.
   */
  static Measurement roundTrip(Session s) {
    ModelCase c = ModelCases.softmaxSparse();
    List<Double> devs = new ArrayList<>();
    Curve first;
    Curve again;
    Curve fresh;
    ModelState snap;
    ModelState snapCopy;
    try (Executable exe = s.compile(c.spec())) {
      EpochTrainer.train(exe, c, 0, 1);
      snap = exe.snapshot();
      snapCopy = snap.copy();
      int steps = EpochTrainer.batches(c, 0).size();
      if (snap.iterations() != steps) {
        throw new CheckFailed("After " + steps + " steps the snapshot counts "
            + snap.iterations() + " iterations");
      }
      first = EpochTrainer.train(exe, c, 1, 3);
      devs.add(Deviation.exact(snap, snapCopy));
      if (devs.get(0) != 0) {
        throw new CheckFailed("The snapshot changed when training went on: it shares arrays"
            + " with the executable instead of copying them");
      }
      exe.restore(snapCopy.copy());
      devs.add(Deviation.exact(exe.snapshot(), snapCopy));
      again = EpochTrainer.train(exe, c, 1, 3);
    }
    try (Executable exe = s.compile(c.spec())) {
      exe.restore(snapCopy.copy());
      fresh = EpochTrainer.train(exe, c, 1, 3);
    }
    devs.add(Deviation.exact(first.epochLosses(), again.epochLosses()));
    devs.add(Deviation.exact(first.state(), again.state()));
    devs.add(Deviation.exact(first.epochLosses(), fresh.epochLosses()));
    devs.add(Deviation.exact(first.state(), fresh.state()));
    double worst = devs.stream().reduce(0.0, Deviation::worse);
    return Measurement.of(worst, "epochs 2-3 after restore: " + again.epochLosses()
        + " (same executable), " + fresh.epochLosses() + " (fresh executable) vs "
        + first.epochLosses());
  }

  /**
   * Trains {@value #SPLIT} epochs on one side, moves the snapshot to the other and trains the
   * rest there, in both directions; both curves must match the reference's uninterrupted run.
   */
  static Measurement crossBackend(Session s) {
    ModelCase c = ModelCases.softmaxSparse().withEpochs(4);
    Curve reference = ModelChecks.trainOn(s, c, true);
    Curve there = moved(s, c, false);
    Curve back = moved(s, c, true);
    double d1 = Deviation.worse(Deviation.curves(there.epochLosses(), reference.epochLosses()),
        Deviation.states(there.state(), reference.state()));
    double d2 = Deviation.worse(Deviation.curves(back.epochLosses(), reference.epochLosses()),
        Deviation.states(back.state(), reference.state()));
    return Measurement.of(Deviation.worse(d1, d2), "backend -> reference: " + there.epochLosses()
        + "; reference -> backend: " + back.epochLosses() + "; reference alone: "
        + reference.epochLosses());
  }

  private static final int SPLIT = 2;

  private static Curve moved(Session s, ModelCase c, boolean startOnReference) {
    List<Double> losses = new ArrayList<>();
    ModelState half;
    try (Executable a = startOnReference ? s.compileReference(c.spec()) : s.compile(c.spec())) {
      Curve head = EpochTrainer.train(a, c, 0, SPLIT);
      losses.addAll(head.epochLosses());
      half = head.state();
    }
    try (Executable b = startOnReference ? s.compile(c.spec()) : s.compileReference(c.spec())) {
      b.restore(half.copy());
      Curve tail = EpochTrainer.train(b, c, SPLIT, c.epochs());
      losses.addAll(tail.epochLosses());
      return new Curve(losses, tail.state());
    }
  }
}
