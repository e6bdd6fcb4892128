package dev.backplane;

/**
 * Root of Backplane's unchecked exceptions. Every failure Backplane raises on purpose is one of
 * its subclasses, so an application can catch one type; the cause is always kept.
 */
public class BackplaneException extends RuntimeException {
  /**
   * @param message what went wrong and what to do about it; never {@code null}
   */
  public BackplaneException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong and what to do about it; never {@code null}
   * @param cause the underlying failure, may be {@code null}
   */
  public BackplaneException(String message, Throwable cause) {
    super(message, cause);
  }
}
