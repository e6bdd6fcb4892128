package dev.backplane.accelerate;

/**
 * One matrix product of a compiled program: {@code C (m × n) = op(A) · op(B)} with inner
 * dimension {@code k}, as {@link MatrixEngine.Multiplier#multiply} takes it.
 *
 * @param transA whether A is stored transposed ({@code k × m})
 * @param transB whether B is stored transposed ({@code n × k})
 * @param m rows of C
 * @param n columns of C
 * @param k the inner dimension
 */
record GemmShape(boolean transA, boolean transB, int m, int n, int k) {
  /** Floating-point operations of one product. */
  double flops() {
    return 2.0 * m * n * k;
  }

  @Override
  public String toString() {
    return (transA ? "Aᵀ" : "A") + (transB ? "Bᵀ" : "B") + " " + m + "×" + n + "×" + k;
  }
}
