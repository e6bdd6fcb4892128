package dev.backplane.accelerate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Dispatch of the compute pool: parts on the workers, or on the caller alone. */
class ComputePoolTest {
  private static ComputePool pool;

  @BeforeAll
  static void open() {
    pool = new ComputePool(2);
  }

  @AfterAll
  static void close() {
    pool.close();
  }

  private static List<String> threadsOfParts() {
    List<String> names = new CopyOnWriteArrayList<>();
    pool.run((part, parts) -> names.add(part + "/" + parts + " " + Thread.currentThread()
        .getName()));
    return names;
  }

  @Test
  void aFreePoolRunsPartOneOnAWorker() {
    List<String> names = threadsOfParts();
    assertThat(names).hasSize(2);
    assertThat(names).anyMatch(n -> n.startsWith("1/2 backplane-accelerate-"));
    assertThat(names).anyMatch(n -> n.equals("0/2 " + Thread.currentThread().getName()));
  }

  @Test
  void aSoloThreadRunsEverythingItself() {
    String me = Thread.currentThread().getName();
    pool.beginSolo();
    try {
      assertThat(threadsOfParts()).containsExactly("0/1 " + me);
      pool.beginSolo();
      pool.endSolo();
      List<String> chunks = new CopyOnWriteArrayList<>();
      pool.run((chunk, count, worker) -> chunks.add(chunk + " " + worker + " "
          + Thread.currentThread().getName()), 4);
      assertThat(chunks).containsExactly("0 0 " + me, "1 0 " + me, "2 0 " + me, "3 0 " + me);
    } finally {
      pool.endSolo();
    }
    assertThat(threadsOfParts()).hasSize(2);
  }

  @Test
  void soloIsPerThread() throws Exception {
    pool.beginSolo();
    try {
      List<String>[] seen = new List[1];
      Thread other = new Thread(() -> seen[0] = threadsOfParts());
      other.start();
      other.join();
      assertThat(seen[0]).hasSize(2);
    } finally {
      pool.endSolo();
    }
  }

  @Test
  void endSoloWithoutBeginIsAnError() {
    assertThatThrownBy(pool::endSolo).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without beginSolo()");
  }
}
