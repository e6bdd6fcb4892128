package dev.backplane.reports;

import dev.backplane.conformance.CheckResult;
import dev.backplane.conformance.ConformanceReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code backplane conformance --report conformance.html}: one self-contained HTML page with the
 * conformance matrix (check × backend: pass, fail or skip with the measured deviation and the
 * reason on hover) and, for each whole-model check, a chart of every backend's per-epoch losses
 * overlaid on the reference's.
 *
 * <pre>{@code
 * ConformanceReport r = Conformance.of(new AccelerateProvider()).run();
 * ConformancePage.write(r, Path.of("conformance.html"));
 * }</pre>
 */
public final class ConformancePage {
  private ConformancePage() {}

  /**
   * Writes the page.
   *
   * @throws UncheckedIOException when the file cannot be written
   */
  public static void write(ConformanceReport report, Path file) {
    try {
      Files.writeString(file, render(report), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the conformance report " + file + ": "
          + e.getMessage(), e);
    }
  }

  /** The page as HTML. */
  public static String render(ConformanceReport report) {
    List<String> backends = report.backends();
    Set<String> checks = new LinkedHashSet<>();
    report.results().forEach(r -> checks.add(r.check()));
    StringBuilder b = new StringBuilder(64 * 1024);
    b.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>Backplane conformance</title>\n<style>\n")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:90em}\n")
        .append("table{border-collapse:collapse;margin:.5em 0 1.5em}\n")
        .append("td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}\n")
        .append("th{background:#f3f3f3}.pass{background:#e7f5e7}.fail{background:#fbe3e3}\n")
        .append(".skip{background:#f3f3f3;color:#666}figure{margin:1em 0}\n")
        .append("figcaption{color:#555;font-size:.9em}\n</style>\n</head>\n<body>\n")
        .append("<h1>Backplane conformance</h1>\n<ul id=\"summary\">\n");
    for (String backend : backends) {
      List<CheckResult> rs = report.results(backend);
      b.append("<li>").append(ReportHtml.esc(backend)).append(": ")
          .append(count(rs, "PASS")).append(" passed, ").append(count(rs, "FAIL"))
          .append(" failed, ").append(count(rs, "SKIP")).append(" skipped</li>\n");
    }
    b.append("</ul>\n<section id=\"curves\">\n<h2>Whole-model loss curves</h2>\n");
    for (String check : checks) {
      Map<String, List<Double>> series = new LinkedHashMap<>();
      for (String backend : backends) {
        Optional<CheckResult> r = report.result(backend, check);
        if (r.isPresent() && !r.get().curves().isEmpty()) {
          series.putIfAbsent("reference", r.get().curves().get("reference"));
          series.put(backend, r.get().curves().get("tested"));
        }
      }
      if (!series.isEmpty()) {
        Figure f = ReportCharts.lines("curve-" + check.replace('/', '-'), check
            + ": per-epoch loss", "Epoch", "loss", series, 1);
        ReportHtml.figure(b, f);
      }
    }
    b.append("</section>\n<section id=\"matrix\">\n<h2>Checks</h2>\n<table id=\"matrix-table\">\n")
        .append("<tr><th>check</th><th>tolerance</th>");
    for (String backend : backends) {
      b.append("<th>").append(ReportHtml.esc(backend)).append("</th>");
    }
    b.append("</tr>\n");
    for (String check : checks) {
      b.append("<tr data-check=\"").append(ReportHtml.esc(check)).append("\"><td>")
          .append(ReportHtml.esc(check)).append("</td><td>");
      Double tolerance = null;
      List<String> cells = new ArrayList<>();
      for (String backend : backends) {
        Optional<CheckResult> r = report.result(backend, check);
        if (r.isEmpty()) {
          cells.add("<td></td>");
          continue;
        }
        CheckResult c = r.get();
        tolerance = tolerance != null ? tolerance : c.tolerance();
        String status = c.status().name().toLowerCase(Locale.ROOT);
        cells.add("<td class=\"" + status + "\" title=\"" + ReportHtml.esc(c.reason()) + "\">"
            + status + (c.maxDeviation() == null ? "" : " " + number(c.maxDeviation()))
            + "</td>");
      }
      b.append(tolerance == null ? "–" : number(tolerance)).append("</td>");
      cells.forEach(b::append);
      b.append("</tr>\n");
    }
    b.append("</table>\n</section>\n</body>\n</html>\n");
    return b.toString();
  }

  private static long count(List<CheckResult> rs, String status) {
    return rs.stream().filter(r -> r.status().name().equals(status)).count();
  }

  private static String number(double v) {
    return v == 0 ? "0" : String.format(Locale.ROOT, "%.2e", v);
  }
}
