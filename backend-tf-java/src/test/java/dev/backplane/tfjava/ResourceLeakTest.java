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
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;

/**
 * Compiling, stepping and closing a model 200 times leaves native memory, JavaCPP's live pointers
 * and the process's threads where they were after warming up.
 *
 * <p>Native memory is the resident set minus what the JVM has committed for heap and non-heap,
 * after a GC and {@code malloc_trim}. Calibration on this model: an executable left open holds
 * about 2.2 MiB, so 200 leaks add some 440 MiB; with every executable closed the resident set
 * oscillates by up to about 130 MiB (allocator arenas and caches) without a trend over 700
 * cycles. JavaCPP's count of live pointers (every TF tensor, graph and session handle) must
 * return exactly.
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
      Usage before = Usage.now();
      cycles(tf, spec, 200);
      Usage after = Usage.now();
      System.out.println("200 compile/step/close cycles: before " + before + ", after " + after);
      assertThat(after.nativeBytes - before.nativeBytes).isLessThan(256L << 20);
      assertThat(after.threads - before.threads).isLessThanOrEqualTo(2);
      assertThat(after.pointers - before.pointers).isLessThan(50);
    }
  }

  /** Each cycle compiles, steps and closes; every tenth also probes (a raw C-API session). */
  private static void cycles(Backend tf, ModelSpec spec, int n) {
    float[] out = new float[32];
    TfJavaProvider provider = new TfJavaProvider();
    for (int i = 0; i < n; i++) {
      if (i % 10 == 0) {
        provider.probe(CrossBackendComparison.context(2, false));
      }
      try (Executable e = CrossBackendComparison.compileOnFirstDevice(tf, spec)) {
        e.trainStep(DATA[0].rows(0, 32), DATA[1].rows(0, 32), out);
        e.trainStep(DATA[0].rows(32, 64), DATA[1].rows(32, 64), out);
        e.evaluateStep(DATA[0].rows(0, 20), DATA[1].rows(0, 20), out);
        e.predict(DATA[0].rows(0, 7), out);
        e.snapshot();
      }
    }
  }

  /** Native memory, threads from /proc/self/status, and JavaCPP's live pointers. */
  private record Usage(long nativeBytes, long rssBytes, long threads, long pointers) {
    static Usage now() throws IOException {
      System.gc();
      trimMalloc();
      MemoryMXBean jvm = ManagementFactory.getMemoryMXBean();
      long committed = jvm.getHeapMemoryUsage().getCommitted()
          + jvm.getNonHeapMemoryUsage().getCommitted();
      long rss = Pointer.physicalBytes();
      long threads = -1;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Threads:")) {
          threads = Long.parseLong(line.substring(8).trim());
        }
      }
      return new Usage(rss - committed, rss, threads, Pointer.totalCount());
    }

    /** Returns freed heap pages to the OS (JavaCPP's malloc_trim; private in 1.5.11). */
    private static void trimMalloc() {
      try {
        Method trim = Pointer.class.getDeclaredMethod("trimMemory");
        trim.setAccessible(true);
        trim.invoke(null);
      } catch (ReflectiveOperationException | RuntimeException e) {
        // Without the trim the measurement is only noisier.
      }
    }

    @Override
    public String toString() {
      return String.format("native %.1f MiB (RSS %.1f MiB), %d threads, %d JavaCPP pointers",
          nativeBytes / 1048576.0, rssBytes / 1048576.0, threads, pointers);
    }
  }
}
