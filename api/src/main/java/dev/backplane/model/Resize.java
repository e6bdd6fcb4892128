package dev.backplane.model;

/** Checks shared by the padding, cropping and up-sampling layers. */
final class Resize {
  private Resize() {}

  /** A copy of {@code v}: {@code n} values {@code >= 0} (or half as many, repeated per side). */
  static int[] amounts(String cls, String arg, int[] v, int n) {
    if (v == null) {
      throw new IllegalArgumentException(cls + " " + arg + " is required");
    }
    int[] out;
    if (v.length == n) {
      out = v.clone();
    } else if (v.length * 2 == n) {
      out = new int[n];
      for (int i = 0; i < v.length; i++) {
        out[2 * i] = v[i];
        out[2 * i + 1] = v[i];
      }
    } else {
      throw new IllegalArgumentException(cls + " " + arg + " needs " + n + " values, got "
          + java.util.Arrays.toString(v));
    }
    for (int d : out) {
      if (d < 0) {
        throw new IllegalArgumentException(cls + " " + arg + " must be >= 0, got "
            + java.util.Arrays.toString(out));
      }
    }
    return out;
  }

  static void checkRank(String name, String cls, int[] in, int rank, DataFormat format) {
    new Spatial(name, cls, rank, null, null, null, Padding.VALID, format).checkRank(in);
  }

  /** A 2-D input's shape with (top, bottom, left, right) added ({@code sign} 1) or cut (-1). */
  static int[] resized2d(String name, String cls, int[] in, DataFormat format, int[] amounts,
      int sign) {
    Spatial s = new Spatial(name, cls, 2, null, null, null, Padding.VALID, format);
    int[] sp = s.spatialOf(in);
    int rows = sp[0] + sign * (amounts[0] + amounts[1]);
    int cols = sp[1] + sign * (amounts[2] + amounts[3]);
    if (rows < 1 || cols < 1) {
      throw new IllegalArgumentException(Spatial.who(name, cls) + " cropping "
          + java.util.Arrays.toString(amounts) + " (top, bottom, left, right) removes every row"
          + " or column of input shape " + Shapes.withBatch(in));
    }
    return s.shape(new int[] {rows, cols}, s.channelsOf(in));
  }
}
