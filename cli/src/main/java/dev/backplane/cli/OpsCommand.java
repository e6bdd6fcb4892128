package dev.backplane.cli;

import dev.backplane.Backplane;
import dev.backplane.ops.Op;
import dev.backplane.ops.OpDoc;
import dev.backplane.ops.OpSet;
import dev.backplane.spi.BackendProvider;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code backplane ops}: the op set (op, family, signature, semantics, gradient) and, for every
 * installed backend, whether it implements each op ({@code Backend.supportedOps()}).
 */
@Command(name = "ops", mixinStandardHelpOptions = true,
    description = "List the op set and which ops each installed backend implements.")
final class OpsCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Option(names = "--json", description = "Print JSON for machines: one object per op; a"
      + " backend that cannot open has null for every op")
  boolean json;

  @Option(names = "--markdown", description = "Print the op table as Markdown (for the README)")
  boolean markdown;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  /** One installed backend: its supported ops, or why it could not open. */
  record BackendOps(String id, Set<String> ops, String unavailable) {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (markdown) {
      out.println(markdown());
      out.flush();
      return 0;
    }
    List<BackendOps> backends = new ArrayList<>();
    try (Backplane backplane = config.backplane()) {
      for (BackendProvider p : backplane.providers()) {
        try {
          backends.add(new BackendOps(p.id(), Set.copyOf(backplane.backend(p.id())
              .supportedOps()), null));
        } catch (RuntimeException | LinkageError e) {
          backends.add(new BackendOps(p.id(), null, reason(e)));
        }
      }
      if (json) {
        out.println(Json.write(rows(backends)));
      } else {
        out.println(table(backends));
        for (BackendOps b : backends) {
          if (b.unavailable() != null) {
            out.println("backend " + b.id() + ": unavailable: " + b.unavailable());
          }
        }
        for (String p : backplane.discoveryProblems()) {
          out.println("warning: " + p);
        }
      }
    }
    out.flush();
    return 0;
  }

  private static String reason(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replace('\n', ' ');
  }

  static List<Object> rows(List<BackendOps> backends) {
    List<Object> rows = new ArrayList<>();
    for (Op op : OpSet.all()) {
      OpDoc d = op.doc();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("op", op.name());
      row.put("family", d.family());
      row.put("signature", d.signature());
      row.put("semantics", d.semantics());
      row.put("gradient", d.gradient());
      Map<String, Object> support = new LinkedHashMap<>();
      for (BackendOps b : backends) {
        support.put(b.id(), b.ops() == null ? null : b.ops().contains(op.name()));
      }
      row.put("backends", support);
      rows.add(row);
    }
    return rows;
  }

  static String table(List<BackendOps> backends) {
    List<String> header = new ArrayList<>(List.of("OP", "FAMILY", "SIGNATURE", "SEMANTICS",
        "GRADIENT"));
    for (BackendOps b : backends) {
      header.add(b.id().toUpperCase(java.util.Locale.ROOT));
    }
    List<List<String>> rows = new ArrayList<>();
    for (Op op : OpSet.all()) {
      OpDoc d = op.doc();
      List<String> row = new ArrayList<>(List.of(op.name(), d.family(), d.signature(),
          d.semantics(), d.gradient()));
      for (BackendOps b : backends) {
        row.add(b.ops() == null ? "unavailable" : b.ops().contains(op.name()) ? "yes" : "no");
      }
      rows.add(row);
    }
    int[] width = new int[header.size()];
    for (int c = 0; c < width.length; c++) {
      width[c] = header.get(c).length();
      for (List<String> r : rows) {
        width[c] = Math.max(width[c], r.get(c).length());
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, header, width);
    for (List<String> r : rows) {
      b.append('\n');
      line(b, r, width);
    }
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells, int[] width) {
    for (int c = 0; c < cells.size(); c++) {
      if (c > 0) {
        b.append("  ");
      }
      String s = cells.get(c);
      b.append(s);
      if (c < cells.size() - 1) {
        b.append(" ".repeat(width[c] - s.length()));
      }
    }
  }

  /** The op table as Markdown, as the README shows it. */
  static String markdown() {
    StringBuilder b = new StringBuilder(
        "| op | family | signature | semantics | gradient |\n|---|---|---|---|---|");
    for (Op op : OpSet.all()) {
      OpDoc d = op.doc();
      b.append("\n| `").append(op.name()).append("` | ").append(cell(d.family())).append(" | `")
          .append(d.signature()).append("` | ").append(cell(d.semantics())).append(" | ")
          .append(cell(d.gradient())).append(" |");
    }
    return b.toString();
  }

  private static String cell(String s) {
    return s.replace("|", "\\|");
  }
}
