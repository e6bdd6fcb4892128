/**
 * The TensorFlow Java backend ({@code tf-java}): each compiled model's programs (the api's op
 * graphs for training, evaluation and prediction: forward pass, loss, the api's gradients and
 * optimizer update) are lowered op by op to one TensorFlow graph run by one
 * {@link org.tensorflow.Session}. TensorFlow never differentiates.
 *
 * <p>Only {@link dev.backplane.tfjava.TfJavaProvider} is public. It touches no TensorFlow class
 * until {@code probe} or {@code open}, so a missing or broken native library is reported as an
 * unavailable device and never breaks discovery of the other backends.
 */
package dev.backplane.tfjava;
