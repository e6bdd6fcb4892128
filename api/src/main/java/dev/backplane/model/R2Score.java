package dev.backplane.model;

/**
 * Keras's {@code R2Score}, the coefficient of determination over all samples so far: per output
 * {@code 1 - sum (y - out)^2 / sum (y - mean y)^2} (0 where that is infinite), then
 * aggregated; with {@code numRegressors} the adjusted score
 * {@code 1 - (1 - r2) (n - 1) / (n - numRegressors - 1)} where, as in Keras, {@code n} counts
 * every label value (samples times outputs); the plain score while {@code n - 1 <=
 * numRegressors}.
 *
 * @param classAggregation {@code "uniform_average"} (default), {@code "variance_weighted_average"}
 *     or {@code null} (one value per output, logged as {@code r2_score[i]})
 * @param numRegressors Keras's {@code num_regressors}, default 0
 */
public record R2Score(String classAggregation, int numRegressors) implements Metric {
  /** Validates the options. */
  public R2Score {
    if (classAggregation != null && !classAggregation.equals("uniform_average")
        && !classAggregation.equals("variance_weighted_average")) {
      throw new IllegalArgumentException("Invalid value for argument `class_aggregation`."
          + " Expected one of {None, 'uniform_average', 'variance_weighted_average'}. Received:"
          + " class_aggregation=" + classAggregation);
    }
    if (numRegressors < 0) {
      throw new IllegalArgumentException("Invalid value for argument `num_regressors`. Expected"
          + " a value >= 0. Received: num_regressors=" + numRegressors);
    }
  }

  /** {@code R2Score()}: uniform average, no regressors. */
  public R2Score() {
    this("uniform_average", 0);
  }

  @Override
  public String kerasName() {
    return "r2_score";
  }

  @Override
  public Metric resolve(Loss loss, int outputs) {
    if (loss.sparseLabels()) {
      throw new IllegalArgumentException("R2Score compares one label per output; "
          + loss.kerasName() + " has class-index labels");
    }
    return this;
  }

  @Override
  public MetricState newState(int outputs, boolean sparseLabels) {
    double[] sum = new double[outputs];
    double[] squares = new double[outputs];
    double[] errors = new double[outputs];
    long[] count = new long[1];
    return new MetricState() {
      @Override
      public void reset() {
        java.util.Arrays.fill(sum, 0);
        java.util.Arrays.fill(squares, 0);
        java.util.Arrays.fill(errors, 0);
        count[0] = 0;
      }

      @Override
      public void update(float[] out, float[] y, int yOff, int stride, int rows) {
        for (int r = 0; r < rows; r++) {
          int o = r * outputs;
          int l = yOff + r * stride;
          for (int j = 0; j < outputs; j++) {
            double t = y[l + j];
            double d = t - out[o + j];
            sum[j] += t;
            squares[j] += t * t;
            errors[j] += d * d;
          }
        }
        count[0] += rows;
      }

      @Override
      public double[] result() {
        long n = count[0];
        double[] raw = new double[outputs];
        double[] total = new double[outputs];
        for (int j = 0; j < outputs; j++) {
          double mean = sum[j] / n;
          total[j] = squares[j] - sum[j] * mean;
          raw[j] = 1 - errors[j] / total[j];
          if (Double.isInfinite(raw[j])) {
            raw[j] = 0;
          }
        }
        if (classAggregation == null) {
          return raw;
        }
        double r2;
        if (classAggregation.equals("uniform_average")) {
          double s = 0;
          for (double v : raw) {
            s += v;
          }
          r2 = s / outputs;
        } else {
          double s = 0;
          double w = 0;
          for (int j = 0; j < outputs; j++) {
            s += raw[j] * total[j];
            w += total[j];
          }
          r2 = s / w;
        }
        // Keras counts every label value as a sample here (ops.size(y_true)), and falls back
        // to the plain score (with a warning) when that count - 1 <= num_regressors
        long values = n * outputs;
        if (numRegressors != 0 && numRegressors < values - 1) {
          r2 = 1 - (1 - r2) * (values - 1) / (values - numRegressors - 1.0);
        }
        return new double[] {r2};
      }
    };
  }
}
