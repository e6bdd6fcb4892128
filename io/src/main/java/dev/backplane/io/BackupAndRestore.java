package dev.backplane.io;

import dev.backplane.model.Callback;
import dev.backplane.model.Sequential;
import dev.backplane.optimizer.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Keras's {@code BackupAndRestore}: after every epoch the whole model (weights, non-trainable
 * state, optimizer slots, iteration count and learning rate) is written to
 * {@code backup_dir/epoch-NNNNNN.safetensors}, atomically, NNNNNN the epochs completed; when a fit
 * starts and a backup is there, the model is restored from the latest one and the fit resumes at
 * the epoch after it. Because each epoch's shuffling depends only on its index and the seed, and
 * dropout masks on the restored iteration count, the resumed fit ends with the state an
 * uninterrupted one would have had, on any backend (the state goes through the backend's
 * snapshot and restore). A fit that ends normally (also when stopped early) deletes the backup;
 * one that throws keeps it.
 */
public final class BackupAndRestore implements Callback {
  private static final Logger LOG = Logger.getLogger("dev.backplane");
  private static final Pattern NAME = Pattern.compile("epoch-(\\d{6})\\.safetensors");
  private final Path dir;
  private final boolean deleteBackup;

  /** {@code BackupAndRestore(backup_dir)}: backs up every epoch, deletes the backup at the end. */
  public BackupAndRestore(Path backupDir) {
    this(backupDir, true);
  }

  /** {@code BackupAndRestore(backup_dir, delete_checkpoint=deleteBackup)}. */
  public BackupAndRestore(Path backupDir, boolean deleteBackup) {
    this.dir = java.util.Objects.requireNonNull(backupDir, "backupDir");
    this.deleteBackup = deleteBackup;
  }

  /** The latest backup and the epochs it completed, or {@code null} when there is none. */
  public Path latest() {
    List<Path> all = backups();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  private List<Path> backups() {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> out = new ArrayList<>(s.filter(p -> NAME.matcher(p.getFileName().toString())
          .matches()).sorted().toList());
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("BackupAndRestore cannot list " + dir, e);
    }
  }

  private static int epochOf(Path p) {
    Matcher m = NAME.matcher(p.getFileName().toString());
    if (!m.matches()) {
      throw new IllegalArgumentException("Not a backup: " + p);
    }
    return Integer.parseInt(m.group(1));
  }

  @Override
  public void onTrainBegin(Sequential model) {
    Path latest = latest();
    if (latest == null) {
      return;
    }
    SavedModel saved = ModelFiles.read(latest);
    if (saved.optimizerState().isEmpty()) {
      throw new ModelFileException(latest, "the backup has no optimizer state");
    }
    Optimizer was = saved.training().orElseThrow().optimizer();
    Optimizer now = model.optimizer();
    if (!was.kerasName().equals(now.kerasName())) {
      throw new ModelFileException(latest, "the backup was made with optimizer "
          + was.kerasName() + " but the model is compiled with " + now.kerasName()
          + "; compile it as before or delete " + dir);
    }
    model.setState(saved.state());
    // a learning-rate callback may have changed the rate before the interruption
    if (now.schedule() == null && was.learningRate() != now.learningRate()) {
      model.setLearningRate(was.learningRate());
    }
    int epoch = epochOf(latest);
    LOG.info("BackupAndRestore: resuming from " + latest + " at epoch " + (epoch + 1));
    model.resumeAt(epoch);
  }

  @Override
  public void onEpochEnd(Sequential model, int epoch, Map<String, Double> logs) {
    Path target = dir.resolve(String.format(java.util.Locale.ROOT, "epoch-%06d.safetensors",
        epoch + 1));
    ModelFiles.save(model, target, true);
    // older backups go only once the new one is complete
    for (Path p : backups()) {
      if (!p.equals(target)) {
        delete(p);
      }
    }
  }

  @Override
  public void onTrainEnd(Sequential model, Map<String, Double> logs) {
    if (deleteBackup) {
      for (Path p : backups()) {
        delete(p);
      }
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException("BackupAndRestore cannot delete " + p, e);
    }
  }
}
