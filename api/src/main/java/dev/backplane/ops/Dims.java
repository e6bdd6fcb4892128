package dev.backplane.ops;

import java.util.Arrays;
import java.util.StringJoiner;

/** Shape arithmetic shared by shape inference and the reference kernels; {@code -1} is dynamic. */
final class Dims {
  private Dims() {}

  static String text(int[] shape) {
    StringJoiner j = new StringJoiner(", ", "(", shape.length == 1 ? ",)" : ")");
    for (int d : shape) {
      j.add(d < 0 ? "None" : Integer.toString(d));
    }
    return j.toString();
  }

  static long size(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** Numpy broadcasting of two static-or-dynamic shapes; {@code null} if they do not broadcast. */
  static int[] broadcast(int[] a, int[] b) {
    int rank = Math.max(a.length, b.length);
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
      int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
      if (da == db) {
        out[i] = da;
      } else if (da == 1) {
        out[i] = db;
      } else if (db == 1) {
        out[i] = da;
      } else if (da == -1) {
        out[i] = db;
      } else if (db == -1) {
        out[i] = da;
      } else {
        return null;
      }
    }
    return out;
  }

  /** Normalises an axis against a rank, or -1 when out of range. */
  static int axis(int axis, int rank) {
    int a = axis < 0 ? axis + rank : axis;
    return a >= 0 && a < rank ? a : -1;
  }

  /** Row-major strides. */
  static int[] strides(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= shape[i];
    }
    return s;
  }

  /** Strides of {@code shape} viewed as broadcast to {@code out} (0 on broadcast axes). */
  static int[] broadcastStrides(int[] shape, int[] out) {
    int[] own = strides(shape);
    int[] s = new int[out.length];
    int off = out.length - shape.length;
    for (int i = 0; i < out.length; i++) {
      int k = i - off;
      s[i] = k < 0 || shape[k] == 1 ? 0 : own[k];
    }
    return s;
  }

  static boolean dynamic(int[] shape) {
    for (int d : shape) {
      if (d < 0) {
        return true;
      }
    }
    return false;
  }

  static int[] concat(int[] a, int... b) {
    int[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
