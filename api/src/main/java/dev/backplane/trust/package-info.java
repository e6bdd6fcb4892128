/**
 * The trust machinery's public face: the events Backplane reports when it falls back from a
 * device or moves a running {@code fit} off it ({@link dev.backplane.trust.FailoverEvent},
 * delivered to a {@link dev.backplane.trust.FailoverListener}), the error raised instead in strict
 * mode ({@link dev.backplane.trust.DeviceFaultException}), and how results are compared with the
 * reference CPU kernels ({@link dev.backplane.trust.Diff}).
 *
 * <p>Devices earn trust in three stages: a probe bounded by a deadline (optionally in a child
 * JVM), a canary comparing a tiny fixed model with the reference, and a guard around every
 * training step of a non-reference device. See DESIGN.md, "Trust".
 */
package dev.backplane.trust;
