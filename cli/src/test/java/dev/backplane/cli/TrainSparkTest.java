package dev.backplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code backplane train --spark local[2]} prints the per-epoch loss and accuracy of the same
 * command without it.
 */
class TrainSparkTest {
  private static final Pattern EPOCH_LOSS = Pattern.compile(
      "\\] - .* - loss: (\\d+\\.\\d{4}) - accuracy: (\\d+\\.\\d{4})");
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

  private String take() {
    String s = out.toString(StandardCharsets.UTF_8);
    out.reset();
    return s;
  }

  private static List<String> losses(String printed) {
    List<String> out = new ArrayList<>();
    Matcher m = EPOCH_LOSS.matcher(printed);
    while (m.find()) {
      out.add(m.group(1) + " " + m.group(2));
    }
    return out;
  }

  @Test
  void sparkPrintsTheSamePerEpochLossesAsOneMachine() {
    assertThat(Main.run("train", "--epochs", "3", "--verbose", "2")).isZero();
    List<String> local = losses(take());
    assertThat(Main.run("train", "--epochs", "3", "--verbose", "2", "--spark", "local[2]"))
        .as(err.toString(StandardCharsets.UTF_8)).isZero();
    String printed = take();
    assertThat(local).hasSize(3);
    assertThat(losses(printed)).isEqualTo(local);
    assertThat(printed).contains("Spark: local[2], 2 barrier tasks, global batch 32")
        .containsPattern("Trained 3 epochs on Spark \\(2 tasks on accelerate:cpu:0\\) in .*"
            + " evaluate: loss [\\d.]+ - accuracy [\\d.]+");
  }

  @Test
  void moreTasksThanSlotsExitsWithTwoAndSaysWhy() {
    assertThat(Main.run("train", "--epochs", "1", "--spark", "local[2]", "--tasks", "3"))
        .isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("tasks=3 but the cluster has 2 task slots");
  }
}
