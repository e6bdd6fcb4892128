package dev.backplane.model;

/**
 * Keras's {@code update_confusion_matrix_variables} at a list of thresholds: true and false
 * positives and negatives of every element (or of one class's column), a prediction positive
 * when above the threshold, a label positive when non-zero.
 */
final class ConfusionCounts {
  final float[] thresholds;
  final double[] tp;
  final double[] fp;
  final double[] tn;
  final double[] fn;
  private final int outputs;
  private final boolean sparse;
  private final int topK;
  private final int classId;
  private final boolean sigmoid;

  ConfusionCounts(float[] thresholds, int outputs, boolean sparse, int topK, int classId,
      boolean sigmoid) {
    this.thresholds = thresholds;
    this.tp = new double[thresholds.length];
    this.fp = new double[thresholds.length];
    this.tn = new double[thresholds.length];
    this.fn = new double[thresholds.length];
    this.outputs = outputs;
    this.sparse = sparse;
    this.topK = topK;
    this.classId = classId;
    this.sigmoid = sigmoid;
  }

  void reset() {
    java.util.Arrays.fill(tp, 0);
    java.util.Arrays.fill(fp, 0);
    java.util.Arrays.fill(tn, 0);
    java.util.Arrays.fill(fn, 0);
  }

  void update(float[] out, float[] y, int yOff, int stride, int rows) {
    int from = classId >= 0 ? classId : 0;
    int to = classId >= 0 ? classId + 1 : outputs;
    for (int r = 0; r < rows; r++) {
      int o = r * outputs;
      int l = yOff + r * stride;
      for (int j = from; j < to; j++) {
        float p = out[o + j];
        if (sigmoid) {
          p = (float) (1 / (1 + Math.exp(-p)));
        }
        if (topK > 0 && !Labels.inTopK(out, o, outputs, j, topK)) {
          p = Float.NEGATIVE_INFINITY;
        }
        boolean positive = Labels.value(y, l, j, sparse) != 0;
        for (int t = 0; t < thresholds.length; t++) {
          boolean predicted = p > thresholds[t];
          if (positive) {
            if (predicted) {
              tp[t]++;
            } else {
              fn[t]++;
            }
          } else if (predicted) {
            fp[t]++;
          } else {
            tn[t]++;
          }
        }
      }
    }
  }

  /** {@code a / b}, 0 where {@code b} is 0 (Keras's {@code divide_no_nan}). */
  static double divideNoNan(double a, double b) {
    return b == 0 ? 0 : a / b;
  }

  /** Checks a class id against the outputs. */
  static void checkClassId(String metric, int classId, int outputs) {
    if (classId >= outputs) {
      throw new IllegalArgumentException(metric + " class_id=" + classId + " but the model has "
          + outputs + " output(s); choose a class_id from 0 to " + (outputs - 1));
    }
  }
}
