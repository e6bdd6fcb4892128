package dev.backplane.stress;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.Backplane;
import dev.backplane.accelerate.AccelerateProvider;
import dev.backplane.metal.MetalProvider;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.TestBackplanes;
import dev.backplane.tfjava.TfJavaProvider;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The stress suite on the real backends: two threads predicting and evaluating, one fitting, and
 * the test thread closing and compiling the same model, bounded in iterations. The JVM must not
 * crash (native memory freed under a running kernel would), no call may fail except with the
 * documented {@code IllegalStateException}s (closed, or busy fitting), and the model must train
 * and predict normally afterwards.
 */
class ConcurrentUseOnEveryBackendTest {
  private static final int CALLS = 200;
  private static final int LIFECYCLES = 20;
  private static final int FITS = 8;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"accelerate", "tf-java", "metal"})
  void predictFitCompileAndCloseRaceWithoutCrashOrSpuriousError(String backend)
      throws Exception {
    Tensor[] data = data();
    Tensor x = data[0];
    Tensor y = data[1];
    try (Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.metal.simulate",
        "ok"), new AccelerateProvider(), new TfJavaProvider(), new MetalProvider())) {
      CompileOptions options = CompileOptions.builder().optimizer("adam")
          .loss("sparse_categorical_crossentropy").backplane(bp).seed(3).device(backend)
          .build();
      Sequential model = new Sequential(new int[] {8}, new Dense(16, "relu"),
          new Dense(3, "softmax"));
      model.compile(options);
      assertThat(model.device().backend()).isEqualTo(backend);

      List<Throwable> unexpected = new CopyOnWriteArrayList<>();
      AtomicInteger documented = new AtomicInteger();
      AtomicInteger completed = new AtomicInteger();
      AtomicInteger refusedCompiles = new AtomicInteger();
      CountDownLatch done = new CountDownLatch(3);
      Runnable inference = () -> {
        try {
          for (int i = 0; i < CALLS; i++) {
            try {
              if (i % 4 == 0) {
                assertThat(model.evaluate(x, y).get("loss")).isFinite();
              } else {
                Tensor p = model.predict(x.rows(0, 16));
                assertThat(p.shape()).containsExactly(16, 3);
              }
              completed.incrementAndGet();
            } catch (IllegalStateException e) {
              expectDocumented(e, documented, unexpected);
            }
          }
        } catch (Throwable t) {
          unexpected.add(t);
        } finally {
          done.countDown();
        }
      };
      Runnable training = () -> {
        try {
          for (int i = 0; i < FITS; i++) {
            try {
              model.fit(x, y, FitOptions.builder().epochs(1).batchSize(16)
                  .verbose(Verbosity.SILENT)
                  .output(new PrintStream(OutputStream.nullOutputStream())).build());
              completed.incrementAndGet();
            } catch (IllegalStateException e) {
              expectDocumented(e, documented, unexpected);
            }
          }
        } catch (Throwable t) {
          unexpected.add(t);
        } finally {
          done.countDown();
        }
      };
      Thread[] threads = {new Thread(inference), new Thread(inference), new Thread(training)};
      for (Thread t : threads) {
        t.start();
      }
      for (int i = 0; i < LIFECYCLES; i++) {
        try {
          if (i % 2 == 0) {
            model.close();
          } else {
            model.compile(options);
          }
        } catch (IllegalStateException e) {
          expectDocumented(e, refusedCompiles, unexpected);
        }
        Thread.yield();
      }
      done.await();

      assertThat(unexpected).isEmpty();
      assertThat(completed.get() + documented.get()).isEqualTo(2 * CALLS + FITS);
      model.compile(options);
      double before = model.evaluate(x, y).get("loss");
      model.fit(x, y, FitOptions.builder().epochs(5).batchSize(16).verbose(Verbosity.SILENT)
          .output(new PrintStream(OutputStream.nullOutputStream())).build());
      assertThat(model.evaluate(x, y).get("loss")).isLessThan(before);
      model.close();
    }
  }

  private static void expectDocumented(IllegalStateException e, AtomicInteger documented,
      List<Throwable> unexpected) {
    String m = String.valueOf(e.getMessage());
    // closed under the call, or compile refused while the other thread fits
    if (m.contains("model 'sequential' is closed; compile it again")
        || m.equals("Cannot compile model 'sequential' while it is fitting")) {
      documented.incrementAndGet();
    } else {
      unexpected.add(e);
    }
  }

  /** 64 samples of 8 features; the label is the index of the largest of the first three. */
  private static Tensor[] data() {
    SplittableRandom r = new SplittableRandom(17);
    float[] x = new float[64 * 8];
    float[] y = new float[64];
    for (int i = 0; i < 64; i++) {
      for (int j = 0; j < 8; j++) {
        x[i * 8 + j] = (float) r.nextDouble(-1, 1);
      }
      int best = 0;
      for (int j = 1; j < 3; j++) {
        if (x[i * 8 + j] > x[i * 8 + best]) {
          best = j;
        }
      }
      y[i] = best;
    }
    return new Tensor[] {Tensor.wrap(x, 64, 8), Tensor.wrap(y, 64, 1)};
  }
}
