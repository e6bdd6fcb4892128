package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.Backplane;
import dev.backplane.spi.NamedArray;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.FakeProvider;
import dev.backplane.testing.RecordingExecutable;
import dev.backplane.testing.TestBackplanes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SequentialTest {
  private final FakeProvider provider = new FakeProvider("accelerate", 100);
  /** A fake clock: every reading is 1 ms after the one before, so progress lines are fixed. */
  private final java.util.concurrent.atomic.AtomicLong clock =
      new java.util.concurrent.atomic.AtomicLong(1_000_000_000_000L);
  private final Backplane bp = Backplane.builder().serviceLoader(false)
      .config(TestBackplanes.config("backplane.seed", "7")).addProvider(provider)
      .nanoClock(() -> clock.addAndGet(1_000_000)).build();
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @AfterEach
  void close() {
    bp.close();
  }

  private Sequential compiled(Metric... metrics) {
    Sequential m = new Sequential(new int[] {2}, new Dense(4, "relu"), new Dense(1, "sigmoid"));
    m.compile(CompileOptions.builder().optimizer("adam").loss("binary_crossentropy")
        .metrics(metrics).backplane(bp).build());
    return m;
  }

  private RecordingExecutable exe() {
    return provider.compiled.get(provider.compiled.size() - 1);
  }

  /** x[i] = (i, 0), y[i] = i % 2. */
  private static Tensor[] data(int n) {
    float[] x = new float[n * 2];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      x[i * 2] = i;
      y[i] = i % 2;
    }
    return new Tensor[] {Tensor.wrap(x, n, 2), Tensor.wrap(y, n, 1)};
  }

  private FitOptions.Builder quiet() {
    return FitOptions.builder().verbose(Verbosity.SILENT).output(out);
  }

  @Test
  void layersAreNamedLikeKeras() {
    Sequential m = new Sequential(new int[] {3}, new Dense(2), new Dropout(0.5), new Dense(1));
    assertThat(m.layers()).extracting(Layer::name).containsExactly("dense", "dropout", "dense_1");
    assertThatThrownBy(() -> m.add(new Dense(1).withName("dense")))
        .hasMessageContaining("already has a layer named 'dense'");
  }

  @Test
  void summaryPrintsKerasTable() {
    Sequential m = new Sequential(new int[] {10}, new Dense(128, "relu"),
        new Dense(1, "sigmoid"));
    assertThat(m.summary()).isEqualTo(String.join("\n",
        "Model: \"sequential\"",
        "_________________________________________________________________",
        " Layer (type)                Output Shape              Param #   ",
        "=================================================================",
        " dense (Dense)               (None, 128)               1408      ",
        "                                                                 ",
        " dense_1 (Dense)             (None, 1)                 129       ",
        "=================================================================",
        "Total params: 1,537 (6.00 KB)",
        "Trainable params: 1,537 (6.00 KB)",
        "Non-trainable params: 0 (0.00 Byte)",
        "_________________________________________________________________"));
    assertThat(m.countParams()).isEqualTo(1537);
  }

  @Test
  void fitBeforeCompileUsesKerasMessage() {
    Sequential m = new Sequential(new int[] {2}, new Dense(1));
    Tensor[] d = data(4);
    assertThatThrownBy(() -> m.fit(d[0], d[1], 1, 2)).isInstanceOf(IllegalStateException.class)
        .hasMessage("You must compile your model before training/testing. Use"
            + " `model.compile(optimizer, loss)`.");
    assertThatThrownBy(() -> m.evaluate(d[0], d[1])).hasMessageContaining("You must compile");
  }

  @Test
  void predictBeforeCompilePlacesTheModelAsKerasDoes() {
    Sequential m = new Sequential(new int[] {2}, new Dense(1));
    Tensor[] d = data(4);
    // No backend is on the api's own test class path: predict goes to placement (and says which
    // artifact to add) instead of demanding compile() as fit and evaluate do.
    assertThatThrownBy(() -> m.predict(d[0])).isInstanceOf(dev.backplane.NoBackendException.class)
        .hasMessageNotContaining("You must compile");
    assertThat(m.isCompiled()).isFalse();
  }

  @Test
  void fitRunsEveryBatchOnceInASeededOrder() {
    Sequential m = compiled(Metric.ACCURACY);
    Tensor[] d = data(10);
    History h = m.fit(d[0], d[1], quiet().epochs(2).batchSize(4).build());
    RecordingExecutable e = exe();
    assertThat(e.trainBatches).extracting(b -> b.length).containsExactly(4, 4, 2, 4, 4, 2);
    List<Float> epoch1 = new ArrayList<>();
    List<Float> epoch2 = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      for (float v : e.trainBatches.get(i)) {
        (i < 3 ? epoch1 : epoch2).add(v);
      }
    }
    assertThat(epoch1).containsExactlyInAnyOrder(0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f);
    assertThat(epoch2).containsExactlyInAnyOrderElementsOf(epoch1);
    assertThat(epoch1).isNotEqualTo(epoch2);
    assertThat(h.epochs()).isEqualTo(2);
    assertThat(h.get("loss")).containsExactly(0.5, 0.5);
    assertThat(h.deviceRuns()).singleElement().satisfies(r -> {
      assertThat(r.steps()).isEqualTo(6);
      assertThat(r.reason()).isEqualTo("placement");
    });

    Sequential again = compiled(Metric.ACCURACY);
    again.fit(d[0], d[1], quiet().epochs(2).batchSize(4).build());
    for (int i = 0; i < 6; i++) {
      assertThat(exe().trainBatches.get(i)).containsExactly(e.trainBatches.get(i));
    }
  }

  @Test
  void initialEpochResumesWithTheShuffleOfThatEpoch() {
    Tensor[] d = data(10);
    Sequential whole = compiled();
    whole.fit(d[0], d[1], quiet().epochs(3).batchSize(5).build());
    List<float[]> expected = exe().trainBatches;

    Sequential resumed = compiled();
    History h = resumed.fit(d[0], d[1], quiet().epochs(3).initialEpoch(2).batchSize(5).build());
    assertThat(h.epochs()).isEqualTo(1);
    assertThat(exe().trainBatches).hasSize(2);
    assertThat(exe().trainBatches.get(0)).containsExactly(expected.get(4));
    assertThat(exe().trainBatches.get(1)).containsExactly(expected.get(5));
    assertThatThrownBy(() -> quiet().initialEpoch(-1).build())
        .hasMessageContaining("initial_epoch must be >= 0");
  }

  @Test
  void unshuffledOrderIsTheDataOrder() {
    Sequential m = compiled();
    Tensor[] d = data(5);
    m.fit(d[0], d[1], quiet().batchSize(5).shuffle(false).build());
    assertThat(exe().trainBatches.get(0)).containsExactly(0f, 1f, 2f, 3f, 4f);
  }

  @Test
  void unshuffledBatchesAreConsecutiveRowsWithTheirOwnLabels() {
    Sequential m = compiled(Metric.ACCURACY, Metric.MAE);
    Tensor[] d = data(10);
    History h = m.fit(d[0], d[1], quiet().epochs(2).batchSize(4).shuffle(false).build());
    assertThat(exe().trainBatches).hasSize(6);
    for (int epoch = 0; epoch < 2; epoch++) {
      assertThat(exe().trainBatches.get(3 * epoch)).containsExactly(0f, 1f, 2f, 3f);
      assertThat(exe().trainBatches.get(3 * epoch + 1)).containsExactly(4f, 5f, 6f, 7f);
      assertThat(exe().trainBatches.get(3 * epoch + 2)).containsExactly(8f, 9f);
    }
    // outputs are x's first value, i; labels i % 2: rows 0, 1 and the odd ones are right
    assertThat(h.get("accuracy")).containsExactly(0.6, 0.6);
    assertThat(h.get("mae")).containsExactly(4.0, 4.0);
    assertThat(h.get("loss")).containsExactly(0.5, 0.5);
  }

  @Test
  void shuffledBatchesCarryEachRowsLabels() {
    Tensor[] d = data(10);
    Sequential m = compiled(Metric.ACCURACY, Metric.MAE);
    History h = m.fit(d[0], d[1], quiet().epochs(2).batchSize(4).build());
    assertThat(h.get("accuracy")).containsExactly(0.6, 0.6);
    assertThat(h.get("mae")).containsExactly(4.0, 4.0);

    // two labels per row, (i, -i): the output i is off by 0 and 2i, so the mean error is i
    Sequential two = new Sequential(new int[] {2}, new Dense(2));
    two.compile(CompileOptions.builder().optimizer("sgd").loss("mse").metrics(Metric.MAE)
        .backplane(bp).build());
    float[] y = new float[20];
    for (int i = 0; i < 10; i++) {
      y[2 * i] = i;
      y[2 * i + 1] = -i;
    }
    History h2 = two.fit(d[0], Tensor.wrap(y, 10, 2), quiet().epochs(2).batchSize(4).build());
    assertThat(h2.get("mae")).containsExactly(4.5, 4.5);
    assertThat(h2.get("loss")).containsExactly(0.0, 0.0);
  }

  @Test
  void aProgressBarDrawsTheFirstBatchOfEachEpoch() {
    Sequential m = compiled();
    Tensor[] d = data(12);
    m.fit(d[0], d[1], FitOptions.builder().epochs(2).batchSize(4).shuffle(false)
        .verbose(Verbosity.PROGRESS_BAR).output(out).build());
    String text = printed.toString(StandardCharsets.UTF_8);
    String first = "\r1/3 [=========>....................] - ETA: 0s - loss: 0.5000";
    assertThat(text.split(java.util.regex.Pattern.quote(first), -1)).hasSize(3);
    assertThat(text).containsPattern("\r3/3 \\[={30}\\] - 0s \\dms/step ");
  }

  @Test
  void metricsAreComputedFromOutputsOnTheHost() {
    Sequential m = compiled(Metric.ACCURACY, Metric.MAE);
    float[] x = {0.9f, 0, 0.2f, 0, 0.7f, 0, 0.1f, 0};
    float[] y = {1, 1, 0, 1};
    Map<String, Double> r = m.evaluate(Tensor.wrap(x, 4, 2), Tensor.wrap(y, 4, 1));
    assertThat(r.get("loss")).isEqualTo(0.75);
    assertThat(r.get("accuracy")).isEqualTo(0.25);
    assertThat(r.get("mae")).isCloseTo((0.1 + 0.8 + 0.7 + 0.9) / 4, within(1e-6));
  }

  @Test
  void validationSplitHoldsOutTheTail() {
    Sequential m = compiled(Metric.ACCURACY);
    Tensor[] d = data(10);
    History h = m.fit(d[0], d[1], quiet().batchSize(10).validationSplit(0.2).build());
    assertThat(exe().trainBatches.get(0)).hasSize(8).doesNotContain(8f, 9f);
    assertThat(h.history()).containsKeys("loss", "accuracy", "val_loss", "val_accuracy");
  }

  @Test
  void progressLooksLikeKeras() {
    Sequential m = compiled(Metric.ACCURACY);
    Tensor[] d = data(64);
    m.fit(d[0], d[1], FitOptions.builder().epochs(2).batchSize(32)
        .verbose(Verbosity.ONE_LINE_PER_EPOCH).output(out).build());
    String text = printed.toString(StandardCharsets.UTF_8);
    assertThat(text.lines().toList()).hasSize(4);
    assertThat(text).startsWith("Epoch 1/2\n");
    assertThat(text.lines().skip(1).findFirst().orElseThrow())
        .matches("2/2 \\[==============================\\] - 0s 500us/step - loss: 0\\.5000"
            + " - accuracy: \\d\\.\\d{4}");
  }

  @Test
  void silentPrintsNothing() {
    Sequential m = compiled();
    Tensor[] d = data(4);
    m.fit(d[0], d[1], quiet().build());
    assertThat(printed.size()).isZero();
  }

  @Test
  void callbacksRunInKerasOrder() {
    Sequential m = compiled();
    List<String> events = new ArrayList<>();
    Callback recorder = new Callback() {
      @Override
      public void onTrainBegin(Sequential model) {
        events.add("train_begin");
      }

      @Override
      public void onEpochBegin(Sequential model, int epoch) {
        events.add("epoch_begin " + epoch);
      }

      @Override
      public void onBatchEnd(Sequential model, int batch, Map<String, Double> logs) {
        events.add("batch_end " + batch);
      }

      @Override
      public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
        events.add("epoch_end " + epoch + " " + logs.keySet());
      }

      @Override
      public void onTrainEnd(Sequential model, Map<String, Double> logs) {
        events.add("train_end");
      }
    };
    Tensor[] d = data(4);
    m.fit(d[0], d[1], quiet().epochs(2).batchSize(2).callbacks(recorder).build());
    assertThat(events).containsExactly("train_begin", "epoch_begin 0", "batch_end 0",
        "batch_end 1", "epoch_end 0 [loss]", "epoch_begin 1", "batch_end 0", "batch_end 1",
        "epoch_end 1 [loss]", "train_end");
  }

  @Test
  void terminateOnNanStopsAtTheBadBatch() {
    Sequential m = compiled();
    exe().lossOfStep = step -> step == 2 ? Double.NaN : 0.5;
    Tensor[] d = data(8);
    TerminateOnNaN stop = new TerminateOnNaN();
    History h = m.fit(d[0], d[1], quiet().epochs(3).batchSize(2).callbacks(stop).build());
    assertThat(stop.stoppedAtBatch()).isEqualTo(2);
    assertThat(exe().iterations()).isEqualTo(3);
    assertThat(h.epochs()).isEqualTo(1);
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("Batch 2: Invalid loss, terminating training");
  }

  @Test
  void earlyStoppingRestoresTheBestWeights() {
    Sequential m = compiled();
    List<NamedArray> best = m.getWeights();
    float[] changed = best.get(0).values().clone();
    changed[0] += 1;
    // One step per epoch; the loss gets worse every epoch, so epoch 0 is the best, and from
    // epoch 1 on "training" moves the weights away from it.
    exe().lossOfStep = step -> 0.5 + step;
    Callback worsen = new Callback() {
      @Override
      public void onEpochBegin(Sequential model, int e) {
        if (e >= 1) {
          List<NamedArray> w = new ArrayList<>(model.getWeights());
          w.set(0, new NamedArray(w.get(0).name(), w.get(0).shape(), changed));
          model.setWeights(w);
        }
      }
    };
    EarlyStopping early = new EarlyStopping("loss", 0, 1, true).verbose();
    Tensor[] d = data(4);
    History h = m.fit(d[0], d[1], quiet().epochs(10).batchSize(4).callbacks(early, worsen)
        .build());
    assertThat(h.epochs()).isEqualTo(2);
    assertThat(early.stoppedEpoch()).isEqualTo(1);
    assertThat(m.getWeights().get(0).values()).containsExactly(best.get(0).values());
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Epoch 2: early stopping")
        .contains("Restoring model weights from the end of the best epoch: 1.");
  }

  @Test
  void badInputIsRejectedBeforeAnyStepWithAClearMessage() {
    Sequential m = compiled();
    Tensor[] d = data(4);
    assertThatThrownBy(() -> m.fit(Tensor.zeros(4, 3), d[1], 1, 2))
        .hasMessageContaining("Input of layer 'dense' (Dense) is incompatible with the layer:"
            + " expected shape (None, 2), but received x with shape (4, 3)");
    assertThatThrownBy(() -> m.fit(d[0], Tensor.zeros(3, 1), 1, 2))
        .hasMessageContaining("x has 4 samples but y has 3");
    assertThatThrownBy(() -> m.fit(Tensor.zeros(0, 2), Tensor.zeros(0, 1), 1, 2))
        .hasMessageContaining("empty data");
    assertThatThrownBy(() -> m.fit(d[0], d[1], 1, 0)).hasMessageContaining("batch_size must be"
        + " >= 1, got 0");
    assertThatThrownBy(() -> m.fit(d[0], d[1], -1, 2)).hasMessageContaining("epochs must be"
        + " >= 0, got -1");
    float[] x = {0, 0, 1, Float.NaN, 2, 2, 3, 3};
    assertThatThrownBy(() -> m.fit(Tensor.wrap(x, 4, 2), d[1], 1, 2))
        .hasMessageContaining("x contains NaN at row 1");
    assertThatThrownBy(() -> m.fit(d[0], Tensor.wrap(new float[] {0, 1, 2, 0}, 4, 1), 1, 2))
        .hasMessageContaining("label 2.0 at row 2; binary_crossentropy needs labels in [0, 1]");
    assertThat(exe().iterations()).isZero();
  }

  @Test
  void sparseLabelsMustBeClassIndices() {
    Sequential m = new Sequential(new int[] {2}, new Dense(3, "softmax"));
    m.compile(CompileOptions.builder().optimizer("adam").loss("sparse_categorical_crossentropy")
        .backplane(bp).build());
    assertThatThrownBy(() -> m.fit(Tensor.zeros(2, 2), Tensor.ofLabels(new int[] {0, 3}), 1, 2))
        .hasMessageContaining("label 3.0 at row 1; sparse_categorical_crossentropy needs integer"
            + " class indices in [0, 3)");
  }

  @Test
  void unknownNamesListTheKnownOnes() {
    Sequential m = new Sequential(new int[] {2}, new Dense(1));
    assertThatThrownBy(() -> m.compile("adafactor", "mse"))
        .hasMessageStartingWith("Unknown optimizer 'adafactor'. Expected one of sgd, adam,"
            + " rmsprop");
    assertThatThrownBy(() -> m.compile("adam", "squared_hinge"))
        .hasMessageContaining("Unknown loss 'squared_hinge'. Expected one of binary_crossentropy");
    // 'auc' is known since the streaming metrics; Keras's CohenKappa is not (yet)
    assertThatThrownBy(() -> m.compile("adam", "mse", "cohen_kappa"))
        .hasMessageContaining("Unknown metric 'cohen_kappa'. Expected one of accuracy");
    assertThatThrownBy(() -> new Dense(1, "crelu"))
        .hasMessageContaining("Unknown activation 'crelu'. Expected one of linear, relu");
    assertThat(m.isCompiled()).isFalse();
  }

  @Test
  void secondFitOnAFittingModelFailsFast() throws Exception {
    Sequential m = compiled();
    CountDownLatch inStep = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    exe().lossOfStep = step -> {
      inStep.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 0.5;
    };
    Tensor[] d = data(4);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<History> first = pool.submit(() -> m.fit(d[0], d[1], quiet().batchSize(4).build()));
      inStep.await();
      assertThat(m.isFitting()).isTrue();
      assertThatThrownBy(() -> m.fit(d[0], d[1], quiet().build()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("fit() is already running on model 'sequential'");
      release.countDown();
      assertThat(first.get().epochs()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void predictFromManyThreadsGivesEveryCallerItsRows() throws Exception {
    Sequential m = compiled();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Tensor>> results = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        float v = t;
        results.add(pool.submit(() -> m.predict(Tensor.wrap(new float[] {v, 0, v, 0}, 2, 2))));
      }
      for (int t = 0; t < 16; t++) {
        assertThat(results.get(t).get().toArray()).containsExactly(t, t);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void weightsComeFromTheSeedAndSurviveRecompile() {
    Sequential a = compiled();
    Sequential b = compiled();
    assertThat(a.getWeights()).isEqualTo(b.getWeights());
    List<NamedArray> w = a.getWeights();
    a.compile(CompileOptions.builder().optimizer("sgd").loss("mse").backplane(bp).build());
    assertThat(a.getWeights()).isEqualTo(w);
    assertThat(provider.compiled.get(0).closed).isTrue();
    assertThatThrownBy(() -> a.setWeights(w.subList(0, 1)))
        .hasMessageContaining("has 4 weight arrays");
    assertThat(a.getWeights()).isEqualTo(w);
  }
}
