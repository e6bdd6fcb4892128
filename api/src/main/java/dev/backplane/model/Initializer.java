package dev.backplane.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

/**
 * Weight initializers with Keras's names and formulas. Values are drawn in the api from a seeded
 * {@link SplittableRandom}, so the same seed gives the same initial weights on every backend and
 * every JVM.
 */
public enum Initializer {
  /** Uniform in {@code ±sqrt(6 / (fanIn + fanOut))}; Keras's default kernel initializer. */
  GLOROT_UNIFORM("glorot_uniform"),
  /** Uniform in {@code ±sqrt(6 / fanIn)}. */
  HE_UNIFORM("he_uniform"),
  /** Uniform in {@code ±sqrt(3 / fanIn)}. */
  LECUN_UNIFORM("lecun_uniform"),
  /** All zeros; Keras's default bias initializer. */
  ZEROS("zeros"),
  /** All ones. */
  ONES("ones"),
  /** Truncated normal, {@code stddev = sqrt(2 / (fanIn + fanOut)) / .8796...}, cut at 2 stddev. */
  GLOROT_NORMAL("glorot_normal"),
  /** Truncated normal, {@code stddev = sqrt(2 / fanIn) / .8796...}, cut at 2 stddev. */
  HE_NORMAL("he_normal"),
  /** Truncated normal, {@code stddev = sqrt(1 / fanIn) / .8796...}, cut at 2 stddev. */
  LECUN_NORMAL("lecun_normal"),
  /**
   * A (semi-)orthogonal matrix with gain 1 for the shape flattened to
   * {@code (size / shape[-1], shape[-1])}: Q of the QR of a normal matrix, signs fixed so R's
   * diagonal is positive, as Keras.
   */
  ORTHOGONAL("orthogonal"),
  /** Uniform in {@code [-0.05, 0.05]}, Keras's {@code RandomUniform()} defaults. */
  RANDOM_UNIFORM("random_uniform"),
  /** Normal with mean 0 and stddev 0.05, Keras's {@code RandomNormal()} defaults. */
  RANDOM_NORMAL("random_normal"),
  /** Normal with stddev 0.05 cut at 2 stddev, Keras's {@code TruncatedNormal()} defaults. */
  TRUNCATED_NORMAL("truncated_normal");

  /**
   * The stddev of a standard normal truncated to {@code [-2, 2]}; variance-scaling initializers
   * divide by it, as Keras does.
   */
  public static final double TRUNCATION_CORRECTION = 0.87962566103423978;

  private final String kerasName;

  Initializer(String kerasName) {
    this.kerasName = kerasName;
  }

  /** Keras's name, e.g. {@code "glorot_uniform"}. */
  public String kerasName() {
    return kerasName;
  }

  /**
   * Fills a parameter of this shape. Fans as in Keras: for a 2-D shape {@code (fanIn, fanOut)}
   * the fans are its dimensions; for a vector both fans are its length; for a kernel of rank
   * above 2 ({@code (k..., in, out)}) {@code fanIn = shape[-2] · receptive} and
   * {@code fanOut = shape[-1] · receptive} with {@code receptive} the product of
   * {@code shape[:-2]}.
   */
  public float[] initialize(int[] shape, SplittableRandom random) {
    int size = 1;
    for (int d : shape) {
      size *= d;
    }
    float[] values = new float[size];
    int fanIn = shape.length >= 2 ? size / shape[shape.length - 1] : size;
    int fanOut = shape.length >= 2 ? shape[shape.length - 1] : size;
    if (shape.length > 2) {
      fanOut = shape[shape.length - 1] * (fanIn / Math.max(1, shape[shape.length - 2]));
    }
    double limit;
    switch (this) {
      case ZEROS:
        return values;
      case ONES:
        Arrays.fill(values, 1f);
        return values;
      case GLOROT_UNIFORM:
        limit = Math.sqrt(6.0 / Math.max(1, fanIn + fanOut));
        break;
      case HE_UNIFORM:
        limit = Math.sqrt(6.0 / Math.max(1, fanIn));
        break;
      case LECUN_UNIFORM:
        limit = Math.sqrt(3.0 / Math.max(1, fanIn));
        break;
      case RANDOM_UNIFORM:
        limit = 0.05;
        break;
      case GLOROT_NORMAL:
        return truncated(values, Math.sqrt(2.0 / Math.max(1, fanIn + fanOut))
            / TRUNCATION_CORRECTION, random);
      case HE_NORMAL:
        return truncated(values, Math.sqrt(2.0 / Math.max(1, fanIn)) / TRUNCATION_CORRECTION,
            random);
      case LECUN_NORMAL:
        return truncated(values, Math.sqrt(1.0 / Math.max(1, fanIn)) / TRUNCATION_CORRECTION,
            random);
      case TRUNCATED_NORMAL:
        return truncated(values, 0.05, random);
      case RANDOM_NORMAL:
        for (int i = 0; i < size; i++) {
          values[i] = (float) (0.05 * random.nextGaussian());
        }
        return values;
      case ORTHOGONAL:
        return orthogonal(shape.length < 2 ? 1 : size / shape[shape.length - 1],
            shape.length < 2 ? size : shape[shape.length - 1], random, values);
      default:
        throw new IllegalStateException("Unhandled initializer " + this);
    }
    for (int i = 0; i < size; i++) {
      values[i] = (float) (random.nextDouble(-limit, limit));
    }
    return values;
  }

  private static float[] truncated(float[] values, double stddev, SplittableRandom random) {
    for (int i = 0; i < values.length; i++) {
      double z;
      do {
        z = random.nextGaussian();
      } while (Math.abs(z) > 2);
      values[i] = (float) (stddev * z);
    }
    return values;
  }

  /** Row-major {@code (rows, cols)} with orthonormal columns (rows >= cols) or rows. */
  private static float[] orthogonal(int rows, int cols, SplittableRandom random, float[] values) {
    int n = Math.max(rows, cols);
    int m = Math.min(rows, cols);
    double[][] q = new double[m][n];
    for (int j = 0; j < m; j++) {
      for (int i = 0; i < n; i++) {
        q[j][i] = random.nextGaussian();
      }
    }
    // Modified Gram-Schmidt on the m columns of the n × m normal matrix: Q with R's diagonal
    // positive, which is Keras's q · sign(diag(r)).
    for (int j = 0; j < m; j++) {
      for (int k = 0; k < j; k++) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
          dot += q[k][i] * q[j][i];
        }
        for (int i = 0; i < n; i++) {
          q[j][i] -= dot * q[k][i];
        }
      }
      double norm = 0;
      for (int i = 0; i < n; i++) {
        norm += q[j][i] * q[j][i];
      }
      norm = Math.sqrt(norm);
      for (int i = 0; i < n; i++) {
        q[j][i] /= norm;
      }
    }
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        values[r * cols + c] = (float) (rows >= cols ? q[c][r] : q[r][c]);
      }
    }
    return values;
  }

  /**
   * Looks an initializer up by its Keras name.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static Initializer of(String name) {
    String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    for (Initializer i : values()) {
      if (i.kerasName.equals(key)) {
        return i;
      }
    }
    throw new IllegalArgumentException("Unknown initializer '" + name + "'. Expected one of "
        + Arrays.stream(values()).map(Initializer::kerasName).collect(Collectors.joining(", ")));
  }
}
