package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reuse, bounds and release of the passes predictions run in. */
class PredictPassesTest {
  private static OpenBlasGemm gemm;
  private static MatrixEngine engine;
  /** The predict program of a small model: 8 inputs, one Dense layer. */
  private static final GraphCompiler.Compiled PROGRAM = GraphCompiler.compile(Fixtures.spec(8,
      dev.backplane.model.Loss.MEAN_SQUARED_ERROR, new dev.backplane.optimizer.SGD(0.1), 1,
      new dev.backplane.model.Dense(4)).programs().predict());

  @BeforeAll
  static void open() {
    gemm = OpenBlasGemm.load(null);
    engine = MatrixEngine.nativeBlas(gemm);
  }

  @AfterAll
  static void close() {
    gemm.close();
  }

  private static PredictPasses passes() {
    return new PredictPasses(1024, capacity -> new Frame(PROGRAM, engine, null, capacity));
  }

  @Test
  void capacitiesArePowersOfTwoUpToTheMaximum() {
    PredictPasses passes = passes();
    assertThat(passes.capacityFor(0)).isEqualTo(1);
    assertThat(passes.capacityFor(1)).isEqualTo(1);
    assertThat(passes.capacityFor(3)).isEqualTo(4);
    assertThat(passes.capacityFor(64)).isEqualTo(64);
    assertThat(passes.capacityFor(65)).isEqualTo(128);
    assertThat(passes.capacityFor(1024)).isEqualTo(1024);
    assertThat(passes.capacityFor(5000)).isEqualTo(1024);
    assertThatThrownBy(() -> new PredictPasses(1000, c -> null))
        .hasMessageContaining("power of two");
  }

  @Test
  void aReleasedPassIsReusedForTheSameCapacityOnly() {
    try (PredictPasses passes = passes()) {
      Frame first = passes.acquire(40);
      assertThat(first.capacity).isEqualTo(64);
      passes.release(first);
      assertThat(passes.acquire(33)).isSameAs(first);
      passes.release(first);
      Frame other = passes.acquire(8);
      assertThat(other).isNotSameAs(first);
      assertThat(other.capacity).isEqualTo(8);
      passes.release(other);
      assertThat(passes.idleCount()).isEqualTo(2);
    }
  }

  @Test
  void keepsABoundedNumberIdleAndFreesTheRest() {
    long before = NativeMemory.liveBytes();
    PredictPasses passes = passes();
    List<Frame> inUse = new ArrayList<>();
    for (int i = 0; i < PredictPasses.IDLE_PER_CAPACITY + 2; i++) {
      inUse.add(passes.acquire(16));
    }
    long perPass = (NativeMemory.liveBytes() - before) / inUse.size();
    assertThat(perPass).isPositive();
    inUse.forEach(passes::release);
    assertThat(passes.idleCount()).isEqualTo(PredictPasses.IDLE_PER_CAPACITY);
    assertThat(NativeMemory.liveBytes() - before)
        .isEqualTo(perPass * PredictPasses.IDLE_PER_CAPACITY);
    passes.close();
    assertThat(passes.idleCount()).isZero();
    assertThat(NativeMemory.liveBytes()).isEqualTo(before);
  }

  @Test
  void aPassGivenBackAfterCloseIsFreed() {
    long before = NativeMemory.liveBytes();
    PredictPasses passes = passes();
    Frame inFlight = passes.acquire(100);
    passes.close();
    assertThat(NativeMemory.liveBytes()).isGreaterThan(before);
    passes.release(inFlight);
    assertThat(passes.idleCount()).isZero();
    assertThat(NativeMemory.liveBytes()).isEqualTo(before);
  }
}
