package dev.backplane.model;

/**
 * Keras's {@code MeanIoU} on a model's outputs (Keras's {@code sparse_y_pred=False}: the
 * predicted class is the arg-max output, or above 0.5 for a single output): from the confusion
 * matrix so far, per class {@code iou = tp / (row sum + column sum - tp)}, averaged over the
 * classes that occur in the labels or predictions.
 *
 * @param numClasses Keras's {@code num_classes}; 0 takes the model's outputs (2 for a single
 *     output) when compiled
 */
public record MeanIoU(int numClasses) implements Metric {
  /** Validates the class count. */
  public MeanIoU {
    if (numClasses < 0 || numClasses == 1) {
      throw new IllegalArgumentException("MeanIoU num_classes must be >= 2 (or 0 for the"
          + " model's outputs), got " + numClasses);
    }
  }

  @Override
  public String kerasName() {
    return "mean_io_u";
  }

  @Override
  public Metric resolve(Loss loss, int outputs) {
    int classes = outputs == 1 ? 2 : outputs;
    if (numClasses == 0) {
      return new MeanIoU(classes);
    }
    if (numClasses < classes) {
      throw new IllegalArgumentException("MeanIoU num_classes=" + numClasses + " but the model"
          + " predicts " + classes + " classes; use num_classes=" + classes);
    }
    return this;
  }

  @Override
  public MetricState newState(int outputs, boolean sparseLabels) {
    if (numClasses == 0) {
      throw new IllegalStateException("Resolve MeanIoU against the model first");
    }
    ConfusionMatrix.Counter c = new ConfusionMatrix.Counter(numClasses, outputs, sparseLabels);
    return new MetricState() {
      @Override
      public void reset() {
        c.reset();
      }

      @Override
      public void update(float[] out, float[] y, int yOffset, int yStride, int rows) {
        c.update(out, y, yOffset, yStride, rows);
      }

      @Override
      public double[] result() {
        long[][] m = c.counts;
        double sum = 0;
        int valid = 0;
        for (int i = 0; i < m.length; i++) {
          long row = 0;
          long col = 0;
          for (int j = 0; j < m.length; j++) {
            row += m[i][j];
            col += m[j][i];
          }
          double denominator = row + col - m[i][i];
          if (denominator != 0) {
            valid++;
            sum += m[i][i] / denominator;
          }
        }
        return new double[] {valid == 0 ? 0 : sum / valid};
      }
    };
  }
}
