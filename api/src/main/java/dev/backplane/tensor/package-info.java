/** Host tensors: dense float32, row-major, with zero-copy views. */
package dev.backplane.tensor;
