package dev.backplane.tfjava;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.Activation;
import dev.backplane.model.Dense;
import dev.backplane.model.Dropout;
import dev.backplane.model.Loss;
import dev.backplane.optimizer.Adam;
import dev.backplane.spi.Backend;
import dev.backplane.spi.Executable;
import dev.backplane.spi.ModelSpec;
import dev.backplane.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Compiling, stepping and closing a model 200 times leaves native memory, JavaCPP's live pointers
 * and the process's threads where they were after warming up.
 */
class ResourceLeakTest {
  private static final Tensor[] DATA = CrossBackendComparison.binaryData(64, 10, 1);

  @Test
  void compileAndClose200TimesDoesNotGrow() throws IOException {
    ModelSpec spec = ModelSpec.create("leak", new int[] {10},
        List.of(new Dense(128, Activation.RELU).withName("dense"), new Dropout(0.2, "dropout"),
            new Dense(1, Activation.SIGMOID).withName("dense_1")),
        Loss.BINARY_CROSSENTROPY, new Adam(), 42);
    try (Backend tf = new TfJavaProvider().open(CrossBackendComparison.context(2, false))) {
      cycles(tf, spec, 30);
      System.gc();
      Usage before = Usage.now();
      cycles(tf, spec, 200);
      System.gc();
      Usage after = Usage.now();
      System.out.println("200 compile/step/close cycles: before " + before + ", after " + after);
      // Generous bounds: a leaked graph and session cost well over 100 KiB each, so 200 leaks
      // would show as tens of MiB; allocator caching accounts for a few MiB of drift.
      assertThat(after.rssBytes - before.rssBytes).isLessThan(48L << 20);
      assertThat(after.threads - before.threads).isLessThanOrEqualTo(2);
      assertThat(after.pointers - before.pointers).isLessThan(50);
    }
  }

  private static void cycles(Backend tf, ModelSpec spec, int n) {
    float[] out = new float[32];
    for (int i = 0; i < n; i++) {
      try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, spec)) {
        e.trainStep(DATA[0].rows(0, 32), DATA[1].rows(0, 32), out);
        e.trainStep(DATA[0].rows(32, 64), DATA[1].rows(32, 64), out);
        e.evaluateStep(DATA[0].rows(0, 20), DATA[1].rows(0, 20), out);
        e.predict(DATA[0].rows(0, 7), out);
        e.snapshot();
      }
    }
  }

  /** Resident memory and threads from /proc/self/status, and JavaCPP's live pointers. */
  private record Usage(long rssBytes, long threads, long pointers) {
    static Usage now() throws IOException {
      long rss = Pointer.physicalBytes();
      long threads = -1;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Threads:")) {
          threads = Long.parseLong(line.substring(8).trim());
        }
      }
      return new Usage(rss, threads, Pointer.totalCount());
    }

    @Override
    public String toString() {
      return String.format("RSS %.1f MiB, %d threads, %d JavaCPP pointers (%.1f MiB)",
          rssBytes / 1048576.0, threads, pointers, Pointer.totalBytes() / 1048576.0);
    }
  }
}
