/**
 * The Keras-style model API: {@link dev.backplane.model.Sequential}, layers, activations, losses,
 * metrics, callbacks and {@link dev.backplane.model.History}, with Keras's names, defaults and
 * training loop. Everything here decides <em>what</em> is computed; backends decide how.
 */
package dev.backplane.model;
