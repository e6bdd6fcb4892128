package dev.backplane.accelerate;

import dev.backplane.spi.NamedArray;

/**
 * One trainable parameter of a compiled model: its value, the gradient of the last step and the
 * optimizer's slots, all {@code rows × cols} (a bias is one row). Value and gradient are where
 * the engine multiplies them; slots stay on the heap since only Java code touches them, cut into
 * the value's {@link Mat#segment segments} so the optimizer walks all of them in step.
 */
final class Parameter implements AutoCloseable {
  /** Full name, {@code <layer>/<param>}. */
  final String name;
  /** Shape as in the model state. */
  final int[] shape;
  final Mat value;
  final Mat grad;
  /** {@code slots[slot][segment]}, each as long as the value's segment. */
  final float[][][] slots;

  Parameter(String name, int[] shape, Mat value, Mat grad, int slotCount) {
    this.name = name;
    this.shape = shape.clone();
    this.value = value;
    this.grad = grad;
    this.slots = new float[slotCount][value.segments()][];
    for (int s = 0; s < slotCount; s++) {
      for (int g = 0; g < value.segments(); g++) {
        slots[s][g] = new float[value.segmentLength(g)];
      }
    }
  }

  /** Values in the parameter. */
  int size() {
    return value.rows * value.cols;
  }

  /** Sets the value from a state array of this parameter's shape. */
  void load(NamedArray array) {
    value.write(value.rows, array.values(), 0);
  }

  /** Sets slot {@code s} from a state array of this parameter's shape. */
  void loadSlot(int s, NamedArray array) {
    int at = 0;
    for (float[] segment : slots[s]) {
      System.arraycopy(array.values(), at, segment, 0, segment.length);
      at += segment.length;
    }
  }

  /** A copy of slot {@code s} as a state array. */
  NamedArray saveSlot(int s, String slotName) {
    float[] values = new float[size()];
    int at = 0;
    for (float[] segment : slots[s]) {
      System.arraycopy(segment, 0, values, at, segment.length);
      at += segment.length;
    }
    return new NamedArray(name + "/" + slotName, shape, values);
  }

  /** A copy of the value as a state array. */
  NamedArray save() {
    float[] values = new float[size()];
    value.read(value.rows, values, 0);
    return new NamedArray(name, shape, values);
  }

  @Override
  public void close() {
    value.close();
    grad.close();
  }
}
