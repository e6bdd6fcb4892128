package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How a pass's element-wise work is cut over the compute pool. */
class PassRunnerTest {
  private static ComputePool pool;

  @BeforeAll
  static void open() {
    pool = new ComputePool(2);
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  /** Records each range and the worker that ran it. */
  private static final class Recorder implements PassRunner.RangeWork {
    final List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
    final Set<Integer> workers = ConcurrentHashMap.newKeySet();

    @Override
    public void run(Pass pass, int from, int to, int worker) {
      ranges.add(new int[] {from, to});
      workers.add(worker);
    }

    /** How often each item was covered. */
    int[] coverage(int count) {
      int[] seen = new int[count];
      for (int[] r : ranges) {
        for (int i = r[0]; i < r[1]; i++) {
          seen[i]++;
        }
      }
      return seen;
    }
  }

  @Test
  void largeWorkIsCutIntoChunksThatCoverEveryItemOnce() {
    Recorder work = new Recorder();
    new PassRunner(pool, null).run(work, 129, PassRunner.PARALLEL_ELEMENTS);
    assertThat(work.ranges).hasSize(PassRunner.CHUNKS_PER_THREAD * 2);
    assertThat(work.coverage(129)).containsOnly(1);
    assertThat(work.workers).allMatch(w -> w >= 0 && w < 2);
  }

  @Test
  void smallWorkRunsAsOneRangeOnTheCallingThread() {
    Recorder work = new Recorder();
    new PassRunner(pool, null).run(work, 128, PassRunner.PARALLEL_ELEMENTS - 1);
    assertThat(work.ranges).containsExactly(new int[] {0, 128});
    assertThat(work.workers).containsExactly(0);
  }

  @Test
  void withoutAPoolEverythingRunsAsOneRange() {
    Recorder work = new Recorder();
    new PassRunner(null, null).run(work, 500, Long.MAX_VALUE);
    assertThat(work.ranges).containsExactly(new int[] {0, 500});
    assertThat(PassRunner.workers(null)).isEqualTo(1);
    assertThat(PassRunner.workers(pool)).isEqualTo(2);
  }

  @Test
  void fewerItemsThanChunksGiveNoEmptyRanges() {
    Recorder work = new Recorder();
    new PassRunner(pool, null).run(work, 3, Long.MAX_VALUE);
    assertThat(work.coverage(3)).containsOnly(1);
    assertThat(work.ranges).allMatch(r -> r[1] > r[0]);
  }
}
