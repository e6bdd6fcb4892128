package dev.backplane.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.conformance.javaref.JavaRefProvider;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.spi.Executable;
import dev.backplane.testing.TestBackplanes;
import org.junit.jupiter.api.Test;

/** The kit's SPI-driven epochs are exactly what {@code Sequential.fit} does. */
class EpochTrainerTest {
  @Test
  void epochLossesAndStateEqualSequentialFitBitwise() {
    JavaRefProvider provider = new JavaRefProvider();
    for (ModelCase c : ModelCases.all()) {
      History history;
      dev.backplane.spi.ModelState fitted;
      try (Backplane bp = TestBackplanes.of(TestBackplanes.config(), provider);
          Sequential model = c.toSequential()) {
        model.compile(CompileOptions.builder().optimizer(c.optimizer()).loss(c.loss())
            .backplane(bp).seed(c.seed()).build());
        history = model.fit(c.x(), c.y(), FitOptions.builder().epochs(c.epochs())
            .batchSize(c.batchSize()).verbose(0).build());
        fitted = model.getState();
      }
      Curve curve;
      try (Backplane bp = TestBackplanes.of(TestBackplanes.config(), provider);
          Executable exe = bp.compile(c.spec(), bp.place().device())) {
        curve = EpochTrainer.train(exe, c, 0, c.epochs());
      }
      assertThat(curve.epochLosses()).as(c.id()).isEqualTo(history.get("loss"));
      assertThat(Deviation.exact(curve.state(), fitted)).as(c.id()).isZero();
    }
  }

  @Test
  void batchesCoverEverySampleOnceWithAShortLastBatch() {
    ModelCase c = ModelCases.regressionMse();
    assertThat(EpochTrainer.batches(c, 0)).hasSize(7).last()
        .satisfies(b -> assertThat(b).hasSize(200 - 6 * 32));
    assertThat(EpochTrainer.batches(c, 0).stream().flatMapToInt(java.util.Arrays::stream)
        .sorted().toArray()).isEqualTo(java.util.stream.IntStream.range(0, 200).toArray());
    assertThat(EpochTrainer.order(200, 42, 0)).isNotEqualTo(EpochTrainer.order(200, 42, 1));
  }
}
