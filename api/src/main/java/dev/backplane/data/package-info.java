/**
 * Data sources for {@code fit}, {@code evaluate} and {@code predict} besides in-memory tensors:
 * {@link dev.backplane.data.Dataset} (arrays, row-addressable files, a stream of batches). The
 * file formats (NPY, CSV) are read by {@code dev.backplane.io.data}.
 */
package dev.backplane.data;
