package dev.backplane.reports;

import dev.backplane.model.History;
import dev.backplane.trust.FailoverEvent;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Builds and renders the report's charts with JFreeChart, headless. */
final class ReportCharts {
  /** The palette, in series order; the tests look for these colours in the images. */
  static final Color[] PALETTE = {
      new Color(0x1f, 0x77, 0xb4), new Color(0xff, 0x7f, 0x0e), new Color(0x2c, 0xa0, 0x2c),
      new Color(0x94, 0x67, 0xbd), new Color(0x8c, 0x56, 0x4b), new Color(0xe3, 0x77, 0xc2)};
  /** Failover markers on the timeline. */
  static final Color FAILOVER = new Color(0xd6, 0x27, 0x28);
  static final int WIDTH = 720;
  static final int HEIGHT = 360;
  static final int TIMELINE_HEIGHT = 240;

  private ReportCharts() {}

  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /**
   * One chart per metric: {@code loss} with {@code val_loss}, {@code accuracy} with
   * {@code val_accuracy}, ...; x is the 1-based epoch.
   *
   * @param values per-epoch values by Keras key, as {@link History#history()}
   * @param firstEpoch 0-based epoch of the first values
   */
  static List<Figure> metrics(Map<String, List<Double>> values, int firstEpoch) {
    Map<String, List<String>> groups = new LinkedHashMap<>();
    for (String key : values.keySet()) {
      String base = key.startsWith("val_") ? key.substring(4) : key;
      groups.computeIfAbsent(base, k -> new ArrayList<>()).add(key);
    }
    List<Figure> figures = new ArrayList<>();
    for (Map.Entry<String, List<String>> g : groups.entrySet()) {
      List<String> keys = new ArrayList<>(g.getValue());
      keys.sort((a, b) -> Boolean.compare(a.startsWith("val_"), b.startsWith("val_")));
      Map<String, List<Double>> series = new LinkedHashMap<>();
      for (String k : keys) {
        series.put(k, values.get(k));
      }
      figures.add(lines("chart-" + slug(g.getKey()), title(g.getKey()), "Epoch", g.getKey(),
          series, firstEpoch + 1));
    }
    return figures;
  }

  /** Memory per epoch, in MiB, and CPU use per epoch, in percent. */
  static List<Figure> resources(List<ResourceSample> samples) {
    if (samples.isEmpty()) {
      return List.of();
    }
    Map<String, List<Double>> memory = new LinkedHashMap<>();
    Map<String, List<Double>> cpu = new LinkedHashMap<>();
    List<Double> epochs = new ArrayList<>();
    for (ResourceSample s : samples) {
      epochs.add(s.epoch() + 1.0);
      add(memory, "heap used", ResourceSample.mib(s.heapUsed()));
      add(memory, "heap committed", ResourceSample.mib(s.heapCommitted()));
      add(memory, "off-heap (non-heap + direct)", ResourceSample.mib(s.offHeap()));
      add(memory, "process RSS", ResourceSample.mib(s.rss()));
      add(cpu, "process", s.processCpu() * 100);
      add(cpu, "system", s.systemCpu() * 100);
    }
    Figure mem = lines("chart-memory", "Memory per epoch", "Epoch", "MiB", memory, epochs);
    Figure load = lines("chart-cpu", "CPU use per epoch (share of all cores)", "Epoch",
        "CPU %", cpu, epochs);
    ((NumberAxis) ((XYPlot) load.chart().getPlot()).getRangeAxis()).setRange(0, 100);
    return List.of(mem, load);
  }

