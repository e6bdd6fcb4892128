package dev.backplane.ops;

/** The element types of the op set: float32 values and int32 indices (labels, gather indices). */
public enum DType {
  /** 32-bit IEEE float; every trainable value. */
  FLOAT32,
  /** 32-bit signed integer; indices and class labels. */
  INT32
}
