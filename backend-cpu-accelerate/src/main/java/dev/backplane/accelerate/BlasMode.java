package dev.backplane.accelerate;

import dev.backplane.config.ConfigKey;
import dev.backplane.config.Values;
import java.util.Locale;

/** Which matrix kernels the backend uses: {@code backplane.accelerate.blas}. */
public enum BlasMode {
  /** Native BLAS when it loads, else pure Java (the cause is logged once and shown). */
  AUTO,
  /** Native BLAS or fail: Accelerate on macOS, OpenBLAS elsewhere. */
  NATIVE,
  /** Pure-Java kernels only. */
  JAVA;

  /** {@code backplane.accelerate.blas = auto | native | java}, default {@code auto}. */
  public static final ConfigKey<BlasMode> KEY = ConfigKey.of("backplane.accelerate.blas",
      "matrix kernels of the accelerate backend", "auto | native | java", "auto",
      s -> BlasMode.valueOf(Values.choice(s, "auto", "native", "java").toUpperCase(Locale.ROOT)));

  /** The configuration value, e.g. {@code "native"}. */
  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }
}
