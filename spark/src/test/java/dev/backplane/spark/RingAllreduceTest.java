package dev.backplane.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The ring allreduce between threads standing in for barrier tasks. */
class RingAllreduceTest {
  private static List<RingAllreduce> ring(int tasks) {
    List<RingAllreduce> rings = new ArrayList<>();
    String[] addresses = new String[tasks];
    for (int t = 0; t < tasks; t++) {
      rings.add(new RingAllreduce(t, tasks, () -> false));
      addresses[t] = "127.0.0.1:" + rings.get(t).port();
    }
    ExecutorService pool = Executors.newFixedThreadPool(tasks);
    try {
      List<Future<?>> joined = new ArrayList<>();
      for (RingAllreduce r : rings) {
        joined.add(pool.submit(() -> r.connect(addresses)));
      }
      for (Future<?> f : joined) {
        f.get();
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      pool.shutdown();
    }
    return rings;
  }

  @Test
  void everyTaskGetsTheSameSumForSizesThatDoNotDivideEvenly() throws Exception {
    for (int tasks : new int[] {2, 3, 5}) {
      List<RingAllreduce> rings = ring(tasks);
      ExecutorService pool = Executors.newFixedThreadPool(tasks);
      try {
        for (int n : new int[] {1, 7, 1000}) {
          List<Future<float[]>> results = new ArrayList<>();
          List<Future<double[]>> gathered = new ArrayList<>();
          for (int t = 0; t < tasks; t++) {
            int task = t;
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
              v[i] = (task + 1) * 0.1f + i;
            }
            results.add(pool.submit(() -> {
              rings.get(task).sum(v);
              return v;
            }));
          }
          float[] first = results.get(0).get();
          for (int i = 0; i < n; i++) {
            double expected = 0;
            for (int t = 0; t < tasks; t++) {
              expected += (t + 1) * 0.1f + i;
            }
            assertThat((double) first[i]).isCloseTo(expected, org.assertj.core.api.Assertions
                .within(1e-4 * Math.max(1, expected)));
          }
          for (Future<float[]> r : results) {
            assertThat(r.get()).as(tasks + " tasks, " + n + " values").isEqualTo(first);
          }
          for (int t = 0; t < tasks; t++) {
            int task = t;
            gathered.add(pool.submit(() -> rings.get(task).gather(task * 1.5)));
          }
          for (Future<double[]> g : gathered) {
            double[] all = g.get();
            for (int t = 0; t < tasks; t++) {
              assertThat(all[t]).isEqualTo(t * 1.5);
            }
          }
        }
      } finally {
        pool.shutdown();
        rings.forEach(RingAllreduce::close);
      }
    }
  }

  @Test
  void aPeerThatClosesFailsTheOthersInsteadOfLeavingThemWaiting() throws Exception {
    List<RingAllreduce> rings = ring(3);
    rings.get(1).close();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      // task 2 reads from task 1, which is gone
      Future<?> f = pool.submit(() -> rings.get(2).sum(new float[100]));
      assertThatThrownBy(f::get).hasCauseInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("Allreduce of task 2 failed");
    } finally {
      pool.shutdown();
      rings.forEach(RingAllreduce::close);
    }
  }
}
