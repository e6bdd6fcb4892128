package dev.backplane.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a
 * partial file: the bytes go to a temporary file in the same directory, which is flushed to disk
 * and then moved over the target ({@code ATOMIC_MOVE} where the file system supports it), and
 * the directory is then flushed too, so the move itself survives a crash (where the OS allows
 * opening a directory; on Windows it does not, and that step is skipped).
 *
 * <p>The file is created with the default permissions, so it follows the umask as the files
 * of Keras, PyTorch or {@code numpy.save} do (not the owner-only 0600 of a JDK temporary file).
 * The temporary file is {@code .<name>.<digits>.tmp}; one left behind by an interrupted save (a
 * killed JVM cannot delete it) is removed by the next save to the same target.
 */
public final class AtomicFiles {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Directory flushes done, for tests. */
  static final AtomicLong DIRECTORY_SYNCS = new AtomicLong();

  private AtomicFiles() {}

  /** Produces a file's content into a stream. */
  @FunctionalInterface
  public interface Content {
    /** Writes the whole content; the stream is closed by the caller. */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code content} to {@code target} atomically, creating missing parent directories.
   *
   * @throws ModelFileException naming the target if anything fails; the target is then unchanged
   *     and no temporary file is left behind
   */
  public static void write(Path target, Content content) {
    Path absolute = target.toAbsolutePath();
    Path dir = absolute.getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      removeStaleTemporaries(dir, absolute.getFileName().toString());
      tmp = createTemporary(dir, absolute.getFileName().toString());
      try (OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.WRITE)) {
        content.writeTo(out);
      }
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
      syncDirectory(dir);
    } catch (IOException | RuntimeException e) {
      throw e instanceof ModelFileException m ? m
          : new ModelFileException(target, "cannot write the file: " + e, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // Best effort: the write already failed and that error is what the caller sees.
        }
      }
    }
  }

  /** The temporary files of saves to {@code name}: {@code .<name><digits>.tmp}. */
  static Pattern temporaryName(String name) {
    return Pattern.compile(Pattern.quote("." + name) + "\\.?[0-9]+\\.tmp");
  }

  /** Creates {@code .<name>.<random>.tmp} with the default permissions (the umask's). */
  private static Path createTemporary(Path dir, String name) throws IOException {
    for (int attempt = 0; ; attempt++) {
      Path tmp = dir.resolve("." + name + "." + Long.toUnsignedString(RANDOM.nextLong())
          + ".tmp");
      try {
        return Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        if (attempt > 100) {
          throw e;
        }
      }
    }
  }

  /**
   * Deletes temporary files an interrupted save to the same target left behind. A save running
   * at the same time to the same target loses its temporary file and fails with an error (two
   * concurrent saves to one file already race for which one wins).
   */
  private static void removeStaleTemporaries(Path dir, String name) {
    Pattern pattern = temporaryName(name);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir,
        p -> pattern.matcher(p.getFileName().toString()).matches())) {
      for (Path stale : entries) {
        try {
          Files.deleteIfExists(stale);
        } catch (IOException ignored) {
          // Another process may hold it; the save goes on without it.
        }
      }
    } catch (IOException ignored) {
      // Cleaning up is best effort; the save itself reports real problems.
    }
  }

  /** Flushes the directory entry of the move; not possible on Windows, where it is skipped. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
      DIRECTORY_SYNCS.incrementAndGet();
    } catch (IOException | RuntimeException ignored) {
      // Windows cannot open a directory as a channel; the move is still complete.
    }
  }
}
