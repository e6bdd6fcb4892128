/**
 * The benchmark kit behind {@code backplane bench} and the {@code benchmarks} module: workload
 * definitions with seeded in-process data ({@link dev.backplane.cli.bench.MlpTask}), the runner
 * contracts ({@link dev.backplane.cli.bench.MlpRunner}, {@link dev.backplane.cli.bench.GemmRunner})
 * with Backplane's own implementations, and the measurement loops that turn runners into rows of
 * median and min..max over repetitions after warm-up.
 *
 * <p>Nothing here names a peer library: the {@code benchmarks} module adds those runners.
 */
package dev.backplane.cli.bench;
