package dev.backplane.io;

import dev.backplane.BackplaneException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A model, weights or array file cannot be read or written: it is truncated, corrupt, of an
 * unsupported kind, or does not match the model. The one exception type every loader in this
 * module throws for a bad file, whatever the format; the message names the file and what is
 * wrong, and the cause (if any) is kept.
 */
public class ModelFileException extends BackplaneException {
  private final transient Path file;
  private final String problem;

  /**
   * @param file the file concerned; never {@code null}
   * @param problem what is wrong, e.g. {@code "header length 9999 exceeds the file size 120"}
   */
  public ModelFileException(Path file, String problem) {
    this(file, problem, null);
  }

  /**
   * @param file the file concerned; never {@code null}
   * @param problem what is wrong
   * @param cause the underlying failure, may be {@code null}
   */
  public ModelFileException(Path file, String problem, Throwable cause) {
    super(Objects.requireNonNull(file, "file") + ": "
        + Messages.cap(Objects.requireNonNull(problem, "problem"), Messages.MAX_MESSAGE), cause);
    this.file = file;
    this.problem = Messages.cap(problem, Messages.MAX_MESSAGE);
  }

  /** A read of untrusted content. */
  @FunctionalInterface
  public interface Read<T> {
    /** Reads; may throw anything a parser throws. */
    T run() throws java.io.IOException;
  }

  /**
   * Runs a read of {@code file}, turning every failure into a {@link ModelFileException} naming
   * it: a library's runtime exception or I/O error, and also the errors hostile input can cause
   * ({@link OutOfMemoryError} from a forged size, {@link StackOverflowError} from deep nesting,
   * an assertion inside a parser), so a loader never ends in an {@link Error}. Other errors (a
   * broken class path, say) are not the file's fault and pass through.
   */
  public static <T> T guard(Path file, Read<T> read) {
    try {
      return read.run();
    } catch (ModelFileException e) {
      throw e;
    } catch (java.io.IOException e) {
      throw new ModelFileException(file, "cannot read the file: " + e, e);
    } catch (RuntimeException e) {
      throw new ModelFileException(file, "cannot read the file (corrupt or unsupported): " + e,
          e);
    } catch (OutOfMemoryError e) {
      throw new ModelFileException(file, "the file needs more memory than is available to read"
          + " (corrupt, or sizes forged): " + e, e);
    } catch (StackOverflowError | AssertionError e) {
      throw new ModelFileException(file, "cannot read the file (corrupt or unsupported): " + e,
          e);
    }
  }

  /** The file concerned; never {@code null}. */
  public Path file() {
    return file;
  }

  /** What is wrong, without the file name. */
  public String problem() {
    return problem;
  }
}
