package dev.backplane.cli;

import dev.backplane.Backplane;
import dev.backplane.NoBackendException;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.ConfigException;
import dev.backplane.conformance.CheckResult;
import dev.backplane.conformance.Conformance;
import dev.backplane.conformance.ConformanceReport;
import dev.backplane.spi.BackendProvider;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backplane conformance}: runs the conformance kit over every backend on the class path
 * (or the named ones) against the reference and prints the matrix; exit code 1 if any check
 * fails.
 */
@Command(name = "conformance", mixinStandardHelpOptions = true,
    description = "Check every backend (or --backend ones) against the reference CPU kernels,"
        + " finite differences and its own contracts; exit code 1 on any failure.")
final class ConformanceCommand implements Callable<Integer> {
  @Option(names = "--backend", paramLabel = "ID", split = ",",
      description = "Backend id(s) to check, e.g. accelerate,tf-java (default: all)")
  List<String> backends = new ArrayList<>();

  @Option(names = "--check", paramLabel = "PATTERN", split = ",",
      description = "Only these checks: an id (forward/gelu), a category (forward) or a prefix*")
  List<String> checks = new ArrayList<>();

  @Option(names = "--json", description = "Print a JSON array of {backend, check, status,"
      + " maxDeviation, tolerance, reason}")
  boolean json;

  @Option(names = "--report", paramLabel = "FILE",
      description = "Also write an HTML page: the matrix and every whole-model check's loss"
          + " curves of each backend overlaid on the reference")
  java.nio.file.Path reportFile;

  @Option(names = "-D", paramLabel = "key=value",
      description = "Set a configuration key for the backends under test, e.g."
          + " -Dbackplane.threads=2")
  Map<String, String> properties = new LinkedHashMap<>();

  @Option(names = "--threads", paramLabel = "N", description = "Compute threads (backplane.threads)")
  String threads;

  @Option(names = "--seed", paramLabel = "N", description = "Seed (backplane.seed)")
  String seed;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  private final Function<BackplaneConfig, Backplane> backplanes;

  /** Discovers backends on the class path. */
  ConformanceCommand() {
    this(config -> Backplane.builder().config(config).build());
  }

  /** Uses this factory for the Backplane whose providers are checked (tests). */
  ConformanceCommand(Function<BackplaneConfig, Backplane> backplanes) {
    this.backplanes = backplanes;
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    BackplaneConfig.Builder b = BackplaneConfig.builder();
    properties.forEach(b::set);
    if (threads != null) {
      b.set("backplane.threads", threads);
    }
    if (seed != null) {
      b.set("backplane.seed", seed);
    }
    BackplaneConfig config = b.build();
    ConformanceReport report;
    String reference;
    List<String> problems;
    try (Backplane bp = backplanes.apply(config)) {
      problems = bp.discoveryProblems();
      if (bp.providers().isEmpty()) {
        throw new NoBackendException(String.join(" ", problems));
      }
      // The kit's own reference: the api's float64 interpreter, which shares no kernel with any
      // backend.
      BackendProvider ref = new dev.backplane.conformance.InterpreterProvider();
      reference = "the float64 interpreter of the op set (" + ref.id() + ")";
      report = new ConformanceReport(List.of());
      for (BackendProvider p : selected(bp)) {
        Conformance kit = Conformance.of(p).reference(ref).config(config);
        if (!checks.isEmpty()) {
          kit.only(checks.toArray(String[]::new));
        }
        report = report.plus(kit.run());
      }
    }
    if (reportFile != null) {
      dev.backplane.reports.ConformancePage.write(report, reportFile);
    }
    if (json) {
      out.println(Json.write(rows(report)));
    } else {
      out.print(report.table());
      out.println();
      out.println("Reference: " + reference + ". Tolerances: see"
          + " dev.backplane.conformance.Tolerances.");
      for (String p : problems) {
        out.println("warning: " + p);
      }
    }
    out.flush();
    return report.hasFailures() ? Main.FAILURE : 0;
  }

  private List<BackendProvider> selected(Backplane bp) {
    if (backends.isEmpty()) {
      return bp.providers();
    }
    List<BackendProvider> picked = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (String id : backends) {
      bp.provider(id.trim()).ifPresentOrElse(picked::add, () -> unknown.add(id));
    }
    if (!unknown.isEmpty()) {
      throw new ConfigException(unknown.stream().map(id -> "Unknown backend id '" + id
          + "' in --backend. Known backends: " + String.join(", ", bp.providers().stream()
          .map(BackendProvider::id).toList())).toList());
    }
    return picked;
  }

  static List<Object> rows(ConformanceReport report) {
    List<Object> rows = new ArrayList<>();
    for (CheckResult r : report.results()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("backend", r.backend());
      row.put("check", r.check());
      row.put("status", r.status().label());
      row.put("maxDeviation", r.maxDeviation());
      row.put("tolerance", r.tolerance());
      row.put("reason", r.reason());
      rows.add(row);
    }
    return rows;
  }
}
