/**
 * NumPy's {@code .npy} arrays, for the command line's inputs and outputs:
 * {@link dev.backplane.io.npy.Npy} reads float32/float64 C-order arrays and writes float32.
 */
package dev.backplane.io.npy;
