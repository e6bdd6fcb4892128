package dev.backplane.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Ops that move values without arithmetic: reshape, transpose, broadcast, slice, concat, pad. */
final class ShapeOps {
  private ShapeOps() {}

  /** {@code reshape(x; shape)}: one dimension may be -1 (inferred). */
  static final class Reshape extends Op {
    Reshape() {
      super("reshape");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("shape", "reshape(x; shape)",
          "x's values, row-major, in the given shape; one dimension may be -1 (inferred)",
          "reshape(dy; shape of x)");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node x = in.get(0);
      int[] target = attrs.ints("shape");
      int unknown = 0;
      long known = 1;
      for (int d : target) {
        if (d == -1) {
          unknown++;
        } else if (d < 0) {
          throw fail(layer, "target shape " + Arrays.toString(target) + " has a negative size");
        } else {
          known *= d;
        }
      }
      if (unknown > 1) {
        throw fail(layer, "target shape " + Arrays.toString(target) + " has more than one -1");
      }
      long inKnown = 1;
      boolean dynamic = false;
      for (int d : x.rawShape()) {
        if (d < 0) {
          dynamic = true;
        } else {
          inKnown *= d;
        }
      }
      if (!dynamic) {
        if (unknown == 0 ? known != inKnown : known == 0 || inKnown % known != 0) {
          throw fail(layer, "cannot reshape " + x + " (" + inKnown + " values) to "
              + Dims.text(target));
        }
        int[] out = target.clone();
        for (int i = 0; i < out.length; i++) {
          if (out[i] == -1) {
            out[i] = (int) (inKnown / known);
          }
        }
        return new Spec(out, x.dtype());
      }
      if (unknown == 0 || known == 0 || (inKnown % known != 0 && known % inKnown != 0)) {
        throw fail(layer, "cannot reshape " + x + " (None × " + inKnown + " values) to "
            + Dims.text(target) + "; keep the batch axis as -1");
      }
      return new Spec(target, x.dtype());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor x = in.get(0);
      int[] target = attrs.ints("shape");
      long known = 1;
      for (int d : target) {
        known *= d == -1 ? 1 : d;
      }
      for (int i = 0; i < target.length; i++) {
        if (target[i] == -1) {
          target[i] = (int) (x.size() / known);
        }
      }
      return new RefTensor(target, x.data());
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      return List.of(o.reshapeLike(dy, node.input(0)));
    }
  }

  /** {@code transpose(x; perm)}. */
  static final class Transpose extends Op {
    Transpose() {
      super("transpose");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("shape", "transpose(x; perm)", "axes of x permuted: out.shape[i] ="
          + " x.shape[perm[i]]", "transpose(dy; inverse of perm)");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node x = in.get(0);
      int[] perm = attrs.ints("perm");
      int[] sorted = perm.clone();
      Arrays.sort(sorted);
      for (int i = 0; i < sorted.length; i++) {
        if (sorted[i] != i || sorted.length != x.rank()) {
          throw fail(layer, "perm " + Arrays.toString(perm) + " is not a permutation of the "
              + x.rank() + " axes of " + x);
        }
      }
      int[] out = new int[perm.length];
      for (int i = 0; i < perm.length; i++) {
        out[i] = x.dim(perm[i]);
      }
      return new Spec(out, x.dtype());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor x = in.get(0);
      int[] perm = attrs.ints("perm");
      int[] shape = new int[perm.length];
      for (int i = 0; i < perm.length; i++) {
        shape[i] = x.shape()[perm[i]];
      }
      int[] xs = Dims.strides(x.shape());
      double[] out = new double[x.size()];
      int[] index = new int[perm.length];
      for (int i = 0; i < out.length; i++) {
        Kernels.unravel(i, shape, index);
        int src = 0;
        for (int k = 0; k < perm.length; k++) {
          src += index[k] * xs[perm[k]];
        }
        out[i] = x.data()[src];
      }
      return new RefTensor(shape, out);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      int[] perm = node.attrs().ints("perm");
      int[] inverse = new int[perm.length];
      for (int i = 0; i < perm.length; i++) {
        inverse[perm[i]] = i;
      }
      return List.of(o.transpose(dy, inverse));
    }
  }

  /** {@code broadcast_like(x, like)}: x broadcast to like's shape. */
  static final class BroadcastLike extends Op {
    BroadcastLike() {
      super("broadcast_like");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("shape", "broadcast_like(x, like)",
          "x broadcast (numpy rules) to the shape of like; like's values are not read",
          "x: dy summed over the broadcast axes; like: none");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node x = in.get(0);
      Node like = in.get(1);
      int[] b = Dims.broadcast(x.rawShape(), like.rawShape());
      if (b == null || b.length != like.rank()) {
        throw fail(layer, x + " does not broadcast to " + like);
      }
      for (int i = 0; i < b.length; i++) {
        if (b[i] != like.dim(i) && like.dim(i) != -1) {
          throw fail(layer, x + " does not broadcast to " + like);
        }
      }
      return new Spec(like.rawShape(), x.dtype());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      return Kernels.broadcast(in.get(0), in.get(1).shape());
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      return Arrays.asList(o.sumTo(dy, node.input(0)), null);
    }
  }

