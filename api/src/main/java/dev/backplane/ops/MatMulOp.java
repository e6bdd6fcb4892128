package dev.backplane.ops;

import java.util.List;

/** {@code matmul(a, b; transpose_a, transpose_b)} on rank-2 float32 tensors. */
final class MatMulOp extends Op {
  MatMulOp() {
    super("matmul");
  }

  @Override
  public OpDoc doc() {
    return new OpDoc("linear algebra", "matmul(a, b; transpose_a, transpose_b)",
        "op(a) · op(b) for rank-2 a, b (op transposes when its flag is set): (m, k) · (k, n) ->"
            + " (m, n)",
        "da = dy · op(b)ᵀ and db = op(a)ᵀ · dy, as matmuls with the transposes folded in");
  }

  @Override
  protected Spec infer(List<Node> in, Attrs attrs, String layer) {
    if (in.size() != 2) {
      throw fail(layer, "takes 2 inputs, got " + in.size());
    }
    Node a = in.get(0);
    Node b = in.get(1);
    if (a.rank() != 2 || b.rank() != 2) {
      throw fail(layer, "takes rank-2 inputs, got a " + Dims.text(a.rawShape()) + " (rank "
          + a.rank() + ") and b " + Dims.text(b.rawShape()) + " (rank " + b.rank() + ")");
    }
    boolean ta = attrs.b("transpose_a", false);
    boolean tb = attrs.b("transpose_b", false);
    int m = ta ? a.dim(1) : a.dim(0);
    int ka = ta ? a.dim(0) : a.dim(1);
    int kb = tb ? b.dim(1) : b.dim(0);
    int n = tb ? b.dim(0) : b.dim(1);
    if (ka != kb && ka >= 0 && kb >= 0) {
      throw fail(layer, "inner dimensions differ: a " + Dims.text(a.rawShape())
          + (ta ? " transposed" : "") + " has " + ka + ", b " + Dims.text(b.rawShape())
          + (tb ? " transposed" : "") + " has " + kb);
    }
    return Spec.f32(m, n);
  }

  @Override
  public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
    RefTensor a = in.get(0);
    RefTensor b = in.get(1);
    boolean ta = attrs.b("transpose_a", false);
    boolean tb = attrs.b("transpose_b", false);
    int ar = a.shape()[0];
    int ac = a.shape()[1];
    int br = b.shape()[0];
    int bc = b.shape()[1];
    int m = ta ? ac : ar;
    int k = ta ? ar : ac;
    int n = tb ? br : bc;
    if ((tb ? bc : br) != k) {
      throw new IllegalArgumentException("matmul: inner dimensions differ");
    }
    double[] out = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          double av = ta ? a.data()[p * ac + i] : a.data()[i * ac + p];
          double bv = tb ? b.data()[j * bc + p] : b.data()[p * bc + j];
          s += av * bv;
        }
        out[i * n + j] = s;
      }
    }
    return new RefTensor(new int[] {m, n}, out);
  }

  @Override
  public List<Node> gradient(Ops o, Node node, Node dy) {
    Node a = node.input(0);
    Node b = node.input(1);
    boolean ta = node.attrs().b("transpose_a", false);
    boolean tb = node.attrs().b("transpose_b", false);
    Node da;
    Node db;
    if (!ta && !tb) {
      da = o.matmul(dy, b, false, true);
      db = o.matmul(a, dy, true, false);
    } else if (ta && !tb) {
      da = o.matmul(b, dy, false, true);
      db = o.matmul(a, dy, false, false);
    } else if (!ta) {
      da = o.matmul(dy, b, false, false);
      db = o.matmul(dy, a, true, false);
    } else {
      da = o.matmul(b, dy, true, true);
      db = o.matmul(dy, a, true, true);
    }
    return List.of(da, db);
  }
}
