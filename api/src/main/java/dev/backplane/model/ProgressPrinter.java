package dev.backplane.model;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-style progress: {@code Epoch 1/10} then
 * {@code 32/32 [==============================] - 0s 1ms/step - loss: 0.6931 - accuracy: 0.5010}.
 * With a live bar the line is redrawn with a carriage return at most every 50 ms; otherwise only
 * the final line of each epoch is printed.
 */
final class ProgressPrinter {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 50_000_000L;

  private final PrintStream out;
  private final Verbosity verbosity;
  private final int epochs;
  private int steps;
  private long epochStart;
  private long lastDraw;

  /** The Backplane's clock ({@link dev.backplane.Backplane#nanoTime()}), fake in tests. */
  private final java.util.function.LongSupplier clock;

  ProgressPrinter(PrintStream out, Verbosity verbosity, int epochs,
      java.util.function.LongSupplier clock) {
    this.out = out;
    this.verbosity = verbosity;
    this.epochs = epochs;
    this.clock = clock;
  }

  void epochBegin(int epoch, int stepsInEpoch) {
    this.steps = stepsInEpoch;
    this.epochStart = clock.getAsLong();
    this.lastDraw = 0;
    if (verbosity != Verbosity.SILENT) {
      out.println("Epoch " + (epoch + 1) + "/" + epochs);
    }
  }

  /** Whether {@link #batchEnd} would redraw the bar after this batch. */
  boolean redrawDue(int step) {
    return verbosity == Verbosity.PROGRESS_BAR && step + 1 < steps
        && clock.getAsLong() - lastDraw >= REDRAW_NANOS;
  }

  void batchEnd(int step, Map<String, Double> logs) {
    if (verbosity != Verbosity.PROGRESS_BAR || step + 1 >= steps) {
      return;
    }
    long now = clock.getAsLong();
    if (now - lastDraw >= REDRAW_NANOS) {
      lastDraw = now;
      out.print("\r" + line(step + 1, now, logs, false));
      out.flush();
    }
  }

  void epochEnd(Map<String, Double> logs) {
    if (verbosity == Verbosity.SILENT) {
      return;
    }
    String line = line(steps, clock.getAsLong(), logs, true);
    out.println(verbosity == Verbosity.PROGRESS_BAR ? "\r" + line : line);
    out.flush();
  }

  private String line(int done, long now, Map<String, Double> logs, boolean end) {
    StringBuilder b = new StringBuilder();
    String count = Integer.toString(steps);
    b.append(String.format("%" + count.length() + "d", done)).append('/').append(count)
        .append(" [");
    int filled = end || steps == 0 ? WIDTH : (int) ((long) WIDTH * done / steps);
    for (int i = 0; i < WIDTH; i++) {
      b.append(i < filled - 1 || end ? '=' : i == filled - 1 ? '>' : '.');
    }
    double seconds = (now - epochStart) / 1e9;
    b.append("] - ");
    if (end) {
      b.append(Math.round(Math.floor(seconds))).append("s ").append(perStep(seconds / done));
    } else {
      b.append("ETA: ").append(Math.round(seconds / done * (steps - done))).append('s');
    }
    for (Map.Entry<String, Double> e : logs.entrySet()) {
      b.append(" - ").append(e.getKey()).append(": ").append(format(e.getValue()));
    }
    return b.toString();
  }

  private static String perStep(double secondsPerStep) {
    if (secondsPerStep >= 1) {
      return Math.round(secondsPerStep) + "s/step";
    }
    if (secondsPerStep >= 1e-3) {
      return Math.round(secondsPerStep * 1e3) + "ms/step";
    }
    return Math.round(secondsPerStep * 1e6) + "us/step";
  }

  static String format(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return Double.toString(v).toLowerCase(Locale.ROOT);
    }
    if (v != 0 && Math.abs(v) < 1e-3) {
      return String.format(Locale.ROOT, "%.4e", v);
    }
    return String.format(Locale.ROOT, "%.4f", v);
  }
}