  /** {@code slice(x; begin, size)}: size -1 runs to the end of the axis. */
  static final class Slice extends Op {
    Slice() {
      super("slice");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("shape", "slice(x; begin, size)", "x[begin_i : begin_i + size_i] on every"
          + " axis; size -1 runs to the end", "pad(dy) with zeros back to the shape of x");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node x = in.get(0);
      int[] begin = attrs.ints("begin");
      int[] size = attrs.ints("size");
      if (begin.length != x.rank() || size.length != x.rank()) {
        throw fail(layer, "begin and size need " + x.rank() + " entries for " + x);
      }
      int[] out = new int[x.rank()];
      for (int i = 0; i < out.length; i++) {
        int d = x.dim(i);
        if (d < 0) {
          if (begin[i] != 0 || size[i] != -1) {
            throw fail(layer, "cannot slice the batch axis of " + x);
          }
          out[i] = -1;
          continue;
        }
        int s = size[i] == -1 ? d - begin[i] : size[i];
        if (begin[i] < 0 || s < 0 || begin[i] + s > d) {
          throw fail(layer, "slice [" + begin[i] + ", " + (begin[i] + s) + ") is outside axis "
              + i + " of " + x);
        }
        out[i] = s;
      }
      return new Spec(out, x.dtype());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor x = in.get(0);
      int[] begin = attrs.ints("begin");
      int[] size = attrs.ints("size");
      int[] shape = new int[begin.length];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = size[i] == -1 ? x.shape()[i] - begin[i] : size[i];
      }
      int[] xs = Dims.strides(x.shape());
      double[] out = new double[(int) Dims.size(shape)];
      int[] index = new int[shape.length];
      for (int i = 0; i < out.length; i++) {
        Kernels.unravel(i, shape, index);
        int src = 0;
        for (int k = 0; k < shape.length; k++) {
          src += (index[k] + begin[k]) * xs[k];
        }
        out[i] = x.data()[src];
      }
      return new RefTensor(shape, out);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      Node x = node.input(0);
      int[] begin = node.attrs().ints("begin");
      int[] pads = new int[2 * x.rank()];
      for (int i = 0; i < x.rank(); i++) {
        if (x.dim(i) < 0) {
          continue;
        }
        pads[2 * i] = begin[i];
        pads[2 * i + 1] = x.dim(i) - begin[i] - node.dim(i);
      }
      return List.of(o.pad(dy, pads, 0));
    }
  }

  /** {@code pad(x; paddings, value)}: paddings holds (before, after) per axis. */
  static final class Pad extends Op {
    Pad() {
      super("pad");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("shape", "pad(x; paddings, value)", "x with paddings[2i] values before and"
          + " paddings[2i+1] after it on axis i, filled with value", "slice(dy) back to x");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node x = in.get(0);
      int[] p = attrs.ints("paddings");
      if (p.length != 2 * x.rank()) {
        throw fail(layer, "paddings need 2 entries per axis (" + 2 * x.rank() + ") for " + x);
      }
      int[] out = new int[x.rank()];
      for (int i = 0; i < out.length; i++) {
        if (p[2 * i] < 0 || p[2 * i + 1] < 0) {
          throw fail(layer, "negative padding " + Arrays.toString(p));
        }
        if (x.dim(i) < 0 && (p[2 * i] != 0 || p[2 * i + 1] != 0)) {
          throw fail(layer, "cannot pad the batch axis of " + x);
        }
        out[i] = x.dim(i) < 0 ? -1 : x.dim(i) + p[2 * i] + p[2 * i + 1];
      }
      return new Spec(out, x.dtype());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor x = in.get(0);
      int[] p = attrs.ints("paddings");
      int rank = x.shape().length;
      int[] shape = new int[rank];
      for (int i = 0; i < rank; i++) {
        shape[i] = x.shape()[i] + p[2 * i] + p[2 * i + 1];
      }
      double[] out = new double[(int) Dims.size(shape)];
      Arrays.fill(out, (float) attrs.d("value"));
      int[] os = Dims.strides(shape);
      int[] index = new int[rank];
      for (int i = 0; i < x.size(); i++) {
        Kernels.unravel(i, x.shape(), index);
        int dst = 0;
        for (int k = 0; k < rank; k++) {
          dst += (index[k] + p[2 * k]) * os[k];
        }
        out[dst] = x.data()[i];
      }
      return new RefTensor(shape, out);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      Node x = node.input(0);
      int[] p = node.attrs().ints("paddings");
      int[] begin = new int[x.rank()];
      int[] size = new int[x.rank()];
      for (int i = 0; i < x.rank(); i++) {
        begin[i] = p[2 * i];
        size[i] = x.dim(i);
      }
      return List.of(o.slice(dy, begin, size));
    }
  }

  /** {@code concat(x_0, ..., x_k; axis)}. */
  static final class Concat extends Op {
    Concat() {
      super("concat");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("shape", "concat(x_0, ..., x_k; axis)", "the inputs joined along axis;"
          + " other axes equal", "slice(dy) for each input");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      if (in.isEmpty()) {
        throw fail(layer, "needs at least one input");
      }
      Node first = in.get(0);
      int axis = Dims.axis(attrs.i("axis"), first.rank());
      if (axis < 0) {
        throw fail(layer, "axis " + attrs.i("axis") + " is out of range for " + first);
      }
      int[] out = first.shape();
      for (int k = 1; k < in.size(); k++) {
        Node x = in.get(k);
        if (x.rank() != first.rank() || x.dtype() != first.dtype()) {
          throw fail(layer, "inputs " + first + " and " + x + " differ in rank or dtype");
        }
        for (int i = 0; i < out.length; i++) {
          if (i == axis) {
            if (out[i] < 0 || x.dim(i) < 0) {
              throw fail(layer, "cannot concatenate along the batch axis");
            }
            out[i] += x.dim(i);
          } else if (out[i] != x.dim(i)) {
            throw fail(layer, "inputs " + first + " and " + x + " differ on axis " + i
                + "; only axis " + axis + " may differ");
          }
        }
      }
      return new Spec(out, first.dtype());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      int rank = in.get(0).shape().length;
      int axis = Dims.axis(attrs.i("axis"), rank);
      int[] shape = in.get(0).shape().clone();
      for (int k = 1; k < in.size(); k++) {
        shape[axis] += in.get(k).shape()[axis];
      }
      int outer = 1;
      for (int i = 0; i < axis; i++) {
        outer *= shape[i];
      }
      double[] out = new double[(int) Dims.size(shape)];
      int pos = 0;
      for (int r = 0; r < outer; r++) {
        for (RefTensor t : in) {
          int chunk = t.size() / outer;
          System.arraycopy(t.data(), r * chunk, out, pos, chunk);
          pos += chunk;
        }
      }
      return new RefTensor(shape, out);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      int axis = Dims.axis(node.attrs().i("axis"), node.rank());
      List<Node> grads = new ArrayList<>();
      int offset = 0;
      for (Node x : node.inputs()) {
        int[] begin = new int[x.rank()];
        int[] size = new int[x.rank()];
        Arrays.fill(size, -1);
        begin[axis] = offset;
        size[axis] = x.dim(axis);
        grads.add(o.slice(dy, begin, size));
        offset += x.dim(axis);
      }
      return grads;
    }
  }

  /** {@code numel(x; axes)}: the number of elements of x over axes, a float32 scalar. */
  static final class Numel extends Op {
    Numel() {
      super("numel");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("shape", "numel(x; axes)", "product of x's dimensions over axes, as a"
          + " float32 scalar (known only at run time for the batch axis)", "none");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      ReduceOp.axes(attrs.ints("axes"), in.get(0).rank(), this, layer);
      return Spec.f32();
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      int[] shape = in.get(0).shape();
      double n = 1;
      for (int a : attrs.ints("axes")) {
        n *= shape[Dims.axis(a, shape.length)];
      }
      return RefTensor.scalar(n);
    }

    @Override
    public boolean differentiable() {
      return false;
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      return Arrays.asList((Node) null);
    }
  }

  /** {@code broadcast_to(x; shape)}: -1 in shape keeps x's (batch) dimension. */
  static final class BroadcastTo extends Op {
    BroadcastTo() {
      super("broadcast_to");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("shape", "broadcast_to(x; shape)", "x broadcast (numpy rules) to shape;"
          + " a -1 keeps x's dimension there (the batch)", "dy summed over the broadcast axes");
    }

    private static int[] target(int[] x, int[] shape) {
      int[] out = shape.clone();
      int off = out.length - x.length;
      for (int i = 0; i < out.length; i++) {
        if (out[i] == -1) {
          out[i] = i - off >= 0 ? x[i - off] : 1;
        }
      }
      return out;
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node x = in.get(0);
      int[] out = target(x.rawShape(), attrs.ints("shape"));
      int[] b = Dims.broadcast(x.rawShape(), out);
      if (b == null || !Arrays.equals(b, out)) {
        throw fail(layer, x + " does not broadcast to " + Dims.text(out));
      }
      return new Spec(out, x.dtype());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      return Kernels.broadcast(in.get(0), target(in.get(0).shape(), attrs.ints("shape")));
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      return List.of(o.sumTo(dy, node.input(0)));
    }
  }
}
