package dev.backplane.ops;

import java.util.Arrays;
import java.util.List;

/** {@code gather}, {@code one_hot} and {@code segment_sum} (gather's gradient). */
final class IndexOps {
  private IndexOps() {}

  static void checkIndices(Op op, Node indices, String layer) {
    if (indices.dtype() != DType.INT32) {
      throw op.fail(layer, "indices must be int32, got " + indices.dtype() + " " + indices
          + "; cast them first");
    }
  }

  /** {@code gather(params, indices)}: rows of params (axis 0) picked by int32 indices. */
  static final class Gather extends Op {
    Gather() {
      super("gather");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("indexing", "gather(params, indices)", "params[indices] along axis 0:"
          + " shape indices.shape + params.shape[1:]; an index outside [0, params.shape[0]) is an"
          + " error", "params: segment_sum(dy, indices; params.shape[0]); indices: none");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node params = in.get(0);
      checkIndices(this, in.get(1), layer);
      if (params.rank() < 1 || params.dim(0) < 0) {
        throw fail(layer, "params need a static first axis, got " + params);
      }
      int[] rest = Arrays.copyOfRange(params.rawShape(), 1, params.rank());
      return new Spec(Dims.concat(in.get(1).rawShape(), rest), params.dtype());
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor params = in.get(0);
      RefTensor idx = in.get(1);
      int rows = params.shape()[0];
      int row = params.size() / Math.max(rows, 1);
      int[] rest = Arrays.copyOfRange(params.shape(), 1, params.shape().length);
      double[] out = new double[idx.size() * row];
      for (int i = 0; i < idx.size(); i++) {
        int r = (int) idx.data()[i];
        if (r < 0 || r >= rows || r != idx.data()[i]) {
          throw new IllegalArgumentException("gather: index " + idx.data()[i] + " at position "
              + i + " is outside [0, " + rows + ")");
        }
        System.arraycopy(params.data(), r * row, out, i * row, row);
      }
      return new RefTensor(Dims.concat(idx.shape(), rest), out);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      Node params = node.input(0);
      Node indices = node.input(1);
      int[] rest = Arrays.copyOfRange(params.rawShape(), 1, params.rank());
      Node flatDy = o.reshape(dy, Dims.concat(new int[] {-1}, rest));
      Node flatIdx = o.reshape(indices, new int[] {-1});
      return Arrays.asList(o.segmentSum(flatDy, flatIdx, params.dim(0)), null);
    }
  }

  /** {@code segment_sum(data, ids; num_segments)}: rows of data summed by id. */
  static final class SegmentSum extends Op {
    SegmentSum() {
      super("segment_sum");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("indexing", "segment_sum(data, ids; num_segments)", "out[s] = sum of"
          + " data[i] with ids[i] = s; data (n, rest...), ids (n,) int32 -> (num_segments,"
          + " rest...)", "data: gather(dy, ids); ids: none");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      Node data = in.get(0);
      Node ids = in.get(1);
      checkIndices(this, ids, layer);
      if (ids.rank() != 1 || data.rank() < 1) {
        throw fail(layer, "takes data (n, ...) and ids (n,), got " + data + " and " + ids);
      }
      int[] out = data.shape();
      out[0] = attrs.i("num_segments");
      return Spec.f32(out);
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor data = in.get(0);
      RefTensor ids = in.get(1);
      int num = attrs.i("num_segments");
      int row = data.size() / Math.max(1, data.shape()[0]);
      int[] shape = data.shape().clone();
      shape[0] = num;
      double[] out = new double[num * row];
      for (int i = 0; i < ids.size(); i++) {
        int s = (int) ids.data()[i];
        if (s < 0 || s >= num) {
          throw new IllegalArgumentException("segment_sum: id " + s + " outside [0, " + num + ")");
        }
        for (int j = 0; j < row; j++) {
          out[s * row + j] += data.data()[i * row + j];
        }
      }
      return new RefTensor(shape, out);
    }

    @Override
    public List<Node> gradient(Ops o, Node node, Node dy) {
      return Arrays.asList(o.gather(dy, node.input(1)), null);
    }
  }

  /** {@code one_hot(indices; depth)}. */
  static final class OneHot extends Op {
    OneHot() {
      super("one_hot");
    }

    @Override
    public OpDoc doc() {
      return new OpDoc("indexing", "one_hot(indices; depth)", "float32 indices.shape + (depth,):"
          + " 1 at each index, 0 elsewhere (all 0 for an index outside [0, depth))", "none");
    }

    @Override
    protected Spec infer(List<Node> in, Attrs attrs, String layer) {
      checkIndices(this, in.get(0), layer);
      if (attrs.i("depth") < 1) {
        throw fail(layer, "depth must be >= 1, got " + attrs.i("depth"));
      }
      return Spec.f32(Dims.concat(in.get(0).rawShape(), attrs.i("depth")));
    }

    @Override
    public RefTensor evaluate(List<RefTensor> in, Attrs attrs) {
      RefTensor idx = in.get(0);
      int depth = attrs.i("depth");
      double[] out = new double[idx.size() * depth];
      for (int i = 0; i < idx.size(); i++) {
        int c = (int) idx.data()[i];
        if (c >= 0 && c < depth) {
          out[i * depth + c] = 1;
        }
      }
      return new RefTensor(Dims.concat(idx.shape(), depth), out);
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
}
