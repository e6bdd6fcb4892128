package dev.backplane.conformance.scenarios;

import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Probe;

/** A provider jar whose constructor throws, as a jar built against a missing driver would. */
public final class BrokenProvider implements BackendProvider {
  /** The message of the constructor's exception. */
  public static final String MESSAGE = "no GPU driver in this scenario";

  /** Always throws. */
  public BrokenProvider() {
    throw new IllegalStateException(MESSAGE);
  }

  @Override
  public String id() {
    return "broken";
  }

  @Override
  public int priority() {
    return 1000;
  }

  @Override
  public Probe probe(BackendContext context) {
    throw new AssertionError("never constructed");
  }

  @Override
  public Backend open(BackendContext context) {
    throw new AssertionError("never constructed");
  }
}
