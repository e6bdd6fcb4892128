package dev.backplane.model;

import dev.backplane.Device;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@link Sequential#fit} returns, as Keras's {@code History}: per-epoch values of every
 * metric by key ({@code loss}, {@code accuracy}, {@code val_loss}, ..., {@code learning_rate}
 * with a learning-rate callback), the epoch indices ({@link #epoch()}), the fit's parameters
 * ({@link #params()}), plus which device ran
 * which steps (more than one run after a failover; every step is counted once, on the device
 * whose result training kept) and why training stopped early, if the model diverged.
 */
public final class History {
  /**
   * A run of training steps on one device.
   *
   * @param device the device
   * @param firstEpoch 0-based epoch of the first step
   * @param firstStep 0-based global step index of the first step
   * @param steps number of steps in the run
   * @param reason why training moved to this device ({@code "placement"} for the first run)
   */
  public record DeviceRun(Device device, int firstEpoch, long firstStep, long steps,
      String reason) {}

  private final Map<String, List<Double>> values = new LinkedHashMap<>();
  private final List<MutableRun> deviceRuns = new ArrayList<>();
  private int epochs;
  private String stopReason;

  private final List<Integer> epochIndices = new ArrayList<>();
  private Map<String, Object> params = Map.of();

  void addEpoch(Map<String, Double> logs) {
    addEpoch(epochIndices.isEmpty() ? 0 : epochIndices.get(epochIndices.size() - 1) + 1, logs);
  }

  void addEpoch(int epoch, Map<String, Double> logs) {
    for (Map.Entry<String, Double> e : logs.entrySet()) {
      values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
    }
    epochIndices.add(epoch);
    epochs++;
  }

  void params(Verbosity verbosity, int epochs, int steps) {
    Map<String, Object> p = new LinkedHashMap<>();
    // Keras's resolved verbose: 0, 1 or 2
    p.put("verbose", verbosity == Verbosity.SILENT ? 0
        : verbosity == Verbosity.PROGRESS_BAR ? 1 : 2);
    p.put("epochs", epochs);
    p.put("steps", steps < 0 ? null : steps);
    params = Collections.unmodifiableMap(p);
  }

  /**
   * Keras's {@code History.epoch}: the 0-based index of each recorded epoch, in order (from
   * {@code initial_epoch}, or the epoch a {@code BackupAndRestore} resumed at).
   */
  public List<Integer> epoch() {
    return List.copyOf(epochIndices);
  }

  /**
   * Keras's {@code History.params}: {@code verbose} (0, 1 or 2), {@code epochs} (the fit's last
   * epoch, as its {@code epochs} argument) and {@code steps} (per epoch; {@code null} for a stream
   * of unknown length).
   */
  public Map<String, Object> params() {
    return params;
  }

  /** A run being counted; counting a step allocates nothing. */
  private static final class MutableRun {
    final Device device;
    final int firstEpoch;
    final long firstStep;
    final String reason;
    long steps;

    MutableRun(Device device, int firstEpoch, long firstStep, String reason) {
      this.device = device;
      this.firstEpoch = firstEpoch;
      this.firstStep = firstStep;
      this.reason = reason;
    }
  }

  void startRun(Device device, int epoch, long step, String reason) {
    deviceRuns.add(new MutableRun(device, epoch, step, reason));
  }

  void countStep() {
    deviceRuns.get(deviceRuns.size() - 1).steps++;
  }

  void stopped(String reason) {
    stopReason = reason;
  }

  /**
   * Why training stopped before its last epoch because of a non-finite loss that the fallback
   * device confirmed (the model diverged), or empty.
   */
  public Optional<String> stopReason() {
    return Optional.ofNullable(stopReason);
  }

  /** Every metric's per-epoch values, by Keras key; unmodifiable. */
  public Map<String, List<Double>> history() {
    Map<String, List<Double>> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  /**
   * The per-epoch values of one metric.
   *
   * @throws IllegalArgumentException naming the known keys
   */
  public List<Double> get(String key) {
    List<Double> v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("No metric '" + key + "' in history; have "
          + values.keySet());
    }
    return List.copyOf(v);
  }

  /** The last epoch's value of a metric. */
  public double last(String key) {
    List<Double> v = get(key);
    return v.get(v.size() - 1);
  }

  /** Number of completed epochs. */
  public int epochs() {
    return epochs;
  }

  /** Which device ran which steps, in order; more than one entry after a failover. */
  public List<DeviceRun> deviceRuns() {
    return deviceRuns.stream()
        .map(r -> new DeviceRun(r.device, r.firstEpoch, r.firstStep, r.steps, r.reason))
        .toList();
  }
}
