package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The blocked finite check finds the same first bad value as a value-by-value scan. */
class DataChecksTest {
  private static final int B = DataChecks.FINITE_BLOCK;
  private static final float[] BAD = {Float.NaN, Float.POSITIVE_INFINITY,
      Float.NEGATIVE_INFINITY};

  private static float[] values(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextDouble(-1e6, 1e6);
    }
    return v;
  }

  private static String message(String what, float v, int row) {
    return what + " contains " + v + " at row " + row + " (the first non-finite value); clean or"
        + " drop that row";
  }

  @Test
  void findsEachKindOfBadValueAtBlockEdgesTailsAndTheEnds() {
    int row = 7;
    int rows = (3 * B + 13) / row + 1;
    int n = rows * row;
    int[] positions = {0, 1, 7, 8, B - 1, B, B + 1, 2 * B - 8, 2 * B + 7, n - 9, n - 8, n - 2,
        n - 1};
    for (float bad : BAD) {
      for (int p : positions) {
        float[] x = values(n, p);
        x[p] = bad;
        Tensor t = Tensor.wrap(x, rows, row);
        assertThatThrownBy(() -> DataChecks.checkFinite(t, "x")).as("%s at %d", bad, p)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message("x", bad, p / row));
      }
    }
  }

  @Test
  void reportsTheFirstOfSeveralBadValues() {
    float[] x = values(4 * B, 1);
    x[3 * B + 2] = Float.NaN;
    x[B + 5] = Float.NEGATIVE_INFINITY;
    x[B + 9] = Float.NaN;
    Tensor t = Tensor.wrap(x, 4 * B / 2, 2);
    assertThatThrownBy(() -> DataChecks.checkFinite(t, "validation x"))
        .hasMessage(message("validation x", Float.NEGATIVE_INFINITY, (B + 5) / 2));
  }

  @Test
  void countsRowsFromTheStartOfAView() {
    float[] x = values(10 * B, 2);
    int row = 10;
    x[5 * B] = Float.POSITIVE_INFINITY;
    Tensor all = Tensor.wrap(x, x.length / row, row);
    // a view starting at row 3: the bad value is at row 5 * B / 10 - 3 of the view
    Tensor view = all.rows(3, all.rows());
    assertThatThrownBy(() -> DataChecks.checkFinite(view, "x"))
        .hasMessage(message("x", Float.POSITIVE_INFINITY, 5 * B / row - 3));
    // a bad value before the view's start is not the view's
    x[2 * row] = Float.NaN;
    assertThatThrownBy(() -> DataChecks.checkFinite(view, "x"))
        .hasMessage(message("x", Float.POSITIVE_INFINITY, 5 * B / row - 3));
    // nor one after its end
    Tensor head = all.rows(3, 5 * B / row);
    assertThatCode(() -> DataChecks.checkFinite(head, "x")).doesNotThrowAnyException();
  }

  @Test
  void acceptsExtremeFiniteValues() {
    float[] x = new float[2 * B + 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = switch (i % 6) {
        case 0 -> Float.MAX_VALUE;
        case 1 -> -Float.MAX_VALUE;
        case 2 -> Float.MIN_VALUE;
        case 3 -> -0.0f;
        case 4 -> -Float.MIN_NORMAL;
        default -> 0f;
      };
    }
    assertThatCode(() -> DataChecks.checkFinite(Tensor.wrap(x, x.length, 1), "x"))
        .doesNotThrowAnyException();
    assertThatCode(() -> DataChecks.checkFinite(Tensor.zeros(0, 3), "x"))
        .doesNotThrowAnyException();
  }

  @Test
  void agreesWithAValueByValueScanOnRandomPlacements() {
    SplittableRandom random = new SplittableRandom(42);
    for (int trial = 0; trial < 200; trial++) {
      int row = 1 + random.nextInt(40);
      int rows = 1 + random.nextInt(3 * B / row + 2);
      float[] x = values(rows * row, trial);
      int bads = random.nextInt(4);
      for (int k = 0; k < bads; k++) {
        x[random.nextInt(x.length)] = BAD[random.nextInt(BAD.length)];
      }
      Tensor t = Tensor.wrap(x, rows, row);
      int first = -1;
      for (int i = 0; i < x.length && first < 0; i++) {
        if (!Float.isFinite(x[i])) {
          first = i;
        }
      }
      if (first < 0) {
        assertThatCode(() -> DataChecks.checkFinite(t, "x")).doesNotThrowAnyException();
      } else {
        assertThatThrownBy(() -> DataChecks.checkFinite(t, "x")).as("trial %d", trial)
            .hasMessage(message("x", x[first], first / row));
      }
    }
  }

  @Test
  void labelChecksNameTheRowOfTheFirstBadLabel() {
    Loss bce = Loss.of("binary_crossentropy");
    Tensor y = Tensor.wrap(new float[] {0, 1, 1, 0, 1, 1.5f, -1, 0}, 4, 2);
    assertThatThrownBy(() -> DataChecks.checkLabels(y, bce, 2, 4, "y"))
        .hasMessage("y has label 1.5 at row 2; binary_crossentropy needs labels in [0, 1]");
    Loss sparse = Loss.of("sparse_categorical_crossentropy");
    Tensor classes = Tensor.wrap(new float[] {0, 2, 1.5f, 3}, 4, 1);
    assertThatThrownBy(() -> DataChecks.checkLabels(classes, sparse, 3, 4, "validation y"))
        .hasMessage("validation y has label 1.5 at row 2; sparse_categorical_crossentropy needs"
            + " integer class indices in [0, 3)");
    Loss cce = Loss.of("categorical_crossentropy");
    Tensor negative = Tensor.wrap(new float[] {1, 0, 0, 0, 1.02f, -0.02f}, 2, 3);
    assertThatThrownBy(() -> DataChecks.checkLabels(negative, cce, 3, 2, "y"))
        .hasMessage("y has label 1.02 at row 1, column 1; categorical_crossentropy needs one-hot"
            + " or probability labels in [0, 1]");
    Tensor soft = Tensor.wrap(new float[] {0.2f, 0.8f, 0, 0, 0.5f, 0.5f}, 2, 3);
    assertThatCode(() -> DataChecks.checkLabels(soft, cce, 3, 2, "y")).doesNotThrowAnyException();
    // other losses take any finite label
    Tensor any = Tensor.wrap(new float[] {-7, 1e30f, 0.5f, 3}, 2, 2);
    assertThatCode(() -> DataChecks.checkLabels(any, Loss.of("mse"), 2, 2, "y"))
        .doesNotThrowAnyException();
    Tensor inf = Tensor.wrap(new float[] {-7, 1, Float.POSITIVE_INFINITY, 3}, 2, 2);
    assertThatThrownBy(() -> DataChecks.checkLabels(inf, Loss.of("mse"), 2, 2, "y"))
        .hasMessage(message("y", Float.POSITIVE_INFINITY, 1));
  }
}
