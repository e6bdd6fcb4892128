package dev.backplane.trust;

/**
 * Receives every fallback and failover as it happens, after Backplane has logged it. Register
 * with {@link dev.backplane.Backplane.Builder#listener} or
 * {@link dev.backplane.Backplane#addListener}.
 *
 * <p>Called on the thread that placed or trained the model, synchronously; keep it short. An
 * exception thrown by a listener is logged and otherwise ignored.
 */
@FunctionalInterface
public interface FailoverListener {
  /** @param event what happened; never {@code null} */
  void onEvent(FailoverEvent event);
}
