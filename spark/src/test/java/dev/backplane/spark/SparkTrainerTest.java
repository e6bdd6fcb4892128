package dev.backplane.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.backplane.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Training on Spark in local mode with 2 barrier tasks gives the one-machine loss curve, survives
 * a task killed mid-epoch, and rejects bad input on the driver naming the partition.
 */
class SparkTrainerTest {
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("backplane-test")
        .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
        .set("spark.driver.bindAddress", "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  private static void assertSameCurve(List<Double> spark, List<Double> local) {
    assertThat(spark).hasSameSizeAs(local);
    for (int e = 0; e < local.size(); e++) {
      assertThat(spark.get(e)).as("epoch " + (e + 1) + " loss")
          .isCloseTo(local.get(e), within(1e-5 * Math.abs(local.get(e))));
    }
  }

  @Test
  void referenceModelOnTwoTasksHasTheOneMachineLosses() {
    Tensor[] data = Models.data(300, 20, 2, 1);
    java.util.Map<String, List<Double>> localLogs = Models.oneMachineLogs(Models.reference(20),
        data, 3, 32);
    List<Double> local = localLogs.get("loss");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    SparkHistory h = SparkTrainer.builder(sc, Models.reference(20)).tasks(2).epochs(3)
        .batchSize(32).output(new PrintStream(printed, true, StandardCharsets.UTF_8)).build()
        .fit(SparkTrainer.parallelize(sc, data[0], data[1], 3));
    assertSameCurve(h.loss(), local);
    assertThat(local.get(2)).isLessThan(local.get(0));
    assertThat(h.steps()).isEqualTo(3 * 10);
    assertThat(h.recoveries()).isEmpty();
    assertThat(h.finalState().iterations()).isEqualTo(30);
    assertThat(h.devices()).hasSize(2).allSatisfy(d -> assertThat(d).startsWith("accelerate"));
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Epoch 3/3")
        .contains(String.format(java.util.Locale.ROOT, "10/10 [")).contains("- loss: ")
        .contains("- accuracy: ");
    // The metrics, computed on the driver from the tasks' outputs in global batch order, are
    // the one-machine fit's.
    assertThat(h.history().keySet()).containsExactly("loss", "accuracy");
    assertThat(h.history().get("accuracy")).hasSize(3);
    for (int e = 0; e < 3; e++) {
      assertThat(h.history().get("accuracy").get(e)).as("epoch %d accuracy", e + 1)
          .isCloseTo(localLogs.get("accuracy").get(e), within(1e-9));
    }
  }

  @Test
  void mnistMlpShapeOnTwoTasksHasTheOneMachineLosses() {
    Tensor[] data = Models.data(600, 784, 10, 2);
    List<Double> local = Models.oneMachine(Models.mnistMlp(), data, 2, 128);
    SparkHistory h = SparkTrainer.builder(sc, Models.mnistMlp()).tasks(2).epochs(2)
        .batchSize(128).output(null).build()
        .fit(SparkTrainer.parallelize(sc, data[0], data[1], 2));
    assertSameCurve(h.loss(), local);
    assertThat(h.steps()).isEqualTo(2 * 5);
  }

  @Test
  void aTaskKilledMidEpochResumesFromTheCheckpointWithTheOneMachineResult() {
    Tensor[] data = Models.data(200, 20, 2, 3);
    List<Double> local = Models.oneMachine(Models.reference(20), data, 2, 32);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    SparkHistory h = SparkTrainer.builder(sc, Models.reference(20)).tasks(2).epochs(2)
        .batchSize(32).checkpointEvery(3)
        .output(new PrintStream(printed, true, StandardCharsets.UTF_8))
        .hook((task, epoch, step, attempt) -> {
          if (task == 1 && epoch == 1 && step == 4 && attempt == 0) {
            throw new IllegalStateException("drill: task 1 dies in epoch 2 at step 5");
          }
        }).build()
        .fit(SparkTrainer.parallelize(sc, data[0], data[1], 2));
    assertSameCurve(h.loss(), local);
    assertThat(h.recoveries()).hasSize(1);
    assertThat(h.recoveries().get(0)).startsWith("Epoch 2, steps 4-6: ")
        .contains("resumed every task from the checkpoint after step 3 of the epoch")
        .contains("(iteration 10)").endsWith("no step lost or doubled");
    assertThat(h.steps()).isEqualTo(2 * 7);
    assertThat(h.finalState().iterations()).isEqualTo(14);
    assertThat(printed.toString(StandardCharsets.UTF_8)).contains("no step lost or doubled");
  }

  private static JavaRDD<Example> rows(List<Example> examples, int partitions) {
    return sc.parallelize(examples, partitions);
  }

  private static Example row(int features, float label) {
    return Example.of(new float[features], label);
  }

  @Test
  void aPartitionWithTheWrongFeatureCountIsNamed() {
    List<Example> ex = new java.util.ArrayList<>();
    for (int i = 0; i < 8; i++) {
      ex.add(row(i == 6 ? 19 : 20, 1));
    }
    assertThatThrownBy(() -> SparkTrainer.builder(sc, Models.reference(20)).output(null).build()
        .fit(rows(ex, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition 1, row 2: 19 features, but the model expects 20");
  }

  @Test
  void aLabelOutOfRangeIsNamed() {
    List<Example> ex = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ex.add(Example.of(new float[784], i == 1 ? 10 : i));
    }
    assertThatThrownBy(() -> SparkTrainer.builder(sc, Models.mnistMlp()).output(null).build()
        .fit(rows(ex, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition 0, row 1: label 10.0, which is not a class index from"
            + " 0 to 9");
  }

  @Test
  void anEmptyPartitionIsNamed() {
    JavaRDD<Example> data = rows(List.of(row(20, 0), row(20, 1), row(20, 0)), 4);
    assertThatThrownBy(() -> SparkTrainer.builder(sc, Models.reference(20)).output(null).build()
        .fit(data))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("partition 0 is empty");
  }

  @Test
  void moreTasksThanSamplesIsAnError() {
    assertThatThrownBy(() -> SparkTrainer.builder(sc, Models.reference(20)).tasks(2)
        .output(null).build().fit(rows(List.of(row(20, 1)), 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tasks=2 but the data has only 1 samples in 1 partitions");
  }

  @Test
  void moreTasksThanSlotsIsAnError() {
    Tensor[] data = Models.data(20, 20, 2, 4);
    assertThatThrownBy(() -> SparkTrainer.builder(sc, Models.reference(20)).tasks(3)
        .output(null).build().fit(SparkTrainer.parallelize(sc, data[0], data[1], 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tasks=3 but the cluster has 2 task slots");
  }

  @Test
  void dropoutAndBatchNormalizationAreRejected() {
    Tensor[] data = Models.data(20, 4, 2, 5);
    assertThatThrownBy(() -> SparkTrainer.builder(sc, Models.withDropout()).output(null)
        .build().fit(SparkTrainer.parallelize(sc, data[0], data[1], 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Model 'dropout' draws random masks in training");
    assertThatThrownBy(() -> SparkTrainer.builder(sc, Models.withBatchNormalization())
        .output(null).build().fit(SparkTrainer.parallelize(sc, data[0], data[1], 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Model 'bn' cannot train data-parallel on Spark")
        .hasMessageContaining("BatchNormalization moving statistics");
  }
}
