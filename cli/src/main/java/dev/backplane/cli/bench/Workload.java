package dev.backplane.cli.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The benchmark workloads, by their command-line names. */
public enum Workload {
  /** The reference model, 1000×10, batch 32, 10 epochs: ms for the 10 epochs. */
  SEED_MLP("seed-mlp"),
  /** 784→512→512→10 on 60000 synthetic samples, batch 128, one epoch: samples/s. */
  MNIST_MLP("mnist-mlp"),
  /**
   * The Keras MNIST convnet without dropout on 8192 samples of 28×28×1, batch 128, one epoch:
   * samples/s.
   */
  MNIST_CNN("mnist-cnn"),
  /**
   * The mnist-mlp model's {@code predict}: microseconds per call for 1 and 64 rows, and samples/s
   * with 2 threads calling at once.
   */
  PREDICT_LATENCY("predict-latency"),
  /** Square single-precision matrix products: GFLOP/s. */
  GEMM("gemm");

  private final String id;

  Workload(String id) {
    this.id = id;
  }

  /** The command-line name, e.g. {@code seed-mlp}. */
  public String id() {
    return id;
  }

  /**
   * The workload with this name.
   *
   * @throws IllegalArgumentException naming the allowed values
   */
  public static Workload of(String name) {
    for (Workload w : values()) {
      if (w.id.equals(name.trim().toLowerCase(Locale.ROOT))) {
        return w;
      }
    }
    throw new IllegalArgumentException("Invalid --workload '" + name + "'. Expected one of "
        + Arrays.stream(values()).map(Workload::id).collect(Collectors.joining(" | ")));
  }
}
