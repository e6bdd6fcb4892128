/**
 * The cross-backend conformance kit. {@link dev.backplane.conformance.Conformance} runs every
 * check against a {@link dev.backplane.spi.BackendProvider}, as JUnit 5 dynamic tests or as a
 * plain run that returns a {@link dev.backplane.conformance.ConformanceReport};
 * {@link dev.backplane.conformance.Tolerances} states the tolerance policy;
 * {@link dev.backplane.conformance.ModelCases} and {@link dev.backplane.conformance.EpochTrainer}
 * are the whole-model cases and the batch order, for independent references.
 */
package dev.backplane.conformance;
