/**
 * Optimizer configurations with Keras's formulas and defaults (SGD, Adam, RMSprop, AdamW,
 * Adagrad, Adadelta, Adamax, Nadam, Lion), the names of the state slots each keeps per parameter,
 * Keras's gradient clipping ({@link dev.backplane.optimizer.GradientClipping}) and learning rate
 * schedules ({@link dev.backplane.optimizer.LearningRateSchedule}).
 */
package dev.backplane.optimizer;
