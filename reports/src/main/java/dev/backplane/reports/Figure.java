package dev.backplane.reports;

import java.util.List;
import org.jfree.chart.JFreeChart;

/**
 * One chart of a report, with what it shows: the HTML carries these as the figure's
 * {@code data-*} attributes beside the rendered image.
 *
 * @param id the figure's HTML id, e.g. {@code chart-loss}
 * @param title the chart's title
 * @param xLabel the domain axis label
 * @param yLabel the range axis label
 * @param series the series' names, in drawing order
 * @param points the number of data items of each series, in the same order
 * @param chart the chart to render
 */
record Figure(String id, String title, String xLabel, String yLabel, List<String> series,
    List<Integer> points, JFreeChart chart) {
  Figure {
    series = List.copyOf(series);
    points = List.copyOf(points);
  }
}
