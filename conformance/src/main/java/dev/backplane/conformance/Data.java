package dev.backplane.conformance;

import dev.backplane.model.Layer;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/** Seeded synthetic data and layer naming shared by the checks. */
final class Data {
  private Data() {}

  /** {@code n} samples of the given per-sample shape, uniform in [-1, 1). */
  static Tensor uniform(SplittableRandom random, int n, int... sampleShape) {
    int size = 1;
    for (int d : sampleShape) {
      size *= d;
    }
    float[] v = new float[n * size];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextDouble(-1, 1);
    }
    int[] shape = new int[sampleShape.length + 1];
    shape[0] = n;
    System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
    return Tensor.wrap(v, shape);
  }

  /** {@code n} rows of {@code k} labels in {0, 1}. */
  static Tensor binary(SplittableRandom random, int n, int k) {
    float[] v = new float[n * k];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextBoolean() ? 1f : 0f;
    }
    return Tensor.wrap(v, n, k);
  }

  /** {@code n} integer class labels in [0, k), shape (n, 1). */
  static int[] classes(SplittableRandom random, int n, int k) {
    int[] c = new int[n];
    for (int i = 0; i < n; i++) {
      c[i] = random.nextInt(k);
    }
    return c;
  }

  /** One-hot rows of the labels, shape (n, k). */
  static Tensor oneHot(int[] classes, int k) {
    float[] v = new float[classes.length * k];
    for (int i = 0; i < classes.length; i++) {
      v[i * k + classes[i]] = 1f;
    }
    return Tensor.wrap(v, classes.length, k);
  }

  /** Names unnamed layers as {@link dev.backplane.model.Sequential} does: dense, dense_1, ... */
  static List<Layer> named(Layer... layers) {
    Set<String> taken = new HashSet<>();
    List<Layer> out = new ArrayList<>();
    for (Layer l : layers) {
      Layer named = l;
      if (l.name() == null) {
        String base = l.kerasClass().toLowerCase(Locale.ROOT);
        String candidate = base;
        for (int i = 1; taken.contains(candidate); i++) {
          candidate = base + "_" + i;
        }
        named = l.withName(candidate);
      }
      taken.add(named.name());
      out.add(named);
    }
    return List.copyOf(out);
  }
}
