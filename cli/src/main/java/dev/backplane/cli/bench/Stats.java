package dev.backplane.cli.bench;

import java.util.Arrays;

/**
 * Median and range of one runner's repetitions.
 *
 * @param median the median (the mean of the middle two for an even count)
 * @param min the smallest value
 * @param max the largest value
 * @param repetitions how many values
 */
public record Stats(double median, double min, double max, int repetitions) {
  /**
   * Summarizes measured values.
   *
   * @throws IllegalArgumentException if there are none
   */
  public static Stats of(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("No repetitions to summarize");
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    return new Stats(median, s[0], s[n - 1], n);
  }
}
