/**
 * The TensorFlow Java backend ({@code tf-java}): each compiled model is one TensorFlow graph
 * (forward pass, loss, gradients from TensorFlow's gradient registry, and the optimizer update with
 * the api's formulas) run by one {@link org.tensorflow.Session}.
 *
 * <p>Only {@link dev.backplane.tfjava.TfJavaProvider} is public. It touches no TensorFlow class
 * until {@code probe} or {@code open}, so a missing or broken native library is reported as an
 * unavailable device and never breaks discovery of the other backends.
 */
package dev.backplane.tfjava;
