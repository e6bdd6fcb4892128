package dev.backplane.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.GpuProvider;
import dev.backplane.testing.ReferenceExecutable;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code fit}/{@code evaluate}/{@code predict} on datasets against the same data as tensors. */
class DatasetFitTest {
  private final List<Backplane> opened = new ArrayList<>();
  private final PrintStream out = new PrintStream(new ByteArrayOutputStream(), true,
      StandardCharsets.UTF_8);

  @AfterEach
  void close() {
    opened.forEach(Backplane::close);
  }

  private Backplane reference() {
    Backplane bp = TestBackplanes.of(TestBackplanes.config("backplane.seed", "7"),
        new ReferenceFakeProvider());
    opened.add(bp);
    return bp;
  }

  private Sequential compiled(Backplane bp, String... device) {
    Sequential m = new Sequential(new int[] {4}, new Dense(8, "relu"), new Dense(1, "sigmoid"));
    m.compile(CompileOptions.builder().optimizer("adam").loss("binary_crossentropy")
        .metrics("accuracy").backplane(bp).seed(7).device(device).build());
    return m;
  }

  /** 27 samples (a short last batch at size 4), 4 features, label x0 > x1. */
  static Tensor[] data() {
    SplittableRandom r = new SplittableRandom(3);
    int n = 27;
    float[] x = new float[n * 4];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) r.nextDouble(-1, 1);
      }
      y[i] = x[i * 4] > x[i * 4 + 1] ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, n, 4), Tensor.wrap(y, n, 1)};
  }

  /** The tensors behind a dataset that is not an {@link ArrayDataset}, as a file's would be. */
  static Dataset rowsOf(Tensor x, Tensor y) {
    ArrayDataset a = Dataset.of(x, y);
    return new Dataset() {
      @Override
      public int size() {
        return a.size();
      }

      @Override
      public int[] featureShape() {
        return a.featureShape();
      }

      @Override
      public int labelSize() {
        return a.labelSize();
      }

      @Override
      public void read(int row, float[] xs, int xOffset, float[] ys, int yOffset) {
        a.read(row, xs, xOffset, ys, yOffset);
      }
    };
  }

  private FitOptions.Builder quiet() {
    return FitOptions.builder().epochs(3).batchSize(4).verbose(Verbosity.SILENT).output(out);
  }

  @Test
  void shuffledFitOnRowsGivesExactlyTheLossesOfTheTensors() {
    Tensor[] d = data();
    Sequential fromTensors = compiled(reference());
    History a = fromTensors.fit(d[0], d[1], quiet().validationSplit(0.25).build());
    Sequential fromRows = compiled(reference());
    History b = fromRows.fit(rowsOf(d[0], d[1]), quiet().validationSplit(0.25).build());
    assertThat(b.history()).isEqualTo(a.history());
    assertThat(b.get("loss")).hasSize(3);
    assertThat(b.history()).containsKey("val_loss");
    assertSame(fromRows.getWeights(), fromTensors.getWeights());
    assertThat(fromRows.evaluate(rowsOf(d[0], d[1]), 5))
        .isEqualTo(fromTensors.evaluate(d[0], d[1], 5));
    assertThat(fromRows.predict(rowsOf(d[0], d[1]), 5).toArray())
        .containsExactly(fromTensors.predict(d[0], 5).toArray());
  }

  @Test
  void unshuffledStreamGivesExactlyTheLossesOfUnshuffledTensors() {
    Tensor[] d = data();
    Sequential fromTensors = compiled(reference());
    History a = fromTensors.fit(d[0], d[1], quiet().shuffle(false).build());
    List<Batch> batches = new ArrayList<>();
    for (int s = 0; s < 27; s += 4) {
      int e = Math.min(27, s + 4);
      batches.add(new Batch(d[0].rows(s, e), d[1].rows(s, e)));
    }
    Dataset stream = Dataset.ofBatches(batches, new int[] {4}, 1);
    Sequential fromStream = compiled(reference());
    // shuffle is ignored for a stream, as Keras ignores it for generators
    History b = fromStream.fit(stream, quiet().build());
    assertThat(b.history()).isEqualTo(a.history());
    assertThat(fromStream.evaluate(stream, 4)).isEqualTo(fromTensors.evaluate(d[0], d[1], 4));
    assertThat(fromStream.predict(stream, 4).toArray())
        .containsExactly(fromTensors.predict(d[0], 4).toArray());
    assertThatThrownBy(() -> fromStream.fit(stream, quiet().validationSplit(0.2).build()))
        .hasMessageContaining("validation_split is only supported");
  }

  @Test
  void arrayDatasetIsTheTensorPath() {
    Tensor[] d = data();
    History a = compiled(reference()).fit(d[0], d[1], quiet().build());
    History b = compiled(reference()).fit(Dataset.of(d[0], d[1]), quiet().build());
    assertThat(b.history()).isEqualTo(a.history());
    float[][] rows = d[0].toMatrix();
    float[] labels = d[1].toArray();
    History c = compiled(reference()).fit(Dataset.of(rows, labels), quiet().build());
    assertThat(c.history()).isEqualTo(a.history());
  }

  private Backplane withGpu(GpuProvider gpu) {
    Backplane bp = Backplane.builder().serviceLoader(false)
        .config(TestBackplanes.config("backplane.guard.snapshot.every", "3"))
        .addProvider(gpu).addProvider(new ReferenceFakeProvider()).build();
    opened.add(bp);
    return bp;
  }

  /** A GPU whose steps give NaN from step {@code from} on, so the guard fails over and replays. */
  private static GpuProvider nanFrom(long from) {
    return new GpuProvider("flaky", (spec, device) -> {
      ReferenceExecutable e = spy(new ReferenceExecutable(spec, device, "flaky"));
      doAnswer(inv -> {
        long step = ((ReferenceExecutable) inv.getMock()).iterations();
        Object loss = inv.callRealMethod();
        if (step < from) {
          return loss;
        }
        Arrays.fill((float[]) inv.getArgument(2), Float.NaN);
        return Double.NaN;
      }).when(e).trainStep(any(), any(), any());
      return e;
    });
  }

  @Test
  void aGuardedFailoverReplaysDatasetBatchesAsItReplaysTensorBatches() {
    Tensor[] d = data();
    Sequential fromTensors = compiled(withGpu(nanFrom(11)), "flaky", "cpu");
    History a = fromTensors.fit(d[0], d[1], quiet().build());
    Sequential fromRows = compiled(withGpu(nanFrom(11)), "flaky", "cpu");
    History b = fromRows.fit(rowsOf(d[0], d[1]), quiet().build());
    assertThat(fromRows.device()).isEqualTo(Device.cpu("accelerate", 0));
    assertThat(b.history()).isEqualTo(a.history());
    assertSame(fromRows.getWeights(), fromTensors.getWeights());
  }

  @Test
  void badDataIsRejectedBeforeAnyStepNamingTheRow() {
    Tensor[] d = data();
    float[] x = d[0].toArray();
    x[9 * 4 + 2] = Float.NaN;
    Sequential m = compiled(reference());
    assertThatThrownBy(() -> m.fit(rowsOf(Tensor.wrap(x, 27, 4), d[1]), quiet().build()))
        .hasMessageContaining("x contains NaN at row 9");
    float[] y = d[1].toArray();
    y[5] = 3;
    assertThatThrownBy(() -> m.fit(rowsOf(d[0], Tensor.wrap(y, 27, 1)), quiet().build()))
        .hasMessageContaining("label 3.0 at row 5");
    assertThatThrownBy(() -> m.fit(rowsOf(Tensor.wrap(new float[27 * 3], 27, 3), d[1]),
        quiet().build())).hasMessageContaining("expected shape (None, 4)");
    assertThatThrownBy(() -> m.fit(rowsOf(d[0], null), quiet().build()))
        .hasMessageContaining("needs labels");
    Map<String, Double> logs = m.evaluate(rowsOf(d[0], d[1]), 32);
    assertThat(logs).containsKeys("loss", "accuracy");
  }

  private static void assertSame(List<NamedArray> actual, List<NamedArray> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      assertThat(actual.get(i).values()).as(actual.get(i).name())
          .containsExactly(expected.get(i).values());
    }
  }
}
