package dev.backplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the CLI in-process against the real backends on the class path. */
class CliTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final StringBuilder logged = new StringBuilder();
  private final Handler logCapture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      synchronized (logged) {
        logged.append(record.getLevel()).append(": ").append(record.getMessage()).append('\n');
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private PrintStream oldOut;
  private PrintStream oldErr;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    Logger.getLogger("dev.backplane").addHandler(logCapture);
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
    System.setErr(oldErr);
    Logger.getLogger("dev.backplane").removeHandler(logCapture);
  }

  /** What Backplane logged (java.util.logging binds System.err once, so it is captured here). */
  private String logged() {
    synchronized (logged) {
      return logged.toString();
    }
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
        .contains("Backplane backends: metal (priority 200, dev.backplane.metal.MetalProvider),"
            + " accelerate (priority 100");
  }

  @Test
  void devicesShowsTheMetalRowWithItsReason() {
    assertThat(Main.run("devices", "--refresh")).isZero();
    String os = System.getProperty("os.name");
    if (os.equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
      assertThat(out()).contains("metal:gpu:0       gpu    UNAVAILABLE  Metal needs macOS on"
          + " Apple silicon; this is Linux amd64");
    } else {
      assertThat(out()).contains("metal:gpu:0");
    }
    assertThat(Main.run("devices", "-Dbackplane.metal.simulate=ok")).isZero();
    assertThat(out()).contains("metal:gpu:0       gpu    EXPERIMENTAL  simulated Metal device"
        + " (mode ok) computing with the reference CPU kernels");
  }

  @Test
  void devicesJsonIsMachineReadable() {
    assertThat(Main.run("devices", "--json")).isZero();
    assertThat(out().trim()).startsWith("[{\"id\":\"metal:gpu:0\",\"backend\":\"metal\","
        + "\"type\":\"gpu\",\"status\":\"").contains("{\"id\":\"accelerate:cpu:0\","
        + "\"backend\":\"accelerate\",\"type\":\"cpu\",\"status\":\"READY\",\"detail\":\"");
  }

  @Test
  void trainFailsOverFromASimulatedMetalFaultAndFinishes() {
    assertThat(Main.run("train", "--backend", "metal,accelerate", "--epochs", "2", "--verbose",
        "2", "-Dbackplane.metal.simulate=nan-after:5")).isZero();
    assertThat(logged()).contains("WARNING: Failover: metal:gpu:0 (simulated Metal device"
        + " (mode nan-after:5) computing with the reference CPU kernels) returned a non-finite"
        + " loss (NaN) at step 5 (epoch 1); accelerate:cpu:0 gives a finite loss (");
    assertThat(out()).contains("metal:gpu:0       chosen    EXPERIMENTAL: simulated Metal device")
        .contains("Device runs:\n  metal:gpu:0       steps 0-4 (from epoch 1): placement\n"
            + "  accelerate:cpu:0  steps 5-63 (from epoch 1): failover")
        .contains("Trained 2 epochs on accelerate:cpu:0");
  }

  @Test
  void trainFallsBackWhenTheSimulatedMetalFailsItsCanary() {
    assertThat(Main.run("train", "--backend", "metal,accelerate", "--epochs", "1", "--verbose",
        "0", "-Dbackplane.metal.simulate=drift:0.05")).isZero();
    assertThat(out()).contains("metal:gpu:0       rejected  UNSTABLE: canary failed: results"
        + " differ from the reference CPU kernels (accelerate:cpu:0) by up to")
        .contains("Trained 1 epochs on accelerate:cpu:0");
    assertThat(logged()).contains("WARNING: Fallback to accelerate:cpu:0: metal:gpu:0 rejected:"
        + " UNSTABLE: canary failed");
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
  void everyCommandHasHelp() {
    for (String command : new String[] {"devices", "train", "bench", "predict", "conformance"}) {
      assertThat(Main.run(command, "--help")).as(command).isZero();
      assertThat(out()).contains("Usage: backplane " + command);
    }
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
  void trainRejectsABadEpochCountBeforePrintingAnything() {
    assertThat(Main.run("train", "--epochs", "-1")).isEqualTo(Main.USAGE);
    assertThat(out()).doesNotContain("Model:");
  }

  @Test
  void theResidualAndCustomModelsTrainOnTheCpuBackend() {
    assertThat(Main.run("train", "--model", "residual", "--epochs", "3", "--verbose", "2"))
        .isZero();
    assertThat(out()).contains("add (Add)", "dense_1[0][0], dense[0][0]", "Epoch 3/3",
        "Trained 3 epochs on accelerate:cpu:0");
    assertThat(Main.run("train", "--model", "custom", "--epochs", "2", "--verbose", "2"))
        .isZero();
    assertThat(out()).contains("rmsnorm (RMSNorm)", "evaluate: loss", "- mae");
  }

  @Test
  void placeExplainsTheChoiceWithoutTraining() {
    assertThat(Main.run("place", "--model", "reference", "--backend", "accelerate",
        "-Dbackplane.canary=off")).isZero();
    assertThat(out()).contains("Model 'reference': about", "MB per training step at batch 32",
        "Chosen: accelerate:cpu:0").doesNotContain("Epoch");
  }
}
