package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.model.Dense;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Threads and native memory are held only between open and close. */
class ResourceTest {
  private static final ModelSpec SPEC = Fixtures.spec(16, Loss.MEAN_SQUARED_ERROR, new Adam(), 3,
      new Dense(32, "relu"), new Dense(2));

  private static long computeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("backplane-accelerate-") && t.isAlive()).count();
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void closeStopsTheThreadsAndFreesNativeMemory(String mode) {
    long threads = computeThreads();
    long memory = NativeMemory.liveBytes();
    AccelerateBackend backend = Fixtures.backend(mode, 4);
    assertThat(computeThreads()).isEqualTo(threads + 3);
    Executable exe = backend.compile(SPEC, AccelerateBackend.DEVICE);
    Fixtures.train(exe, Fixtures.uniform(1, 8, 16, 0, 1), Fixtures.uniform(2, 8, 2, 0, 1), 2, 2);
    if (mode.equals("native")) {
      assertThat(NativeMemory.liveBytes()).isGreaterThan(memory);
    }
    backend.close();
    assertThat(backend.isTerminated()).isTrue();
    assertThat(computeThreads()).isEqualTo(threads);
    assertThat(NativeMemory.liveBytes()).isEqualTo(memory);
    // Closing the backend closed the executable it compiled.
    assertThatThrownBy(() -> exe.snapshot()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> backend.compile(SPEC, AccelerateBackend.DEVICE))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    backend.close();
    exe.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"java", "native"})
  void compileAndClose200TimesLeavesNoThreadsOrMemory(String mode) {
    long threads = computeThreads();
    long memory = NativeMemory.liveBytes();
    Tensor x = Fixtures.uniform(1, 4, 16, 0, 1);
    Tensor y = Fixtures.uniform(2, 4, 2, 0, 1);
    try (AccelerateBackend backend = Fixtures.backend(mode, 2)) {
      for (int i = 0; i < 200; i++) {
        try (Executable exe = backend.compile(SPEC, AccelerateBackend.DEVICE)) {
          Fixtures.train(exe, x, y, 2, 1);
          exe.predict(x, new float[8]);
        }
      }
      assertThat(backend.openExecutables()).isZero();
      assertThat(computeThreads()).isEqualTo(threads + 1);
    }
    assertThat(computeThreads()).isEqualTo(threads);
    assertThat(NativeMemory.liveBytes()).isEqualTo(memory);
  }

  @Test
  void openAndClose200BackendsLeavesNoThreads() {
    long threads = computeThreads();
    for (int i = 0; i < 200; i++) {
      Fixtures.backend("java", 2).close();
    }
    assertThat(computeThreads()).isEqualTo(threads);
  }

  @Test
  void poolRunsEveryChunkOnceOnSomeWorker() {
    try (ComputePool pool = new ComputePool(3)) {
      java.util.concurrent.atomic.AtomicIntegerArray runs =
          new java.util.concurrent.atomic.AtomicIntegerArray(37);
      java.util.Set<Integer> workers = java.util.concurrent.ConcurrentHashMap.newKeySet();
      for (int repeat = 0; repeat < 50; repeat++) {
        pool.run((chunk, chunks, worker) -> {
          assertThat(chunks).isEqualTo(37);
          runs.incrementAndGet(chunk);
          workers.add(worker);
        }, 37);
      }
      for (int c = 0; c < 37; c++) {
        assertThat(runs.get(c)).as("chunk %d", c).isEqualTo(50);
      }
      assertThat(workers).isSubsetOf(0, 1, 2).contains(0);
    }
  }

  @Test
  void poolRunsPartsInParallelAndPropagatesFailures() {
    try (ComputePool pool = new ComputePool(3)) {
      int[] seen = new int[3];
      pool.run((part, parts) -> seen[part] = parts);
      assertThat(seen).containsExactly(3, 3, 3);
      assertThatThrownBy(() -> pool.run((part, parts) -> {
        if (part == 2) {
          throw new IllegalStateException("part 2 failed");
        }
      })).isInstanceOf(IllegalStateException.class).hasMessage("part 2 failed");
      pool.run((part, parts) -> seen[part] = -parts);
      assertThat(seen).containsExactly(-3, -3, -3);
    }
  }
}
