/**
 * Datasets from files for {@code fit}, {@code evaluate} and {@code predict}: memory-mapped NPY
 * arrays ({@link dev.backplane.io.data.NpyArray}, {@link dev.backplane.io.data.Datasets#npy})
 * and CSV tables ({@link dev.backplane.io.data.Datasets#csv}).
 */
package dev.backplane.io.data;
