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
    super(Objects.requireNonNull(file, "file") + ": " + Objects.requireNonNull(problem, "problem"),
        cause);
    this.file = file;
    this.problem = problem;
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
