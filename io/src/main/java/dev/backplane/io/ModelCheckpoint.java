package dev.backplane.io;

import dev.backplane.model.Callback;
import dev.backplane.model.Sequential;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Keras's {@code ModelCheckpoint}: saves the model (or only its weights) at the end of every
 * epoch, or only when the monitored value improves. The file name is a template with
 * {@code {epoch}} (1-based, e.g. {@code {epoch:02d}}) and log keys (e.g. {@code {val_loss:.4f}});
 * every write is atomic. Full saves include the optimizer state, so training can resume from any
 * checkpoint with {@link ModelFiles#load(Path)}.
 *
 * <pre>{@code
 * model.fit(x, y, FitOptions.builder().epochs(50).validationSplit(0.2)
 *     .callbacks(ModelCheckpoint.builder("ckpt/best.safetensors").saveBestOnly(true).build(),
 *         new EarlyStopping("val_loss", 0, 5, true))
 *     .build());
 * }</pre>
 *
 * <p>With {@code saveBestOnly} it works together with {@code EarlyStopping(restoreBestWeights)}:
 * both watch the same value, so the last checkpoint written holds the weights that early stopping
 * restores. As in Keras, the best value is kept across {@code fit} calls on the same instance,
 * and a missing monitored key logs a warning and skips the save.
 */
public final class ModelCheckpoint implements Callback {
  private static final Logger LOG = Logger.getLogger("dev.backplane");

  /** Whether a smaller or larger monitored value is better. */
  public enum Mode {
    /** Larger is better when the monitored key contains {@code acc}, smaller otherwise. */
    AUTO,
    /** Smaller is better. */
    MIN,
    /** Larger is better. */
    MAX
  }

  private final String filepath;
  private final FilepathTemplate template;
  private final String monitor;
  private final boolean saveBestOnly;
  private final boolean maximise;
  private final boolean saveWeightsOnly;
  private double best;
  private Path lastSaved;

  private ModelCheckpoint(Builder b) {
    this.filepath = b.filepath;
    this.template = new FilepathTemplate(b.filepath);
    this.monitor = b.monitor;
    this.saveBestOnly = b.saveBestOnly;
    this.saveWeightsOnly = b.saveWeightsOnly;
    this.maximise = b.mode == Mode.MAX
        || b.mode == Mode.AUTO && b.monitor.toLowerCase(Locale.ROOT).contains("acc");
    this.best = maximise ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
  }

  /** {@code ModelCheckpoint(filepath)} with Keras's defaults (every epoch, full model). */
  public ModelCheckpoint(String filepath) {
    this(builder(filepath));
  }

  /**
   * A builder with Keras's defaults: monitor {@code val_loss}, save every epoch, mode
   * {@code auto}, the full model.
   *
   * @param filepath the file name template, e.g. {@code "ckpt/epoch{epoch:02d}.safetensors"}
   * @throws IllegalArgumentException at {@code build()} if the template is malformed
   */
  public static Builder builder(String filepath) {
    return new Builder(filepath);
  }

  @Override
  public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
    if (saveBestOnly) {
      Double current = logs.get(monitor);
      if (current == null) {
        LOG.warning("Can save best model only with " + monitor + " available, skipping."
            + " Available: " + String.join(", ", logs.keySet()));
        return;
      }
      if (!(maximise ? current > best : current < best)) {
        return;
      }
      best = current;
    }
    Path path = Path.of(template.format(epoch + 1, logs));
    if (saveWeightsOnly) {
      ModelFiles.saveWeights(model, path);
    } else {
      ModelFiles.save(model, path, true);
    }
    lastSaved = path;
  }

  /** The best monitored value so far (infinite before the first save with saveBestOnly). */
  public double best() {
    return best;
  }

  /** The file written last, or {@code null} if none yet. */
  public Path lastSaved() {
    return lastSaved;
  }

  @Override
  public String toString() {
    return "ModelCheckpoint(" + filepath + ", monitor=" + monitor + ", saveBestOnly="
        + saveBestOnly + ", saveWeightsOnly=" + saveWeightsOnly + ")";
  }

  /** Builds a {@link ModelCheckpoint}. */
  public static final class Builder {
    private final String filepath;
    private String monitor = "val_loss";
    private boolean saveBestOnly;
    private Mode mode = Mode.AUTO;
    private boolean saveWeightsOnly;

    private Builder(String filepath) {
      this.filepath = Objects.requireNonNull(filepath, "filepath");
    }

    /** The log key to watch with {@link #saveBestOnly}; default {@code val_loss}. */
    public Builder monitor(String monitor) {
      this.monitor = Objects.requireNonNull(monitor, "monitor");
      return this;
    }

    /** Save only when the monitored value improves; default false. */
    public Builder saveBestOnly(boolean saveBestOnly) {
      this.saveBestOnly = saveBestOnly;
      return this;
    }

    /** Whether smaller or larger is better; default {@link Mode#AUTO}. */
    public Builder mode(Mode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Save only the weights ({@link ModelFiles#saveWeights}); default false. */
    public Builder saveWeightsOnly(boolean saveWeightsOnly) {
      this.saveWeightsOnly = saveWeightsOnly;
      return this;
    }

    /**
     * @throws IllegalArgumentException if the file name template is malformed
     */
    public ModelCheckpoint build() {
      return new ModelCheckpoint(this);
    }
  }
}
