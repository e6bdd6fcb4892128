package dev.backplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.io.npy.Npy;
import dev.backplane.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backplane train --data}: a user's NPY or CSV file. */
class TrainDataTest {
  @TempDir
  Path dir;
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

  /** 200 samples of 5 features, label x0 + x1 > 0. */
  private static float[][] samples() {
    SplittableRandom r = new SplittableRandom(9);
    float[][] x = new float[200][6];
    for (float[] row : x) {
      for (int j = 0; j < 5; j++) {
        row[j] = (float) r.nextDouble(-1, 1);
      }
      row[5] = row[0] + row[1] > 0 ? 1 : 0;
    }
    return x;
  }

  @Test
  void trainsADenseModelSizedToAnNpyFile() {
    float[][] s = samples();
    float[] x = new float[200 * 5];
    float[] y = new float[200];
    for (int i = 0; i < 200; i++) {
      System.arraycopy(s[i], 0, x, i * 5, 5);
      y[i] = s[i][5];
    }
    Npy.write(dir.resolve("x.npy"), Tensor.wrap(x, 200, 5));
    Npy.write(dir.resolve("y.npy"), Tensor.wrap(y, 200));
    assertThat(Main.run("train", "--data", dir.resolve("x.npy").toString(), "--labels",
        dir.resolve("y.npy").toString(), "--epochs", "2", "--verbose", "2")).isZero();
    assertThat(out()).contains("(None, 128)").contains("Data: 200 samples of [5] from")
        .containsPattern("7/7 \\[=+\\] .* - loss: 0\\.\\d{4}")
        .containsPattern("Trained 2 epochs on .* evaluate: loss [\\d.]+ - accuracy [\\d.]+");
  }

  @Test
  void trainsFromCsvColumnsByName() throws IOException {
    StringBuilder csv = new StringBuilder("a,b,c,d,e,target\n");
    for (float[] row : samples()) {
      for (int j = 0; j < 6; j++) {
        csv.append(j == 0 ? "" : ",").append(j == 5 ? (int) row[j] : row[j]);
      }
      csv.append('\n');
    }
    Path file = Files.writeString(dir.resolve("t.csv"), csv);
    assertThat(Main.run("train", "--data", file.toString(), "--label-column", "target",
        "--columns", "a,b", "--epochs", "1", "--verbose", "0")).isZero();
    assertThat(out()).contains("Data: 200 samples of [2]").contains("Trained 1 epochs");
  }

  @Test
  void badDataOptionsExitWithTwoAndSayWhy() throws IOException {
    Path file = Files.writeString(dir.resolve("bad.csv"), "a,b,y\n1,2,0\n3,oops,1\n");
    assertThat(Main.run("train", "--data", file.toString(), "--label-column", "y")).isEqualTo(2);
    assertThat(err()).contains("cannot parse 'oops' at row 2 (line 3), column 'b'");
    assertThat(Main.run("train", "--data", file.toString())).isEqualTo(2);
    assertThat(err()).contains("needs --label-column NAME");
    assertThat(Main.run("train", "--data", dir.resolve("x.txt").toString())).isEqualTo(2);
    assertThat(err()).contains("Expected a .npy or .csv file");
    Path x = dir.resolve("x.npy");
    Npy.write(x, Tensor.wrap(new float[6], 3, 2));
    assertThat(Main.run("train", "--data", x.toString())).isEqualTo(2);
    assertThat(err()).contains("needs --labels y.npy");
    assertThat(Main.run("train", "--data", x.toString(), "--labels", x.toString(), "--model",
        "residual")).isEqualTo(2);
    assertThat(err()).contains("expected shape (None, 20)");
  }
}
