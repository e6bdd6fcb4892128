package dev.backplane.conformance.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.backplane.conformance.Curve;
import dev.backplane.conformance.EpochTrainer;
import dev.backplane.conformance.ModelCase;
import dev.backplane.conformance.ModelCases;
import dev.backplane.conformance.Targets;
import dev.backplane.conformance.Tolerances;
import dev.backplane.spi.Executable;
import dev.backplane.spi.NamedArray;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Two of our own backends agreeing does not prove either right: DJL on PyTorch trains the
 * reference model, the 3-class softmax model and a small convnet from the same initial weights
 * on the same batches, and every backend's per-epoch losses must match within a relative 1e-4.
 */
class DjlReferenceTest {
  /** Per-epoch losses, relative: the kit's whole-model tolerance. */
  static final double LOSSES = Tolerances.MODEL;
  /** Final weights, relative to each array's largest value: looser, for report only. */
  static final double WEIGHTS = 1e-3;

  private static Targets targets;

  @BeforeAll
  static void open() {
    assertThat(System.getProperty("ai.djl.offline")).as("DJL must never download")
        .isEqualTo("true");
    targets = new Targets();
  }

  @AfterAll
  static void close() {
    targets.close();
  }

  @TestFactory
  Stream<DynamicTest> everyBackendMatchesDjl() {
    List<DynamicTest> tests = new ArrayList<>();
    for (ModelCase c : List.of(ModelCases.reference(), ModelCases.softmaxSparse(), convnet())) {
      Curve djl = DjlTrainer.train(c);
      for (Targets.Target t : targets.all()) {
        tests.add(dynamicTest(c.id() + " on " + t.name(), () -> {
          Curve ours;
          try (Executable exe = t.compile(c.spec())) {
            ours = EpochTrainer.train(exe, c, 0, c.epochs());
          }
          double losses = 0;
          for (int e = 0; e < c.epochs(); e++) {
            double r = djl.epochLosses().get(e);
            losses = Math.max(losses, Math.abs(ours.epochLosses().get(e) - r) / Math.abs(r));
          }
          double weights = 0;
          for (int i = 0; i < djl.state().parameters().size(); i++) {
            weights = Math.max(weights, relative(ours.state().parameters().get(i),
                djl.state().parameters().get(i)));
          }
          System.out.printf("DJL check %s on %s: losses %s vs DJL %s, max relative %.2e;"
              + " final weights max relative %.2e%n", c.id(), t.name(), ours.epochLosses(),
              djl.epochLosses(), losses, weights);
          assertThat(losses).as("per-epoch losses vs DJL: %s vs %s", ours.epochLosses(),
              djl.epochLosses()).isLessThanOrEqualTo(LOSSES);
          assertThat(weights).as("final weights vs DJL").isLessThanOrEqualTo(WEIGHTS);
          assertThat(ours.state().iterations()).isEqualTo(djl.state().iterations());
        }));
      }
    }
    return tests.stream();
  }

  /**
   * The kit's convnet without its BatchNormalization: {@code (8, 8, 1) -> Conv2D(4, 3, relu) ->
   * MaxPooling2D(2) -> Flatten -> Dense(3, softmax)}, Adam(0.01), sparse CE.
   */
  static ModelCase convnet() {
    ModelCase bn = ModelCases.convnetBatchNorm();
    return new ModelCase("convnet", "(8, 8, 1) -> Conv2D(4, 3, relu) -> MaxPooling2D(2) ->"
        + " Flatten -> Dense(3, softmax), Adam(0.01), sparse categorical CE", bn.inputShape(),
        bn.layers().stream().filter(l -> !(l instanceof dev.backplane.model.BatchNormalization))
            .toList(), bn.loss(), bn.optimizer(), bn.seed(), bn.x(), bn.y(), bn.epochs(),
        bn.batchSize());
  }

  private static double relative(NamedArray a, NamedArray r) {
    assertThat(a.name()).isEqualTo(r.name());
    double scale = 1e-6;
    double worst = 0;
    for (int i = 0; i < r.values().length; i++) {
      scale = Math.max(scale, Math.abs(r.values()[i]));
      worst = Math.max(worst, Math.abs(a.values()[i] - r.values()[i]));
    }
    return worst / scale;
  }
}
