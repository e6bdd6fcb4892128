/**
 * Backplane's entry point: {@link dev.backplane.Backplane} discovers backend providers, probes
 * their devices (with deadlines, canaries and an optional child-JVM isolation), places models on a
 * device with a written explanation ({@link dev.backplane.Placement}), and compiles them there.
 * Devices are values ({@link dev.backplane.Device}); every deliberate failure is a
 * {@link dev.backplane.BackplaneException}.
 */
package dev.backplane;
