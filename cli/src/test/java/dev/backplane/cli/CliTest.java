package dev.backplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the CLI in-process against the real backends on the class path. */
class CliTest {
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

  @Test
  void devicesListsTheCpuBackend() {
    assertThat(Main.run("devices")).isZero();
    assertThat(out()).contains("DEVICE").contains("accelerate:cpu:0").contains("READY")
        .contains("Backplane backends: accelerate (priority 100");
  }

  @Test
  void devicesJsonIsMachineReadable() {
    assertThat(Main.run("devices", "--json")).isZero();
    assertThat(out().trim()).startsWith("[{\"id\":\"accelerate:cpu:0\",\"backend\":\"accelerate\","
        + "\"type\":\"cpu\",\"status\":\"READY\",\"detail\":\"");
  }

  @Test
  void trainPrintsSummaryPlacementProgressAndResult() {
    assertThat(Main.run("train", "--epochs", "2", "--verbose", "2", "--threads", "1")).isZero();
    String text = out();
    assertThat(text).contains("Model: \"sequential\"").contains("Total params: 1,537")
        .contains("Placement (preference: by priority; fallback: cpu)")
        .contains("accelerate:cpu:0  chosen").contains("Epoch 1/2").contains("Epoch 2/2")
        .containsPattern("32/32 \\[=+\\] - \\d+s \\d+(us|ms)/step - loss: 0\\.\\d{4} -"
            + " accuracy: 0\\.\\d{4}")
        .containsPattern("Trained 2 epochs on accelerate:cpu:0 in [\\d.]+ s; evaluate: loss"
            + " [\\d.]+ - accuracy [\\d.]+");
  }

  @Test
  void separableTaskLearns() {
    assertThat(Main.run("train", "--task", "separable", "--epochs", "10", "--verbose", "0"))
        .isZero();
    String last = out().lines().reduce((a, b) -> b).orElseThrow();
    double accuracy = Double.parseDouble(last.substring(last.lastIndexOf(' ') + 1));
    assertThat(accuracy).isGreaterThan(0.9);
  }

  @Test
  void badOptionsExitWithTwoAndNameTheValue() {
    assertThat(Main.run("train", "--task", "xor")).isEqualTo(2);
    assertThat(err()).contains("Invalid --task 'xor'. Expected one of random, separable");
    assertThat(Main.run("train", "--fallback", "maybe")).isEqualTo(2);
    assertThat(err()).contains("Invalid backplane.fallback configuration").contains("cpu | none");
    assertThat(Main.run("devices", "--backend", "metl")).isEqualTo(2);
    assertThat(err()).contains("unknown backend or device type 'metl'");
    assertThat(Main.run("devices", "-Dbackplane.thread=2")).isEqualTo(2);
    assertThat(err()).contains("Unknown key backplane.thread");
    assertThat(Main.run("frobnicate")).isEqualTo(2);
  }

  @Test
  void strictPlacementFailureExitsWithOne() {
    assertThat(Main.run("train", "--device", "accelerate:cpu:7", "--fallback", "none"))
        .isEqualTo(1);
    assertThat(err()).contains("backplane.fallback=none");
  }

  @Test
  void benchPrintsTheJsonShape() {
    assertThat(Main.run("bench", "--workload", "seed-mlp", "--warmup", "0", "--repetitions", "1",
        "--json")).isZero();
    assertThat(out().trim()).matches("\\[\\{\"workload\":\"seed-mlp\",\"runner\":\"accelerate:cpu:0\","
        + "\"threads\":\\d+,\"unit\":\"ms\",\"median\":[\\d.e+-]+,\"min\":[\\d.e+-]+,"
        + "\"max\":[\\d.e+-]+,\"repetitions\":1}]");
  }
}
