package dev.backplane.accelerate;

import dev.backplane.spi.NamedArray;

/**
 * One trainable parameter of a compiled model: its value, the gradient of the last step and the
 * optimizer's slots, all {@code rows × cols} (a bias is one row). Value and gradient are where
 * the engine multiplies them; slots stay on the heap since only Java code touches them.
 */
final class Parameter implements AutoCloseable {
  /** Full name, {@code <layer>/<param>}. */
  final String name;
  /** Shape as in the model state. */
  final int[] shape;
  final Mat value;
  final Mat grad;
  final HeapMat[] slots;

  Parameter(String name, int[] shape, Mat value, Mat grad, int slotCount) {
    this.name = name;
    this.shape = shape.clone();
    this.value = value;
    this.grad = grad;
    this.slots = new HeapMat[slotCount];
    for (int s = 0; s < slotCount; s++) {
      slots[s] = new HeapMat(value.rows, value.cols);
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
