/**
 * Backplane against the peers a user would pick instead, measured in one run: {@link
 * dev.backplane.benchmarks.BenchMain} (the runnable behind {@code java -jar benchmarks.jar}), the
 * peer runners ({@link dev.backplane.benchmarks.TfGraphMlp}, {@link
 * dev.backplane.benchmarks.DjlMlp}, {@link dev.backplane.benchmarks.OpenBlasDirect}) and the JMH
 * benchmarks ({@link dev.backplane.benchmarks.SeedMlpStepBenchmark}, {@link
 * dev.backplane.benchmarks.SeedMlpFitBenchmark}, {@link dev.backplane.benchmarks.GemmBenchmark}).
 * Backplane's own runners and the measurement loops come from {@code dev.backplane.cli.bench}.
 */
package dev.backplane.benchmarks;
