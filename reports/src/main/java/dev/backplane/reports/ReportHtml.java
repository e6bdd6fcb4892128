package dev.backplane.reports;

import dev.backplane.model.History;
import dev.backplane.trust.FailoverEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report's HTML: one file, inline CSS, charts as PNG {@code data:} URIs. */
final class ReportHtml {
  private final String model;
  private final Instant started;
  private final Instant ended;
  private final int firstEpoch;
  private final Map<String, List<Double>> metrics;
  private final List<History.DeviceRun> runs;
  private final List<FailoverEvent> events;
  private final List<Long> epochEnds;
  private final List<ResourceSample> samples;
  private final String placement;
  private final String stopReason;

  ReportHtml(String model, Instant started, Instant ended, int firstEpoch,
      Map<String, List<Double>> metrics, List<History.DeviceRun> runs,
      List<FailoverEvent> events, List<Long> epochEnds, List<ResourceSample> samples,
      String placement, String stopReason) {
    this.model = model;
    this.started = started;
    this.ended = ended;
    this.firstEpoch = firstEpoch;
    this.metrics = metrics;
    this.runs = runs;
    this.events = List.copyOf(events);
    this.epochEnds = List.copyOf(epochEnds);
    this.samples = samples;
    this.placement = placement;
    this.stopReason = stopReason;
  }

  /** The charts of the report, in page order. */
  List<Figure> figures() {
    List<Figure> all = new ArrayList<>(ReportCharts.metrics(metrics, firstEpoch));
    if (!runs.isEmpty()) {
      all.add(ReportCharts.timeline(runs, events, epochEnds));
    }
    all.addAll(ReportCharts.resources(samples));
    return all;
  }

