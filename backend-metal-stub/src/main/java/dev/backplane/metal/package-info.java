/**
 * The experimental Metal backend: real detection of Metal on macOS on Apple silicon (through JNA,
 * loaded only there), no kernels yet, and a simulated Metal device for testing Backplane's trust
 * machinery anywhere ({@code backplane.metal.simulate}, see {@link
 * dev.backplane.metal.SimulationMode}).
 *
 * <p>On a real Mac the device is reported EXPERIMENTAL, and compiling refuses with "the Metal
 * backend has no kernels yet", so its canary fails and placement falls back to the CPU with that
 * reason. Nothing here pretends to compute on the GPU: the simulated device computes with the
 * reference CPU kernels, reached through the SPI, and says "simulated" wherever it is shown.
 */
package dev.backplane.metal;
