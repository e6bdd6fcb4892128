package dev.backplane.io.safetensors;

/**
 * One tensor's header entry after validation: name, shape and its byte range in the data
 * section ({@code [begin, end)}, relative to the start of that section).
 */
record TensorEntry(String name, int[] shape, long begin, long end) {
  /** Number of values. */
  int size() {
    return (int) ((end - begin) / Float.BYTES);
  }
}
