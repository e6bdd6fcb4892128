package dev.backplane.cli;

import dev.backplane.model.Callback;
import dev.backplane.model.History;
import dev.backplane.reports.ResourceMonitor;
import dev.backplane.reports.TrainingReport;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The flags around {@code fit}: {@code --report report.html} writes the training's HTML report
 * (loss and metric charts, the device timeline with its failovers, resources per epoch);
 * {@code --monitor} prints the memory and CPU use of each epoch under its progress line.
 */
final class ReportOptions {
  @Option(names = "--report", paramLabel = "FILE",
      description = "Write an HTML report of the training (charts of every loss and metric, the"
          + " device timeline, resources per epoch) to FILE, e.g. report.html")
  Path report;

  @Option(names = "--monitor",
      description = "Print the memory (heap, off-heap, RSS) and CPU use of each epoch")
  boolean monitor;

  private ResourceMonitor resourceMonitor;
  private TrainingReport trainingReport;
  private long estimateBytes = -1;
  private int estimateBatch;

  /** The model's estimated working set at the fit's batch size, for {@code --monitor}. */
  void expectMemory(long bytes, int batchSize) {
    this.estimateBytes = bytes;
    this.estimateBatch = batchSize;
  }

  /** The callbacks these flags ask for (none without them), made once per command. */
  Callback[] callbacks() {
    List<Callback> callbacks = new ArrayList<>();
    if (monitor && resourceMonitor == null) {
      resourceMonitor = ResourceMonitor.printing();
      if (estimateBytes >= 0) {
        resourceMonitor.expect(estimateBytes, estimateBatch);
      }
    }
    if (report != null && trainingReport == null) {
      trainingReport = resourceMonitor != null ? new TrainingReport(report, resourceMonitor)
          : new TrainingReport(report);
    }
    if (resourceMonitor != null) {
      callbacks.add(resourceMonitor);
    }
    if (trainingReport != null) {
      callbacks.add(trainingReport);
    }
    return callbacks.toArray(Callback[]::new);
  }

  /**
   * After {@code fit}: rewrites the report from the returned history (its device runs and stop
   * reason) and says where it is.
   *
   * @throws UncheckedIOException if the report cannot be written
   */
  void finish(History history, PrintStream out) {
    if (trainingReport != null) {
      out.println("Report: " + trainingReport.write(history).toAbsolutePath());
    }
  }
}
