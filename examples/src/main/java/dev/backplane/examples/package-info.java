/**
 * The runnable examples the README shows, each a {@code main} and a {@code run} that returns
 * what it printed: {@link QuickStart} (the Keras quick start as a {@code Sequential}), {@link
 * FunctionalModelExample} (a functional model with a skip connection) and {@link
 * CustomLayerExample} (a custom layer and loss on the op set: {@link RmsNorm}, {@link Huber}).
 * Their tests run them, so the README's code stays true.
 */
package dev.backplane.examples;
