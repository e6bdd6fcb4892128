package dev.backplane.cli.bench;

import dev.backplane.accelerate.BlasMode;
import dev.backplane.config.BackplaneConfig;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Backplane's own runners: a backend id plus, for the CPU backend, the kernels forced. Each runs
 * strictly on its backend ({@code backplane.fallback=none}), so a benchmark never times a
 * fallback by accident.
 */
public enum BackplaneBackend {
  /** The accelerate CPU backend on native BLAS ({@code backplane.accelerate.blas=native}). */
  ACCELERATE("accelerate", "accelerate", "native"),
  /** The accelerate CPU backend on pure-Java kernels ({@code backplane.accelerate.blas=java}). */
  ACCELERATE_JAVA("accelerate-java", "accelerate", "java"),
  /**
   * The accelerate CPU backend as configured by default ({@code backplane.accelerate.blas=auto}):
   * each model's products on the faster of native BLAS and the Vector API kernels, by
   * measurement.
   */
  ACCELERATE_AUTO("accelerate-auto", "accelerate", "auto"),
  /** The TensorFlow Java backend. */
  TF_JAVA("tf-java", "tf-java", null);

  private final String runnerName;
  private final String backendId;
  private final String blas;

  BackplaneBackend(String runnerName, String backendId, String blas) {
    this.runnerName = runnerName;
    this.backendId = backendId;
    this.blas = blas;
  }

  /** The runner's name in tables and JSON, e.g. {@code accelerate-java}. */
  public String runnerName() {
    return runnerName;
  }

  /** The Backplane backend id, e.g. {@code accelerate}. */
  public String backendId() {
    return backendId;
  }

  /**
   * {@code base} with this backend as the only placement, no fallback, the thread count and, for
   * the CPU backend, its kernels.
   */
  public BackplaneConfig configure(BackplaneConfig base, int threads) {
    BackplaneConfig c = base.with("backplane.backend", backendId)
        .with("backplane.fallback", "none")
        .with("backplane.threads", Integer.toString(threads));
    return blas == null ? c : c.with(BlasMode.KEY.name(), blas);
  }

  /**
   * The runner with this name, or the accelerate runner that {@code blas} selects when the name
   * is the backend id {@code accelerate} ({@code java} → {@link #ACCELERATE_JAVA}).
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static BackplaneBackend of(String name, String blas) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    if (n.equals("accelerate") && "java".equalsIgnoreCase(blas)) {
      return ACCELERATE_JAVA;
    }
    for (BackplaneBackend b : values()) {
      if (b.runnerName.equals(n)) {
        return b;
      }
    }
    throw new IllegalArgumentException("Invalid --backend '" + name + "' for bench. Expected one"
        + " of " + Arrays.stream(values()).map(BackplaneBackend::runnerName)
            .collect(Collectors.joining(" | ")));
  }
}
