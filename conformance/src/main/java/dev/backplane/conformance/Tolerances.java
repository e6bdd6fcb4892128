package dev.backplane.conformance;

/**
 * The tolerance policy of the conformance kit. Every backend computes in float32; the reference
 * is the CPU backend's plain kernels, reached through {@link
 * dev.backplane.Backplane#openReference()}.
 *
 * <p><b>Deviation measures.</b> Arrays are compared norm-wise: {@code max_i |a_i - r_i| /
 * max(max_i |r_i|, 1e-6)}, where {@code r} is the reference (or the finite-difference estimate),
 * so an error is measured against the scale of the array rather than against values that happen
 * to be near zero. Scalars (losses) are compared as {@code |a - r| / max(|r|, 1e-6)}. Model states
 * are compared kind by kind: all parameters as one array, and each optimizer slot kind
 * ({@code m}, {@code v}, {@code momentum}, {@code velocity}) as one array, so that a bias that
 * happens to be near zero is measured against the scale of the model; the largest deviation
 * counts, and the iteration counts must be equal. A non-finite value where the reference is
 * finite is an infinite deviation.
 *
 * <table>
 *   <caption>Tolerances</caption>
 *   <tr><th>check</th><th>measure</th><th>tolerance</th></tr>
 *   <tr><td>{@code forward/*}</td><td>outputs of predict and evaluate, and the loss, against the
 *       reference</td><td>{@value #FORWARD}</td></tr>
 *   <tr><td>{@code gradient/*}</td><td>the gradient a train step applies (one SGD step with
 *       learning rate 1: {@code g = w_before - w_after}) against central finite differences of the
 *       evaluated loss, {@code h = }{@value #FD_STEP}, accumulated in float64, data chosen so that
 *       no kink (relu, leaky_relu, mae) lies within {@value #FD_KINK_MARGIN} of a sample; measured
 *       against the largest finite-difference component</td><td>{@value #GRADIENT}</td></tr>
 *   <tr><td>{@code optimizer/*}</td><td>parameters and slots after 5 steps against the
 *       reference</td><td>{@value #OPTIMIZER}</td></tr>
 *   <tr><td>{@code model/*}</td><td>per-epoch losses and final state against the reference,
 *       same seed, same batches</td><td>{@value #MODEL}</td></tr>
 *   <tr><td>{@code determinism/*}, {@code snapshot/round_trip}</td><td>max absolute difference
 *       between two runs that must be identical</td><td>0 (bitwise)</td></tr>
 *   <tr><td>{@code snapshot/cross_backend}</td><td>a run moved between the backend and the
 *       reference mid-training against the reference's uninterrupted run</td>
 *       <td>{@value #MODEL}</td></tr>
 *   <tr><td>{@code resources/threads}, {@code resources/open_close}</td><td>growth in live
 *       threads after the cycles</td><td>0</td></tr>
 *   <tr><td>{@code resources/native_memory}</td><td>growth of the resident set (Linux
 *       {@code VmRSS}) in MiB over the second half of {@value #RESOURCE_CYCLES} compile/close
 *       cycles (the first half lets native allocators reach their plateau); generous, because
 *       JIT growth also counts, and a leak of 1 MiB a cycle still exceeds it</td>
 *       <td>{@value #RSS_GROWTH_MIB}</td></tr>
 * </table>
 *
 * <p>Why these numbers: float32 round-off is about {@code 6e-8} per operation; a forward pass of
 * the kit's small layers stays well below {@code 1e-6}, so {@code 1e-5} leaves room for a
 * different summation order (BLAS, a GPU) and still catches a wrong formula (the tanh
 * approximation of GELU is up to {@code 5e-4} off). Finite differences of a float32 loss
 * carry round-off noise of about {@code 6e-8 |L| / h} and truncation error of about
 * {@code h^2 |L'''| / 6}; {@code h = 5e-3} sits near the optimum {@code (3 * 6e-8 / |L'''|)^(1/3)},
 * and measured deviations of correct backends stay between {@code 3e-6} and {@code 2e-4};
 * {@code 1e-2} is fifty times that and still far below the error of a wrong derivative. After
 * a few epochs round-off differences grow with every step, hence {@code 1e-4} for whole models.
 * Optimizer states get {@code 1e-4} too: hyper-parameters such as {@code beta2 = 0.999} are not
 * float32 numbers, and {@code 1 - (float) 0.999} is 1.3e-5 relative away from {@code 0.001}, so
 * a backend may keep its second-moment slot that far from the reference and still implement
 * Keras's formula. A missing momentum, Nesterov term or bias correction moves the state by
 * {@code 1e-2} or more.
 */
public final class Tolerances {
  /** Forward outputs and losses against the reference. */
  public static final double FORWARD = 1e-5;
  /** Train-step gradients against central finite differences. */
  public static final double GRADIENT = 1e-2;
  /** Finite-difference step. */
  public static final double FD_STEP = 5e-3;
  /** Minimum distance of every pre-activation (and MAE residual) from a kink. */
  public static final double FD_KINK_MARGIN = 2e-2;
  /**
   * Parameters and slots after 5 optimizer steps against the reference. Not tighter, because
   * Keras's hyper-parameters are not float32 numbers: a backend that forms {@code 1 - beta2} from
   * {@code (float) 0.999} (as TensorFlow's fused Adam kernel does) keeps a second-moment slot
   * 1.3e-5 relative away from one that forms it in float64, and both are Keras's formula.
   */
  public static final double OPTIMIZER = 1e-4;
  /** Whole-model per-epoch losses and final state against the reference. */
  public static final double MODEL = 1e-4;
  /** Runs that must be identical. */
  public static final double EXACT = 0;
  /** Growth in live threads. */
  public static final double THREAD_GROWTH = 0;
  /** Growth of the resident set in MiB over the second half of the compile/close cycles. */
  public static final double RSS_GROWTH_MIB = 64;
  /** Compile/close cycles of the resource checks. */
  public static final int RESOURCE_CYCLES = 200;
  /** Open/close cycles of the backend itself. */
  public static final int OPEN_CYCLES = 20;

  private Tolerances() {}
}
