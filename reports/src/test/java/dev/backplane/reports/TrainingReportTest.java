package dev.backplane.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.spy;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.model.Verbosity;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.GpuProvider;
import dev.backplane.testing.ReferenceExecutable;
import dev.backplane.testing.ReferenceFakeProvider;
import dev.backplane.testing.TestBackplanes;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTML report and resource monitor around a fit on the api's reference test backend. */
class TrainingReportTest {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private static final Pattern FIGURE = Pattern.compile("<figure id=\"([^\"]+)\" "
      + "data-series=\"([^\"]*)\" data-points=\"([^\"]*)\" data-x-label=\"([^\"]*)\" "
      + "data-y-label=\"([^\"]*)\">\\s*<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\" "
      + "width=\"(\\d+)\" height=\"(\\d+)\"");

  @TempDir Path dir;
  private final List<Backplane> opened = new ArrayList<>();
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

  @AfterEach
  void close() {
    opened.forEach(Backplane::close);
  }

  record Fig(String id, List<String> series, List<Integer> points, String x, String y,
      BufferedImage image, int width, int height) {}

  /** 32 samples, 4 features, label x0 > x1. */
  private static Tensor[] data() {
    SplittableRandom r = new SplittableRandom(3);
    float[] x = new float[32 * 4];
    float[] y = new float[32];
    for (int i = 0; i < 32; i++) {
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = (float) r.nextDouble(-1, 1);
      }
      y[i] = x[i * 4] > x[i * 4 + 1] ? 1 : 0;
    }
    return new Tensor[] {Tensor.wrap(x, 32, 4), Tensor.wrap(y, 32, 1)};
  }

  private Backplane backplane(GpuProvider... gpus) {
    Backplane.Builder b = Backplane.builder().serviceLoader(false)
        .config(TestBackplanes.config());
    for (GpuProvider g : gpus) {
      b.addProvider(g);
    }
    Backplane bp = b.addProvider(new ReferenceFakeProvider()).build();
    opened.add(bp);
    return bp;
  }

  private static Sequential compiled(Backplane bp, String... device) {
    Sequential m = new Sequential(new int[] {4}, new Dense(8, "relu"), new Dense(1, "sigmoid"));
    m.compile(CompileOptions.builder().optimizer("adam").loss("binary_crossentropy")
        .metrics("accuracy").backplane(bp).seed(7).device(device).build());
    return m;
  }

  private static Map<String, Fig> figures(String html) throws Exception {
    Map<String, Fig> figs = new LinkedHashMap<>();
    Matcher m = FIGURE.matcher(html);
    while (m.find()) {
      byte[] png = Base64.getDecoder().decode(m.group(6));
      assertThat(Arrays.copyOf(png, 4)).containsExactly(0x89, 'P', 'N', 'G');
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      figs.put(m.group(1), new Fig(m.group(1), List.of(m.group(2).split("\\|")),
          Arrays.stream(m.group(3).split("\\|")).map(Integer::valueOf).toList(), m.group(4),
          m.group(5), image, Integer.parseInt(m.group(7)), Integer.parseInt(m.group(8))));
    }
    return figs;
  }

  /** How many pixels of the image have exactly this colour. */
  private static int pixels(BufferedImage image, Color c) {
    int n = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == (c.getRGB() & 0xffffff)) {
          n++;
        }
      }
    }
    return n;
  }

  private static List<List<String>> rows(String html, String tableId) {
    int start = html.indexOf("<table id=\"" + tableId + "\">");
    assertThat(start).as(tableId).isNotNegative();
    String table = html.substring(start, html.indexOf("</table>", start));
    List<List<String>> rows = new ArrayList<>();
    Matcher tr = Pattern.compile("<tr>(.*?)</tr>").matcher(table);
    while (tr.find()) {
      List<String> cells = new ArrayList<>();
      Matcher td = Pattern.compile("<t[dh][^>]*>(.*?)</t[dh]>").matcher(tr.group(1));
      while (td.find()) {
        cells.add(td.group(1));
      }
      rows.add(cells);
    }
    return rows;
  }

  @Test
  void theReportChartsEveryMetricTheDevicesAndTheResourcesOfEachEpoch() throws Exception {
    Path file = dir.resolve("out/report.html");
    TrainingReport report = new TrainingReport(file);
    Sequential m = compiled(backplane());
    Tensor[] d = data();
    History h = m.fit(d[0], d[1], FitOptions.builder().epochs(4).batchSize(4)
        .validationSplit(0.25).verbose(Verbosity.SILENT).output(out).callbacks(report).build());

    assertThat(file).exists();
    String html = Files.readString(file);
    assertThat(html).startsWith("<!DOCTYPE html>").endsWith("</html>\n")
        .doesNotContain("src=\"http", "href=\"http", "<script");
    Map<String, Fig> figs = figures(html);
    assertThat(figs).containsOnlyKeys("chart-loss", "chart-accuracy", "chart-devices",
        "chart-memory", "chart-cpu");

    Fig loss = figs.get("chart-loss");
    assertThat(loss.series()).containsExactly("loss", "val_loss");
    assertThat(loss.points()).containsExactly(4, 4);
    assertThat(loss.x()).isEqualTo("Epoch");
    assertThat(loss.y()).isEqualTo("loss");
    assertThat(figs.get("chart-accuracy").series()).containsExactly("accuracy", "val_accuracy");
    for (Fig f : figs.values()) {
      assertThat(f.image().getWidth()).as(f.id()).isEqualTo(f.width()).isEqualTo(720);
      assertThat(f.image().getHeight()).as(f.id()).isEqualTo(f.height());
      // Every series is drawn, in its own colour, with more than a few pixels. CPU readings
      // depend on the machine (a flat 0 or NaN line may be hidden under another), so that
      // chart's series are checked by name and points only.
      if (f.id().equals("chart-cpu")) {
        continue;
      }
      for (int i = 0; i < f.series().size(); i++) {
        assertThat(pixels(f.image(), ReportCharts.PALETTE[i])).as(f.id() + " " + f.series().get(i))
            .isGreaterThan(40);
      }
    }
    assertThat(figs.get("chart-devices").series()).containsExactly("accelerate:cpu:0");
    assertThat(figs.get("chart-devices").height()).isEqualTo(ReportCharts.TIMELINE_HEIGHT);
    assertThat(figs.get("chart-memory").series()).containsExactly("heap used",
        "heap committed", "off-heap (non-heap + direct)", "process RSS");
    assertThat(figs.get("chart-memory").points()).containsExactly(4, 4, 4, 4);
    assertThat(figs.get("chart-cpu").y()).isEqualTo("CPU %");

    // The table holds every epoch's values, as History has them.
    List<List<String>> metrics = rows(html, "metrics-table");
    assertThat(metrics.get(0)).containsExactly("Epoch", "loss", "accuracy", "val_loss",
        "val_accuracy");
    assertThat(metrics).hasSize(5);
    for (int e = 0; e < 4; e++) {
      assertThat(metrics.get(e + 1).get(0)).isEqualTo(Integer.toString(e + 1));
      assertThat(metrics.get(e + 1).get(1))
          .isEqualTo(String.format(Locale.ROOT, "%.4g", h.get("loss").get(e)));
    }
    assertThat(rows(html, "resources-table")).hasSize(5);
    assertThat(rows(html, "runs-table")).hasSize(2);
    assertThat(report.deviceRuns()).isEqualTo(h.deviceRuns());
    assertThat(html).contains("<li>Epochs: 4</li>", "Final loss: ");
    m.close();
  }

  @Test
  void theChartsHoldTheHistoryValuesWithLabelledAxes() {
    Map<String, List<Double>> values = new LinkedHashMap<>();
    values.put("loss", List.of(0.9, 0.5, 0.3));
    values.put("mae", List.of(0.8, 0.6, 0.4));
    values.put("val_loss", List.of(1.0, 0.7, Double.NaN));
    List<Figure> figs = ReportCharts.metrics(values, 2);
    assertThat(figs).extracting(Figure::id).containsExactly("chart-loss", "chart-mae");
    XYPlot plot = (XYPlot) figs.get(0).chart().getPlot();
    XYDataset data = plot.getDataset();
    assertThat(data.getSeriesCount()).isEqualTo(2);
    assertThat(String.valueOf(data.getSeriesKey(1))).isEqualTo("val_loss");
    assertThat(data.getItemCount(0)).isEqualTo(3);
    assertThat(data.getXValue(0, 0)).isEqualTo(3.0);
    assertThat(data.getYValue(0, 2)).isEqualTo(0.3);
    assertThat(data.getY(1, 2)).as("a diverged value is a gap").isNull();
    assertThat(plot.getDomainAxis().getLabel()).isEqualTo("Epoch");
    assertThat(plot.getRangeAxis().getLabel()).isEqualTo("loss");
    assertThat(figs.get(0).chart().getTitle().getText()).isEqualTo("Loss per epoch");
  }

  private static GpuProvider flaky(long from) {
    return new GpuProvider("flaky", (spec, device) -> {
      ReferenceExecutable e = spy(new ReferenceExecutable(spec, device, "flaky"));
      doAnswer(inv -> {
        long step = ((ReferenceExecutable) inv.getMock()).iterations();
        if (step < from) {
          return inv.callRealMethod();
        }
        inv.callRealMethod();
        Arrays.fill((float[]) inv.getArgument(2), Float.NaN);
        return Double.NaN;
      }).when(e).trainStep(any(), any(), any());
      return e;
    });
  }

  @Test
  void aFailoverIsMarkedOnTheTimelineWithItsReason() throws Exception {
    Path file = dir.resolve("failover.html");
    TrainingReport report = new TrainingReport(file);
    Sequential m = compiled(backplane(flaky(5)), "flaky", "cpu");
    Tensor[] d = data();
    History h = m.fit(d[0], d[1], FitOptions.builder().epochs(2).batchSize(4)
        .verbose(Verbosity.SILENT).output(out).callbacks(report).build());
    assertThat(h.deviceRuns()).hasSize(2);
    assertThat(report.deviceRuns()).isEqualTo(h.deviceRuns());
    assertThat(report.events()).singleElement()
        .satisfies(e -> assertThat(e.step()).isEqualTo(5));

    report.write(h);
    String html = Files.readString(file);
    Fig timeline = figures(html).get("chart-devices");
    assertThat(timeline.series()).containsExactly("flaky:gpu:0", "accelerate:cpu:0");
    assertThat(timeline.points()).containsExactly(1, 1);
    assertThat(timeline.x()).isEqualTo("Step");
    assertThat(pixels(timeline.image(), ReportCharts.FAILOVER)).isGreaterThan(100);
    assertThat(pixels(timeline.image(), ReportCharts.PALETTE[0])).isGreaterThan(500);
    assertThat(pixels(timeline.image(), ReportCharts.PALETTE[1])).isGreaterThan(500);
    List<List<String>> runs = rows(html, "runs-table");
    assertThat(runs).hasSize(3);
    assertThat(runs.get(1)).startsWith("flaky:gpu:0", "1", "0–4 (5)");
    assertThat(runs.get(2)).startsWith("accelerate:cpu:0", "1", "5–15 (11)");
    assertThat(runs.get(2).get(3)).contains("returned a non-finite loss (NaN) at step 5");
    assertThat(html).contains("<li class=\"failover\" data-kind=\"FAILOVER\" data-step=\"5\">")
        .contains("Failover: flaky:gpu:0");

    // The timeline chart itself: one bar per run on its device's row, a marker at step 5.
    Figure chart = ReportCharts.timeline(h.deviceRuns(), report.events(), List.of(8L, 16L));
    XYPlot plot = (XYPlot) chart.chart().getPlot();
    assertThat(plot.getDataset().getSeriesCount()).isEqualTo(2);
    assertThat(markerValues(plot)).contains(5.0, 8.0);
    assertThat(plot.getRangeAxis().getLabel()).isEqualTo("Device");
    m.close();
  }

  private static List<Double> markerValues(XYPlot plot) {
    List<Double> values = new ArrayList<>();
    for (Object mk : plot.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND)) {
      values.add(((org.jfree.chart.plot.ValueMarker) mk).getValue());
    }
    return values;
  }

  @Test
  void theMonitorSamplesEachEpochAndPrintsUnderTheProgressLine() {
    ResourceMonitor monitor = ResourceMonitor.printing();
    TrainingReport report = new TrainingReport(dir.resolve("r.html"), monitor);
    Sequential m = compiled(backplane());
    Tensor[] d = data();
    m.fit(d[0], d[1], FitOptions.builder().epochs(3).batchSize(8).verbose(2).output(out)
        .callbacks(report, monitor).build());

    assertThat(monitor.samples()).extracting(ResourceSample::epoch).containsExactly(0, 1, 2);
    for (ResourceSample s : monitor.samples()) {
      assertThat(s.heapUsed()).isPositive().isLessThanOrEqualTo(s.heapCommitted());
      assertThat(s.rss()).as("RSS through OSHI").isGreaterThan(s.heapUsed() / 4);
      assertThat(s.nonHeapUsed()).isPositive();
      assertThat(s.processCpu()).isBetween(0.0, 1.0);
      // NaN where the epoch was shorter than the kernel's 10 ms tick.
      assertThat(Double.isNaN(s.systemCpu()) || s.systemCpu() >= 0 && s.systemCpu() <= 1)
          .as("system CPU %s", s.systemCpu()).isTrue();
    }
    assertThat(monitor.perEpoch()).containsOnlyKeys(0, 1, 2);
    assertThat(monitor.perEpoch().get(1)).containsKeys(ResourceSample.HEAP_USED,
        ResourceSample.RSS, ResourceSample.PROCESS_CPU, ResourceSample.NON_HEAP);
    assertThat(monitor.history().get(ResourceSample.RSS)).hasSize(3)
        .allSatisfy(v -> assertThat(v).isPositive());

    List<String> lines = printed.toString(StandardCharsets.UTF_8).lines().toList();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(ResourceMonitor.PREFIX)) {
        at.add(i);
        assertThat(lines.get(i)).matches(".*heap: [0-9.]+/[0-9.]+ MB - off-heap: [0-9.]+ MB - "
            + "rss: [0-9.]+ MB - cpu: \\d+% \\(system \\d+%\\)");
        assertThat(lines.get(i - 1)).contains("loss:");
      }
    }
    assertThat(at).hasSize(3);
    assertThat(report.file()).exists();
    m.close();
  }

  @Test
  void theMonitorShowsPlacementsEstimateBesideTheMeasuredUse() {
    ResourceMonitor monitor = ResourceMonitor.printing();
    monitor.expect(3 << 20, 8);
    Sequential m = compiled(backplane());
    Tensor[] d = data();
    m.fit(d[0], d[1], FitOptions.builder().epochs(1).batchSize(8).verbose(2).output(out)
        .callbacks(monitor).build());
    assertThat(printed.toString(StandardCharsets.UTF_8).lines()
        .filter(l -> l.startsWith(ResourceMonitor.PREFIX)).toList()).singleElement().asString()
        .matches(".*rss: [0-9.]+ MB - cpu: \\d+% \\(system \\d+%\\) - estimated working set"
            + " 3\\.0 MiB at batch 8");
    m.close();
  }
}
