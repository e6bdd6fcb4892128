package dev.backplane;

/** No backend provider was found on the class path (or every one failed to load). */
public class NoBackendException extends BackplaneException {
  /** The artifact that provides the always-available CPU backend. */
  public static final String CPU_ARTIFACT = "dev.backplane:backplane-backend-cpu-accelerate";

  /** @param problems what went wrong while loading providers, if anything; may be empty */
  public NoBackendException(String problems) {
    super("No Backplane backend found on the class path. Add a backend artifact, e.g. "
        + CPU_ARTIFACT + ", to the class path" + (problems.isEmpty() ? "" : ". " + problems));
  }
}
