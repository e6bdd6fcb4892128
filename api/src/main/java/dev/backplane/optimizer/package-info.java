/**
 * Optimizer configurations with Keras's formulas and defaults (SGD, Adam, RMSprop) and the names
 * of the state slots each keeps per parameter.
 */
package dev.backplane.optimizer;
