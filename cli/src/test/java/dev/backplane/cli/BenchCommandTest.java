package dev.backplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code backplane bench} in-process, on the real backends, with tiny repetition counts. */
class BenchCommandTest {
  private static final String NUMBER = "[\\d.e+-]+";

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static String row(String workload, String runner, String unit) {
    return "\\{\"workload\":\"" + workload + "\",\"runner\":\"" + runner + "\",\"threads\":1,"
        + "\"unit\":\"" + unit + "\",\"median\":" + NUMBER + ",\"min\":" + NUMBER + ",\"max\":"
        + NUMBER + ",\"repetitions\":1}";
  }

  @Test
  void seedMlpPrintsTheJsonShape() {
    assertThat(Main.run("bench", "--workload", "seed-mlp", "--backend", "accelerate",
        "--threads", "1", "--warmup", "0", "--repetitions", "1", "--json")).isZero();
    assertThat(out().trim()).matches("\\[" + row("seed-mlp", "accelerate", "ms") + "]");
  }

  @Test
  void acceleratePlusBlasJavaIsThePureJavaRunner() {
    assertThat(Main.run("bench", "--workload", "seed-mlp", "--backend", "accelerate",
        "-Dbackplane.accelerate.blas=java", "--threads", "1", "--warmup", "0", "--repetitions",
        "1", "--json")).isZero();
    assertThat(out().trim()).matches("\\[" + row("seed-mlp", "accelerate-java", "ms") + "]");
  }

  @Test
  void mnistMlpInSamplesPerSecond() {
    assertThat(Main.run("bench", "--workload", "mnist-mlp", "--quick", "--backend",
        "accelerate", "--threads", "1", "--warmup", "0", "--repetitions", "1", "--json"))
        .isZero();
    assertThat(out().trim()).matches("\\[" + row("mnist-mlp", "accelerate", "samples/s") + "]");
  }

  @Test
  void mnistCnnTrainsTheConvnetOnTheDefaultKernels() {
    assertThat(Main.run("bench", "--workload", "mnist-cnn", "--quick", "--backend",
        "accelerate-auto", "--threads", "1", "--warmup", "0", "--repetitions", "1", "--json"))
        .isZero();
    assertThat(out().trim()).matches("\\[" + row("mnist-cnn", "accelerate-auto", "samples/s")
        + "]");
  }

  @Test
  void predictLatencyHasThreeCases() {
    assertThat(Main.run("bench", "--workload", "predict-latency", "--quick", "--backend",
        "accelerate-java", "--threads", "1", "--warmup", "0", "--repetitions", "1", "--json"))
        .isZero();
    assertThat(out().trim()).matches("\\[" + row("predict-latency/1", "accelerate-java", "us")
        + "," + row("predict-latency/64", "accelerate-java", "us") + ","
        + row("predict-latency/64x2", "accelerate-java", "samples/s") + "]");
  }

  @Test
  void gemmTableNamesThePeak() {
    assertThat(Main.run("bench", "--workload", "gemm", "--quick", "--backend", "accelerate",
        "--threads", "1", "--warmup", "0", "--repetitions", "1")).isZero();
    assertThat(out()).contains("| gemm/128 | accelerate | 1 | GFLOP/s |")
        .contains("| gemm/512 | accelerate | 1 | GFLOP/s |")
        .contains("fp32 peak: 1 core x").contains("x 32 FLOP/cycle")
        .contains("- machine: ");
  }

  @Test
  void unknownWorkloadIsAUsageError() {
    assertThat(Main.run("bench", "--workload", "resnet")).isEqualTo(2);
    assertThat(err()).contains("Invalid --workload 'resnet'")
        .contains("seed-mlp | mnist-mlp | mnist-cnn | predict-latency | gemm");
  }

  @Test
  void gemmOnTfJavaIsAUsageError() {
    assertThat(Main.run("bench", "--workload", "gemm", "--backend", "tf-java")).isEqualTo(2);
    assertThat(err()).contains("Invalid --backend 'tf-java' for --workload gemm")
        .contains("accelerate | accelerate-java");
  }

  @Test
  void unknownBackendIsAUsageError() {
    assertThat(Main.run("bench", "--backend", "cuda")).isEqualTo(2);
    assertThat(err()).contains("Invalid --backend 'cuda' for bench")
        .contains("accelerate | accelerate-java | accelerate-auto | tf-java");
  }
}
