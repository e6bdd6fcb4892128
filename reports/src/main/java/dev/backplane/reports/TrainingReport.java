package dev.backplane.reports;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.model.Callback;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.trust.FailoverEvent;
import dev.backplane.trust.FailoverListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Writes one self-contained HTML file about a {@link Sequential#fit}: a chart of every loss and
 * metric per epoch (training and validation), the device timeline (which device ran which
 * steps, each failover marked with its reason) and the process's resources per epoch (heap,
 * off-heap, RSS, CPU). The charts are PNGs rendered headless with JFreeChart and embedded as
 * {@code data:} URIs, so the file needs nothing beside it.
 *
 * <pre>{@code
 * TrainingReport report = new TrainingReport(Path.of("report.html"));
 * History h = model.fit(x, y, FitOptions.builder().epochs(10).callbacks(report).build());
 * report.write(h);   // optional: rewrites the file from the History fit returned
 * }</pre>
 *
 * <p>As a callback it records every epoch's logs, the device of every step and, through a
 * {@link FailoverListener} it registers once on the model's {@link Backplane}, every failover;
 * it writes the file when training ends. {@link #write(History)} after {@code fit} rewrites it
 * from the returned {@link History} (the authoritative device runs and stop reason);
 * {@link #write()} writes what was seen so far, e.g. after {@code fit} threw. It samples
 * resources with its own {@link ResourceMonitor}, or with one given to it (the same monitor may
 * also be among the callbacks: each epoch is sampled once). A report is for one fit at a time.
 */
public final class TrainingReport implements Callback {
  private final Path file;
  private final ResourceMonitor monitor;
  private final Set<Backplane> listening = Collections.newSetFromMap(new WeakHashMap<>());
  private final FailoverListener listener = this::onFailover;

  private final Map<String, List<Double>> values = new LinkedHashMap<>();
  private final List<MutableRun> runs = new ArrayList<>();
  private final List<FailoverEvent> events = new ArrayList<>();
  private final List<Long> epochEnds = new ArrayList<>();
  private volatile boolean active;
  private String modelName = "model";
  private String placement = "";
  private int firstEpoch = -1;
  private int epoch;
  private long step;
  private Instant started;
  private Instant ended;
  private String lastFailoverReason;

  /** A report written to {@code file}, with its own resource monitor. */
  public TrainingReport(Path file) {
    this(file, ResourceMonitor.create());
  }

  /** A report written to {@code file} that reads resources from {@code monitor}. */
  public TrainingReport(Path file, ResourceMonitor monitor) {
    this.file = Objects.requireNonNull(file, "file");
    this.monitor = Objects.requireNonNull(monitor, "monitor");
  }

  /** Where the report is written. */
  public Path file() {
    return file;
  }

  /** The monitor whose samples the report charts. */
  public ResourceMonitor monitor() {
    return monitor;
  }

  @Override
  public void onTrainBegin(Sequential model) {
    values.clear();
    runs.clear();
    events.clear();
    epochEnds.clear();
    firstEpoch = -1;
    step = 0;
    ended = null;
    lastFailoverReason = null;
    started = Instant.now();
    modelName = model.name();
    placement = explain(model);
    monitor.reset();
    Backplane bp = model.backplane();
    if (bp != null && listening.add(bp)) {
      bp.addListener(listener);
    }
    runs.add(new MutableRun(model.device(), -1, 0, "placement"));
    active = true;
  }

  @Override
  public void onEpochBegin(Sequential model, int epoch) {
    this.epoch = epoch;
    if (firstEpoch < 0) {
      firstEpoch = epoch;
      runs.get(0).firstEpoch = epoch;
    }
  }

  @Override
  public void onBatchEnd(Sequential model, int batch, Map<String, Double> logs) {
    Device now = model.device();
    MutableRun last = runs.get(runs.size() - 1);
    if (!now.equals(last.device)) {
      String reason = lastFailoverReason != null ? lastFailoverReason
          : "training moved from " + last.device + " to " + now;
      runs.add(new MutableRun(now, epoch, step, reason));
      lastFailoverReason = null;
      last = runs.get(runs.size() - 1);
    }
    last.steps++;
    step++;
  }

  @Override
  public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
    // The logs are an unordered snapshot: keep History's order (loss first, then the other
    // metrics, then their validation values).
    List<String> keys = new ArrayList<>(logs.keySet());
    keys.sort(java.util.Comparator.comparing((String k) -> k.startsWith("val_"))
        .thenComparing(k -> !k.equals("loss") && !k.equals("val_loss"))
        .thenComparing(java.util.Comparator.naturalOrder()));
    for (String k : keys) {
      values.computeIfAbsent(k, x -> new ArrayList<>()).add(logs.get(k));
    }
    epochEnds.add(step);
    monitor.sampleEpoch(epoch);
  }

  @Override
  public void onTrainEnd(Sequential model, Map<String, Double> logs) {
    active = false;
    ended = Instant.now();
    placement = explain(model);
    try {
      write();
    } catch (UncheckedIOException e) {
      model.output().println("Training report not written to " + file + ": "
          + e.getCause().getMessage());
    }
  }

  private void onFailover(FailoverEvent e) {
    if (!active) {
      return;
    }
    events.add(e);
    if (e.kind() == FailoverEvent.Kind.FAILOVER) {
      lastFailoverReason = e.reason();
    }
  }

  /** The failovers seen during the last fit, in order. */
  public List<FailoverEvent> events() {
    return List.copyOf(events);
  }

  /** The device runs as the callbacks saw them: the same as {@link History#deviceRuns()}. */
  public List<History.DeviceRun> deviceRuns() {
    return runs.stream().map(MutableRun::freeze).toList();
  }

  /**
   * Writes the report from what the callbacks saw (the metrics, device runs and failovers of
   * the epochs so far).
   *
   * @return the file
   * @throws UncheckedIOException if it cannot be written
   */
  public Path write() {
    return write(values, deviceRuns(), null);
  }

  /**
   * Rewrites the report from the {@link History} that {@code fit} returned, with the failovers
   * and resources recorded during it.
   *
   * @return the file
   * @throws UncheckedIOException if it cannot be written
   */
  public Path write(History history) {
    return write(history.history(), history.deviceRuns(), history.stopReason().orElse(null));
  }

  private Path write(Map<String, List<Double>> metrics, List<History.DeviceRun> deviceRuns,
      String stopReason) {
    int first = !deviceRuns.isEmpty() && deviceRuns.get(0).firstEpoch() >= 0
        ? deviceRuns.get(0).firstEpoch() : Math.max(0, firstEpoch);
    String stop = stopReason;
    if (stop == null) {
      stop = events.stream().filter(e -> e.kind() == FailoverEvent.Kind.DIVERGED)
          .map(FailoverEvent::reason).findFirst().orElse(null);
    }
    ReportHtml html = new ReportHtml(modelName, started, ended, first, metrics, deviceRuns,
        events, epochEnds, monitor.samples(), placement, stop);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, html.render(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the training report " + file, e);
    }
    return file;
  }

  private static String explain(Sequential model) {
    try {
      return model.placement().explain();
    } catch (RuntimeException e) {
      return "";
    }
  }

  private static final class MutableRun {
    final Device device;
    int firstEpoch;
    final long firstStep;
    final String reason;
    long steps;

    MutableRun(Device device, int firstEpoch, long firstStep, String reason) {
      this.device = device;
      this.firstEpoch = firstEpoch;
      this.firstStep = firstStep;
      this.reason = reason;
    }

    History.DeviceRun freeze() {
      return new History.DeviceRun(device, Math.max(0, firstEpoch), firstStep, steps, reason);
    }
  }
}