  String render() {
    List<Figure> metricFigures = ReportCharts.metrics(metrics, firstEpoch);
    StringBuilder b = new StringBuilder(64 * 1024);
    int epochs = metrics.values().stream().mapToInt(List::size).max().orElse(0);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Training report: ").append(esc(model)).append("</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:78em}\n")
        .append("table{border-collapse:collapse;margin:.5em 0 1.5em}\n")
        .append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}\n")
        .append("th{background:#f3f3f3}td.text{text-align:left}\n")
        .append("figure{margin:1em 0}figcaption{color:#555;font-size:.9em}\n")
        .append(".failover{color:#d62728}pre{background:#f6f6f6;padding:.6em;overflow:auto}\n")
        .append("</style>\n</head>\n<body>\n");
    b.append("<h1>Training report: ").append(esc(model)).append("</h1>\n<ul id=\"summary\">\n")
        .append("<li>Epochs: ").append(epochs).append("</li>\n");
    if (started != null) {
      b.append("<li>Started: ").append(started).append("</li>\n");
      if (ended != null) {
        b.append("<li>Duration: ").append(seconds(Duration.between(started, ended)))
            .append(" s</li>\n");
      }
    }
    if (!runs.isEmpty()) {
      b.append("<li>Devices: ").append(esc(String.join(" → ",
          runs.stream().map(r -> String.valueOf(r.device())).toList()))).append("</li>\n");
    }
    for (Map.Entry<String, List<Double>> e : metrics.entrySet()) {
      List<Double> v = e.getValue();
      if (!v.isEmpty()) {
        b.append("<li>Final ").append(esc(e.getKey())).append(": ")
            .append(num(v.get(v.size() - 1))).append("</li>\n");
      }
    }
    if (stopReason != null) {
      b.append("<li class=\"failover\" id=\"stop-reason\">Stopped early: ")
          .append(esc(stopReason)).append("</li>\n");
    }
    b.append("</ul>\n");

    b.append("<section id=\"metrics\">\n<h2>Loss and metrics</h2>\n");
    for (Figure f : metricFigures) {
      figure(b, f);
    }
    table(b, "metrics-table", "Epoch", epochLabels(epochs), metrics);
    b.append("</section>\n");

    b.append("<section id=\"devices\">\n<h2>Device timeline</h2>\n");
    if (!runs.isEmpty()) {
      figure(b, ReportCharts.timeline(runs, events, epochEnds));
    }
    b.append("<table id=\"runs-table\">\n<tr><th>Device</th><th>First epoch</th>"
        + "<th>Steps</th><th>Why</th></tr>\n");
    for (History.DeviceRun r : runs) {
      b.append("<tr><td class=\"text\">").append(esc(String.valueOf(r.device())))
          .append("</td><td>").append(r.firstEpoch() + 1).append("</td><td>")
          .append(r.firstStep()).append("–").append(r.firstStep() + r.steps() - 1)
          .append(" (").append(r.steps()).append(")</td><td class=\"text\">")
          .append(esc(r.reason())).append("</td></tr>\n");
    }
    b.append("</table>\n");
    if (!events.isEmpty()) {
      b.append("<h3>Failovers</h3>\n<ol id=\"failovers\">\n");
      for (FailoverEvent e : events) {
        b.append("<li class=\"failover\" data-kind=\"").append(e.kind()).append("\" data-step=\"")
            .append(e.step()).append("\">").append(esc(e.kind().name())).append(" at step ")
            .append(e.step()).append(" (epoch ").append(e.epoch() + 1).append("): ")
            .append(esc(e.message())).append("</li>\n");
      }
      b.append("</ol>\n");
    }
    if (placement != null && !placement.isBlank()) {
      b.append("<h3>Placement</h3>\n<pre id=\"placement\">").append(esc(placement))
          .append("</pre>\n");
    }
    b.append("</section>\n");

    b.append("<section id=\"resources\">\n<h2>Resources per epoch</h2>\n");
    if (samples.isEmpty()) {
      b.append("<p>No epoch completed.</p>\n");
    } else {
      for (Figure f : ReportCharts.resources(samples)) {
        figure(b, f);
      }
      Map<String, List<Double>> columns = new java.util.LinkedHashMap<>();
      List<String> labels = new ArrayList<>();
      for (ResourceSample s : samples) {
        labels.add(Integer.toString(s.epoch() + 1));
        s.toMap().forEach((k, v) -> columns.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
      }
      table(b, "resources-table", "Epoch", labels, columns);
    }
    b.append("</section>\n</body>\n</html>\n");
    return b.toString();
  }

  private List<String> epochLabels(int epochs) {
    List<String> labels = new ArrayList<>();
    for (int i = 0; i < epochs; i++) {
      labels.add(Integer.toString(firstEpoch + i + 1));
    }
    return labels;
  }

  /** A chart as a {@code figure} with its PNG inline and what it shows as data attributes. */
  static void figure(StringBuilder b, Figure f) {
    String png = Base64.getEncoder().encodeToString(ReportCharts.png(f));
    b.append("<figure id=\"").append(esc(f.id())).append("\" data-series=\"")
        .append(esc(String.join("|", f.series()))).append("\" data-points=\"")
        .append(String.join("|", f.points().stream().map(String::valueOf).toList()))
        .append("\" data-x-label=\"").append(esc(f.xLabel())).append("\" data-y-label=\"")
        .append(esc(f.yLabel())).append("\">\n<img src=\"data:image/png;base64,").append(png)
        .append("\" width=\"").append(ReportCharts.WIDTH).append("\" height=\"")
        .append(ReportCharts.height(f)).append("\" alt=\"").append(esc(f.title()))
        .append(": ").append(esc(String.join(", ", f.series()))).append(" by ")
        .append(esc(f.xLabel())).append("\">\n<figcaption>").append(esc(f.title()))
        .append("</figcaption>\n</figure>\n");
  }

  private static void table(StringBuilder b, String id, String first, List<String> rows,
      Map<String, List<Double>> columns) {
    b.append("<table id=\"").append(id).append("\">\n<tr><th>").append(esc(first))
        .append("</th>");
    for (String c : columns.keySet()) {
      b.append("<th>").append(esc(c)).append("</th>");
    }
    b.append("</tr>\n");
    for (int i = 0; i < rows.size(); i++) {
      b.append("<tr><td>").append(esc(rows.get(i))).append("</td>");
      for (List<Double> v : columns.values()) {
        b.append("<td>").append(i < v.size() ? num(v.get(i)) : "").append("</td>");
      }
      b.append("</tr>\n");
    }
    b.append("</table>\n");
  }

  private static String num(Double v) {
    if (v == null || v.isNaN()) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.4g", v);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
  }

  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