  /**
   * Which device ran which global steps: one bar per run on the device's row, a red line at
   * each failover with its kind, and dotted lines at epoch boundaries where they are known.
   *
   * @param epochEnds the global step count at the end of each epoch, or empty
   */
  static Figure timeline(List<History.DeviceRun> runs, List<FailoverEvent> events,
      List<Long> epochEnds) {
    List<String> devices = new ArrayList<>();
    for (History.DeviceRun r : runs) {
      String d = String.valueOf(r.device());
      if (!devices.contains(d)) {
        devices.add(d);
      }
    }
    XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
    List<Integer> points = new ArrayList<>();
    for (String d : devices) {
      XYIntervalSeries s = new XYIntervalSeries(d);
      int row = devices.indexOf(d);
      for (History.DeviceRun r : runs) {
        if (String.valueOf(r.device()).equals(d)) {
          double start = r.firstStep();
          s.add(start, start, start + r.steps(), row, row - 0.3, row + 0.3);
        }
      }
      data.addSeries(s);
      points.add(s.getItemCount());
    }
    XYBarRenderer renderer = new XYBarRenderer();
    renderer.setUseYInterval(true);
    renderer.setBarPainter(new StandardXYBarPainter());
    renderer.setShadowVisible(false);
    renderer.setDrawBarOutline(false);
    for (int i = 0; i < devices.size(); i++) {
      renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
    }
    NumberAxis steps = new NumberAxis("Step");
    steps.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    long total = runs.stream().mapToLong(r -> r.firstStep() + r.steps()).max().orElse(0);
    steps.setRange(runs.isEmpty() ? 0 : runs.get(0).firstStep(), Math.max(1, total));
    SymbolAxis rows = new SymbolAxis("Device", devices.toArray(String[]::new));
    rows.setRange(-0.6, Math.max(0.6, devices.size() - 0.4));
    XYPlot plot = new XYPlot(data, steps, rows, renderer);
    plot.setOrientation(PlotOrientation.VERTICAL);
    style(plot);
    for (int i = 0; i < epochEnds.size() - 1; i++) {
      ValueMarker m = new ValueMarker(epochEnds.get(i), Color.GRAY, new BasicStroke(1f,
          BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {2f, 3f}, 0f));
      plot.addDomainMarker(m);
    }
    for (FailoverEvent e : events) {
      if (e.step() < 0) {
        continue;
      }
      ValueMarker m = new ValueMarker(e.step(), FAILOVER, new BasicStroke(2.5f));
      m.setLabel(e.kind().name().toLowerCase(java.util.Locale.ROOT) + " @ step " + e.step());
      m.setLabelPaint(FAILOVER);
      m.setLabelFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
      m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
      m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      plot.addDomainMarker(m);
    }
    JFreeChart chart = new JFreeChart("Device timeline", JFreeChart.DEFAULT_TITLE_FONT, plot,
        true);
    chart.setBackgroundPaint(Color.WHITE);
    return new Figure("chart-devices", "Device timeline", "Step", "Device", devices, points,
        chart);
  }

  /** The chart as PNG bytes. */
  static byte[] png(Figure f) {
    int height = f.id().equals("chart-devices") ? TIMELINE_HEIGHT : HEIGHT;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ChartUtils.writeChartAsPNG(out, f.chart(), WIDTH, height);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static int height(Figure f) {
    return f.id().equals("chart-devices") ? TIMELINE_HEIGHT : HEIGHT;
  }

  static Figure lines(String id, String title, String x, String y,
      Map<String, List<Double>> series, int firstX) {
    int n = series.values().stream().mapToInt(List::size).max().orElse(0);
    List<Double> xs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      xs.add((double) firstX + i);
    }
    return lines(id, title, x, y, series, xs);
  }

  private static Figure lines(String id, String title, String x, String y,
      Map<String, List<Double>> series, List<Double> xs) {
    XYSeriesCollection data = new XYSeriesCollection();
    List<Integer> points = new ArrayList<>();
    for (Map.Entry<String, List<Double>> e : series.entrySet()) {
      XYSeries s = new XYSeries(e.getKey(), false, true);
      List<Double> v = e.getValue();
      for (int i = 0; i < v.size() && i < xs.size(); i++) {
        Double value = v.get(i);
        // A gap for values that are missing or not finite (a diverged loss).
        s.add(xs.get(i), value == null || !Double.isFinite(value) ? null : value);
      }
      data.addSeries(s);
      points.add(s.getItemCount());
    }
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    int i = 0;
    for (String name : series.keySet()) {
      Paint paint = PALETTE[i % PALETTE.length];
      renderer.setSeriesPaint(i, paint);
      renderer.setSeriesStroke(i, name.startsWith("val_")
          ? new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
              new float[] {8f, 4f}, 0f)
          : new BasicStroke(2.5f));
      i++;
    }
    NumberAxis domain = new NumberAxis(x);
    domain.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    if (!xs.isEmpty()) {
      double lo = xs.get(0);
      double hi = xs.get(xs.size() - 1);
      domain.setRange(lo - 0.25, Math.max(hi, lo + 1) + 0.25);
    }
    NumberAxis range = new NumberAxis(y);
    range.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(data, domain, range, renderer);
    style(plot);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    chart.setBackgroundPaint(Color.WHITE);
    return new Figure(id, title, x, y, List.copyOf(series.keySet()), points, chart);
  }

  private static void style(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
    plot.setRangeGridlinePaint(new Color(0xdd, 0xdd, 0xdd));
    plot.setOutlinePaint(new Color(0x99, 0x99, 0x99));
  }

  private static void add(Map<String, List<Double>> m, String key, double value) {
    m.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
  }

  static String slug(String key) {
    return key.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }

  private static String title(String key) {
    String words = key.replace('_', ' ');
    return Character.toUpperCase(words.charAt(0)) + words.substring(1) + " per epoch";
  }
}
