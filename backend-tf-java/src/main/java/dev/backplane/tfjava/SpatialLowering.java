package dev.backplane.tfjava;

import dev.backplane.UnsupportedFeatureException;
import dev.backplane.ops.Attrs;
import dev.backplane.ops.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropFilter;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Lowers the api's convolution and pooling ops ({@code conv}, {@code conv_input_grad},
 * {@code conv_kernel_grad}, {@code max_pool}, {@code max_pool_grad}, {@code avg_pool},
 * {@code avg_pool_grad}; channels last, explicit (before, after) pads) to TensorFlow raw ops with
 * the semantics of their float64 reference kernels.
 *
 * <ul>
 *   <li>1-D ops become 2-D ones with a height of 1 ({@code ExpandDims} / {@code Squeeze}).
 *   <li>2-D convolution: {@code Conv2D}, {@code Conv2DBackpropInput} and
 *       {@code Conv2DBackpropFilter} with {@code padding="EXPLICIT"} (or {@code VALID} when there
 *       are no pads). {@code Conv2D} takes its {@code dilations} and groups natively (a kernel
 *       with {@code Cin / groups} in-channels); the two gradient ops get dilations from a
 *       zero-dilated kernel (the kernel gradient is computed for it and strided back) and groups
 *       from {@code Split} / {@code Concat}, because TF's CPU kernels reject dilations there and
 *       {@code Conv2DBackpropFilter} does not take grouped filter sizes.
 *   <li>3-D convolution: {@code Pad} then {@code Conv3D}, {@code Conv3DBackpropInputV2} or
 *       {@code Conv3DBackpropFilterV2} with {@code VALID} ({@code Conv3D} has no explicit pads;
 *       the input gradient is sliced back out of the padded one); groups by {@code Split} and
 *       {@code Concat} (TF's {@code Conv3D} has no groups); dilations by a zero-dilated kernel
 *       (TF 2.18's CPU {@code Conv3D} applied a W dilation to H in testing).
 *   <li>Pooling with no pads is {@code VALID}; with TF's {@code SAME} pads it is {@code SAME}
 *       (TF leaves padded cells out, as the reference does). Other pads: max pooling pads x with
 *       -inf and pools {@code VALID}; average pooling pads with 0, pools {@code VALID} and scales
 *       by a constant (window size / valid cells), so the divisor counts only real cells.
 *   <li>Max pooling's gradient is TF's {@code MaxPoolGrad}, whose CPU kernel routes each window's
 *       gradient to its first maximum in row-major window order, as the reference does. 3-D max
 *       pooling's gradient is two 2-D ones ({@code (H, W)} windows, then the depth axis), because
 *       TF's {@code MaxPool3DGrad} gives every tied maximum the gradient: the first maximum of
 *       the depth pass over the first maxima of each slab is the first maximum in row-major
 *       {@code (D, H, W)} order.
 * </ul>
 *
 * <p>Spatial and channel sizes must be static (the batch may be dynamic).
 */
@SuppressWarnings({"unchecked", "rawtypes"})
final class SpatialLowering {
  private final Ops tf;
  private final Map<String, Operand> shared;
  private final String backendId;

  SpatialLowering(Ops tf, Map<String, Operand> shared, String backendId) {
    this.tf = tf;
    this.shared = shared;
    this.backendId = backendId;
  }

  /** Strides, (before, after) pads and dilations over {@code d} spatial axes, plus groups. */
  private record Geo(int d, int[] strides, int[] pads, int[] dilations, int groups) {
    static Geo of(Attrs a, int d) {
      int[] dil = a.has("dilations") ? a.ints("dilations") : ones(d);
      return new Geo(d, a.ints("strides"), a.ints("pads"), dil,
          a.has("groups") ? a.i("groups") : 1);
    }

    /** The same geometry with a leading spatial axis of size 1 (1-D as 2-D). */
    Geo lift() {
      return new Geo(d + 1, prepend(strides, 1), prepend(pads, 0, 0), prepend(dilations, 1),
          groups);
    }

    boolean unpadded() {
      for (int p : pads) {
        if (p != 0) {
          return false;
        }
      }
      return true;
    }

    /** Strides as a TF NHWC attribute. */
    List<Long> strides4() {
      return nhwc(strides);
    }

    List<Long> dilations4() {
      return nhwc(dilations);
    }

    /** TF's explicit_paddings: (before, after) for all axes, batch and channels 0. */
    List<Long> explicit() {
      List<Long> out = new ArrayList<>();
      out.add(0L);
      out.add(0L);
      for (int p : pads) {
        out.add((long) p);
      }
      out.add(0L);
      out.add(0L);
      return out;
    }

    /** Pads for TF's Pad: (rank, 2) int32 with batch and channels unpadded. */
    int[][] padPairs() {
      int[][] out = new int[d + 2][2];
      for (int i = 0; i < d; i++) {
        out[i + 1][0] = pads[2 * i];
        out[i + 1][1] = pads[2 * i + 1];
      }
      return out;
    }

    int[] padded(int[] spatial) {
      int[] out = spatial.clone();
      for (int i = 0; i < d; i++) {
        out[i] += pads[2 * i] + pads[2 * i + 1];
      }
      return out;
    }
  }

  // ------------------------------------------------------------------ convolution

  /** {@code conv(x, k)}. */
  Operand conv(Node n, Operand x, Operand k) {
    Geo geo = Geo.of(n.attrs(), n.rank() - 2);
    int[] xShape = n.input(0).shape();
    requireStatic(n, xShape);
    int[] kShape = n.input(1).shape();
    if (geo.d == 1) {
      Operand y = conv2d(tf.expandDims(x, tf.constant(1)), tf.expandDims(k, tf.constant(0)),
          geo.lift());
      return tf.squeeze(y, Squeeze.axis(1L));
    }
    if (geo.d == 2) {
      return conv2d(x, k, geo);
    }
    if (geo.d == 3) {
      // TF's CPU Conv3D applies its dilations to the wrong axes: dilate the kernel instead.
      Operand kd = dilate(k, kShape, geo);
      return grouped(geo.groups, x, kd, (xg, kg) -> tf.nn.conv3d(pad(xg, geo, 0f), kg,
          nhwc(geo.strides), "VALID"));
    }
    throw unsupported(n, geo.d);
  }

  /** {@code conv_input_grad(dy, k; input_shape)}: shape (N, input_shape...). */
  Operand convInputGrad(Node n, Operand dy, Operand k) {
    Geo geo = Geo.of(n.attrs(), n.rank() - 2);
    int[] inShape = n.attrs().ints("input_shape");
    requireStatic(n, prepend(inShape, 0));
    int[] kShape = n.input(1).shape();
    if (geo.d == 1) {
      Operand dx = inputGrad2d(tf.expandDims(dy, tf.constant(1)), tf.expandDims(k,
          tf.constant(0)), prepend(kShape, 1), prepend(inShape, 1), geo.lift());
      return tf.squeeze(dx, Squeeze.axis(1L));
    }
    if (geo.d == 2) {
      return inputGrad2d(dy, k, kShape, inShape, geo);
    }
    if (geo.d == 3) {
      int[] spatial = Arrays.copyOf(inShape, 3);
      int cpg = inShape[3] / geo.groups;
      int[] paddedSample = append(geo.padded(spatial), cpg);
      Operand kd = dilate(k, kShape, geo);
      return grouped(geo.groups, dy, kd, (dyg, kg) -> {
        Operand dxp = tf.nn.conv3dBackpropInput(batchShape(dyg, paddedSample), kg, dyg,
            nhwc(geo.strides), "VALID");
        return unpad(dxp, geo, spatial);
      });
    }
    throw unsupported(n, geo.d);
  }

  /** {@code conv_kernel_grad(x, dy; kernel_shape)}. */
  Operand convKernelGrad(Node n, Operand x, Operand dy) {
    Geo geo = Geo.of(n.attrs(), n.rank() - 2);
    int[] kShape = n.attrs().ints("kernel_shape");
    requireStatic(n, n.input(0).shape());
    if (geo.d == 1) {
      Operand dk = kernelGrad2d(tf.expandDims(x, tf.constant(1)), tf.expandDims(dy,
          tf.constant(1)), prepend(kShape, 1), geo.lift());
      return tf.squeeze(dk, Squeeze.axis(0L));
    }
    if (geo.d == 2) {
      return kernelGrad2d(x, dy, kShape, geo);
    }
    if (geo.d == 3) {
      int[] kg = dilatedShape(kShape, geo);
      kg[4] /= geo.groups;
      Operand dkd = grouped(geo.groups, x, dy, (xg, dyg) -> tf.nn.conv3dBackpropFilter(
          pad(xg, geo, 0f), tf.constant(kg), dyg, nhwc(geo.strides), "VALID"));
      return undilate(dkd, kShape, geo);
    }
    throw unsupported(n, geo.d);
  }

  /**
   * Conv2D with explicit pads, its dilations and, natively, its groups (TF's Conv2D takes a
   * kernel with Cin / groups in-channels).
   */
  private Operand conv2d(Operand x, Operand k, Geo geo) {
    boolean valid = geo.unpadded();
    return valid
        ? tf.nn.conv2d(x, k, geo.strides4(), "VALID", Conv2d.dilations(geo.dilations4()))
        : tf.nn.conv2d(x, k, geo.strides4(), "EXPLICIT", Conv2d.dilations(geo.dilations4()),
            Conv2d.explicitPaddings(geo.explicit()));
  }

  /**
   * Conv2DBackpropInput with explicit pads; dilations by a zero-dilated kernel (TF's CPU kernels
   * have none) and groups by Split / Concat.
   */
  private Operand inputGrad2d(Operand dy, Operand k, int[] kShape, int[] inShape, Geo geo) {
    Operand kd = dilate(k, kShape, geo);
    int[] groupShape = inShape.clone();
    groupShape[2] /= geo.groups;
    boolean valid = geo.unpadded();
    return grouped(geo.groups, dy, kd, (dyg, kg) -> {
      Operand sizes = batchShape(dyg, groupShape);
      return valid ? tf.nn.conv2dBackpropInput(sizes, kg, dyg, geo.strides4(), "VALID")
          : tf.nn.conv2dBackpropInput(sizes, kg, dyg, geo.strides4(), "EXPLICIT",
              Conv2dBackpropInput.explicitPaddings(geo.explicit()));
    });
  }

  /**
   * Conv2DBackpropFilter with explicit pads; dilations by the gradient of a zero-dilated kernel,
   * subsampled, and groups by Split / Concat (TF's CPU kernels have neither).
   */
  private Operand kernelGrad2d(Operand x, Operand dy, int[] kShape, Geo geo) {
    int[] kg = dilatedShape(kShape, geo);
    kg[3] /= geo.groups;
    boolean valid = geo.unpadded();
    Operand dkd = grouped(geo.groups, x, dy, (xg, dyg) -> {
      Operand sizes = tf.constant(kg);
      return valid ? tf.nn.conv2dBackpropFilter(xg, sizes, dyg, geo.strides4(), "VALID")
          : tf.nn.conv2dBackpropFilter(xg, sizes, dyg, geo.strides4(), "EXPLICIT",
              Conv2dBackpropFilter.explicitPaddings(geo.explicit()));
    });
    return undilate(dkd, kShape, geo);
  }

  /** The kernel's shape once dilated: each window size K becomes dilation·(K-1)+1. */
  private static int[] dilatedShape(int[] kShape, Geo geo) {
    int[] out = kShape.clone();
    for (int a = 0; a < geo.d; a++) {
      out[a] = geo.dilations[a] * (kShape[a] - 1) + 1;
    }
    return out;
  }

  /** k with dilation-1 zeros between its taps on each spatial axis (k itself when undilated). */
  private Operand dilate(Operand k, int[] kShape, Geo geo) {
    Operand out = k;
    int[] shape = kShape.clone();
    for (int a = 0; a < geo.d; a++) {
      int r = geo.dilations[a];
      if (r == 1 || shape[a] == 1) {
        continue;
      }
      // (.., K, ..) -> (.., K, 1, ..) -> zeros after: (.., K, r, ..) -> (.., K·r, ..) -> slice.
      Operand e = tf.expandDims(out, tf.constant(a + 1));
      int[][] pads = new int[shape.length + 1][2];
      pads[a + 1][1] = r - 1;
      Operand p = tf.pad(e, tf.constant(pads), tf.constant(0f));
      int[] merged = shape.clone();
      merged[a] = shape[a] * r;
      Operand m = tf.reshape(p, tf.constant(merged));
      int[] size = shape.clone();
      size[a] = r * (shape[a] - 1) + 1;
      out = tf.slice(m, tf.constant(new int[shape.length]), tf.constant(size));
      shape = size;
    }
    return out;
  }

  /** The taps of a dilated kernel's gradient that belong to the kernel: every dilation-th. */
  private Operand undilate(Operand dk, int[] kShape, Geo geo) {
    boolean dilated = false;
    int[] strides = new int[kShape.length];
    Arrays.fill(strides, 1);
    for (int a = 0; a < geo.d; a++) {
      strides[a] = geo.dilations[a];
      dilated |= geo.dilations[a] > 1;
    }
    if (!dilated) {
      return dk;
    }
    return tf.stridedSlice(dk, tf.constant(new int[kShape.length]),
        tf.constant(dilatedShape(kShape, geo)), tf.constant(strides));
  }

  private interface Pair {
    Operand apply(Operand a, Operand b);
  }

  /**
   * {@code f} per group on channel slices of {@code a} and of {@code b}'s last axis, joined on
   * the last axis (conv: x by in-channels, k by filters; kernel grad: x, dy).
   */
  private Operand grouped(int groups, Operand a, Operand b, Pair f) {
    if (groups == 1) {
      return f.apply(a, b);
    }
    List<Operand> as = split(a, groups);
    List<Operand> bs = split(b, groups);
    List<Operand> parts = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      parts.add(f.apply(as.get(g), bs.get(g)));
    }
    return tf.concat((List) parts, tf.constant(-1));
  }

  private List<Operand> split(Operand x, int parts) {
    return tf.split(tf.constant(-1), x, (long) parts).output();
  }

  // ------------------------------------------------------------------ pooling

  /** {@code max_pool(x)} and {@code avg_pool(x)}. */
  Operand pool(Node n, Operand x, boolean max) {
    int[] xShape = n.input(0).shape();
    requireStatic(n, xShape);
    Pool p = Pool.of(n.attrs(), xShape);
    if (p.geo.d == 1) {
      Operand y = pool(tf.expandDims(x, tf.constant(1)), p.lift(), max);
      return tf.squeeze(y, Squeeze.axis(1L));
    }
    if (p.geo.d > 3) {
      throw unsupported(n, p.geo.d);
    }
    return pool(x, p, max);
  }

  /** {@code max_pool_grad(x, dy)}. */
  Operand maxPoolGrad(Node n, Operand x, Operand dy) {
    int[] xShape = n.input(0).shape();
    requireStatic(n, xShape);
    Pool p = Pool.of(n.attrs(), xShape);
    if (p.geo.d == 1) {
      Operand dx = maxGrad2d(tf.expandDims(x, tf.constant(1)), tf.expandDims(dy,
          tf.constant(1)), p.lift());
      return tf.squeeze(dx, Squeeze.axis(1L));
    }
    if (p.geo.d == 2) {
      return maxGrad2d(x, dy, p);
    }
    if (p.geo.d == 3) {
      return maxGrad3d(x, dy, p);
    }
    throw unsupported(n, p.geo.d);
  }

  /** {@code avg_pool_grad(dy, like)}. */
  Operand avgPoolGrad(Node n, Operand dy) {
    int[] xShape = n.input(1).shape();
    requireStatic(n, xShape);
    Pool p = Pool.of(n.attrs(), xShape);
    if (p.geo.d == 1) {
      Operand dx = avgGrad(tf.expandDims(dy, tf.constant(1)), p.lift());
      return tf.squeeze(dx, Squeeze.axis(1L));
    }
    if (p.geo.d > 3) {
      throw unsupported(n, p.geo.d);
    }
    return avgGrad(dy, p);
  }

  /** TF's padding for a pool: VALID, SAME, or explicit (pad, then VALID). */
  private enum Mode { VALID, SAME, EXPLICIT }

  /** A pool's window, geometry and input (N, S..., C), and how TF pads it. */
  private record Pool(int[] window, Geo geo, int[] spatial, int channels, Mode mode) {
    static Pool of(Attrs a, int[] xShape) {
      int d = xShape.length - 2;
      Geo geo = Geo.of(a, d);
      return make(a.ints("window"), geo, Arrays.copyOfRange(xShape, 1, d + 1), xShape[d + 1]);
    }

    static Pool make(int[] window, Geo geo, int[] spatial, int channels) {
      Mode mode = geo.unpadded() ? Mode.VALID
          : Arrays.equals(geo.pads, samePads(spatial, window, geo.strides)) ? Mode.SAME
          : Mode.EXPLICIT;
      return new Pool(window, geo, spatial, channels, mode);
    }

    Pool lift() {
      return make(prepend(window, 1), geo.lift(), prepend(spatial, 1), channels);
    }

    /** The output's spatial sizes. */
    int[] out() {
      int[] o = new int[geo.d];
      for (int i = 0; i < geo.d; i++) {
        int padded = spatial[i] + geo.pads[2 * i] + geo.pads[2 * i + 1];
        o[i] = (padded - window[i]) / geo.strides[i] + 1;
      }
      return o;
    }

    String padding() {
      return mode == Mode.SAME ? "SAME" : "VALID";
    }

    List<Long> ksize() {
      return nhwc(window);
    }

    List<Long> strides() {
      return nhwc(geo.strides);
    }
  }

  /** TF's SAME pads (the api's {@code Ops.samePads} with dilation 1). */
  private static int[] samePads(int[] in, int[] window, int[] strides) {
    int[] pads = new int[2 * in.length];
    for (int i = 0; i < in.length; i++) {
      int out = (in[i] + strides[i] - 1) / strides[i];
      int total = Math.max((out - 1) * strides[i] + window[i] - in[i], 0);
      pads[2 * i] = total / 2;
      pads[2 * i + 1] = total - total / 2;
    }
    return pads;
  }

  /** The pool's input as TF pools it: x itself, or x padded (-inf for max, 0 for average). */
  private Operand poolInput(Operand x, Pool p, boolean max) {
    return p.mode == Mode.EXPLICIT ? pad(x, p.geo, max ? Float.NEGATIVE_INFINITY : 0f) : x;
  }

  private Operand pool(Operand x, Pool p, boolean max) {
    Operand in = poolInput(x, p, max);
    return memo("pool|" + max + "|" + Arrays.toString(p.window) + Arrays.toString(p.geo.strides)
        + p.padding() + "|" + name(in), () -> {
          Operand y;
          if (max) {
            y = p.geo.d == 2 ? tf.nn.maxPool(in, tf.constant(ints(p.ksize())),
                tf.constant(ints(p.strides())), p.padding())
                : tf.nn.maxPool3d(in, p.ksize(), p.strides(), p.padding());
          } else {
            y = p.geo.d == 2 ? tf.nn.avgPool(in, p.ksize(), p.strides(), p.padding())
                : tf.nn.avgPool3d(in, p.ksize(), p.strides(), p.padding());
          }
          return p.mode == Mode.EXPLICIT && !max ? tf.math.mul(y, scale(p)) : y;
        });
  }

  private Operand maxGrad2d(Operand x, Operand dy, Pool p) {
    Operand in = poolInput(x, p, true);
    Operand y = pool(x, p, true);
    Operand dx = tf.nn.maxPoolGrad(in, y, dy, tf.constant(ints(p.ksize())),
        tf.constant(ints(p.strides())), p.padding());
    return p.mode == Mode.EXPLICIT ? unpad(dx, p.geo, p.spatial) : dx;
  }

  /**
   * 3-D max pooling's gradient as two 2-D ones on x padded with -inf: max over each depth slab's
   * (H, W) windows (the slabs as a batch), then over depth windows of those maxima.
   */
  private Operand maxGrad3d(Operand x, Operand dy, Pool p) {
    Operand xp = p.geo.unpadded() ? x : pad(x, p.geo, Float.NEGATIVE_INFINITY);
    int[] sp = p.geo.padded(p.spatial);
    int[] o = p.out();
    int c = p.channels;
    // Stage 1: (N·D', H', W', C) pooled over (H, W) windows.
    Operand x1 = tf.reshape(xp, tf.constant(new int[] {-1, sp[1], sp[2], c}));
    int[] k1 = {1, p.window[1], p.window[2], 1};
    int[] s1 = {1, p.geo.strides[1], p.geo.strides[2], 1};
    Operand m = tf.nn.maxPool(x1, tf.constant(k1), tf.constant(s1), "VALID");
    // Stage 2: (N, D', OH·OW, C) pooled over depth windows.
    Operand m2 = tf.reshape(m, tf.constant(new int[] {-1, sp[0], o[1] * o[2], c}));
    int[] k2 = {1, p.window[0], 1, 1};
    int[] s2 = {1, p.geo.strides[0], 1, 1};
    Operand y2 = tf.nn.maxPool(m2, tf.constant(k2), tf.constant(s2), "VALID");
    Operand dy2 = tf.reshape(dy, tf.constant(new int[] {-1, o[0], o[1] * o[2], c}));
    Operand dm2 = tf.nn.maxPoolGrad(m2, y2, dy2, tf.constant(k2), tf.constant(s2), "VALID");
    Operand dm = tf.reshape(dm2, tf.constant(new int[] {-1, o[1], o[2], c}));
    Operand dx1 = tf.nn.maxPoolGrad(x1, m, dm, tf.constant(k1), tf.constant(s1), "VALID");
    Operand dxp = tf.reshape(dx1, tf.constant(new int[] {-1, sp[0], sp[1], sp[2], c}));
    return p.geo.unpadded() ? dxp : unpad(dxp, p.geo, p.spatial);
  }

  private Operand avgGrad(Operand dy, Pool p) {
    if (p.mode != Mode.EXPLICIT) {
      Operand shape = batchShape(dy, append(p.spatial, p.channels));
      return p.geo.d == 2 ? tf.nn.avgPoolGrad(shape, dy, p.ksize(), p.strides(), p.padding())
          : tf.nn.avgPool3dGrad(shape, dy, p.ksize(), p.strides(), p.padding());
    }
    Operand shape = batchShape(dy, append(p.geo.padded(p.spatial), p.channels));
    Operand scaled = tf.math.mul(dy, scale(p));
    Operand dxp = p.geo.d == 2 ? tf.nn.avgPoolGrad(shape, scaled, p.ksize(), p.strides(), "VALID")
        : tf.nn.avgPool3dGrad(shape, scaled, p.ksize(), p.strides(), "VALID");
    return unpad(dxp, p.geo, p.spatial);
  }

  /**
   * (1, O..., 1): window size / the number of real (unpadded) cells of each output's window,
   * turning a VALID average over the zero-padded input into the average over real cells.
   */
  private Operand scale(Pool p) {
    int[] o = p.out();
    int[][] counts = new int[p.geo.d][];
    for (int a = 0; a < p.geo.d; a++) {
      counts[a] = new int[o[a]];
      for (int i = 0; i < o[a]; i++) {
        int start = i * p.geo.strides[a] - p.geo.pads[2 * a];
        int lo = Math.max(start, 0);
        int hi = Math.min(start + p.window[a], p.spatial[a]);
        counts[a][i] = Math.max(hi - lo, 0);
      }
    }
    int total = 1;
    for (int v : o) {
      total *= v;
    }
    double windowSize = 1;
    for (int w : p.window) {
      windowSize *= w;
    }
    float[] values = new float[total];
    int[] idx = new int[p.geo.d];
    for (int flat = 0; flat < total; flat++) {
      int rem = flat;
      for (int a = p.geo.d - 1; a >= 0; a--) {
        idx[a] = rem % o[a];
        rem /= o[a];
      }
      double count = 1;
      for (int a = 0; a < p.geo.d; a++) {
        count *= counts[a][idx[a]];
      }
      values[flat] = (float) (windowSize / count);
    }
    int[] shape = append(prepend(o, 1), 1);
    return memo("pool_scale|" + Arrays.toString(p.spatial) + Arrays.toString(p.window)
        + Arrays.toString(p.geo.strides) + Arrays.toString(p.geo.pads),
        () -> tf.constant(Lowering.shape(shape), DataBuffers.of(values, true, false)));
  }

  // ------------------------------------------------------------------ helpers

  private Operand pad(Operand x, Geo geo, float value) {
    return memo("spatial_pad|" + value + "|" + Arrays.toString(geo.pads) + "|" + name(x),
        () -> tf.pad(x, tf.constant(geo.padPairs()), tf.constant(value)));
  }

  /** x (N, padded S..., C) with the pads sliced off back to (N, S..., C). */
  private Operand unpad(Operand x, Geo geo, int[] spatial) {
    int[] begin = new int[geo.d + 2];
    int[] size = new int[geo.d + 2];
    size[0] = -1;
    size[geo.d + 1] = -1;
    for (int i = 0; i < geo.d; i++) {
      begin[i + 1] = geo.pads[2 * i];
      size[i + 1] = spatial[i];
    }
    return tf.slice(x, tf.constant(begin), tf.constant(size));
  }

  /** int32 (batch of {@code like}, sample...): a shape for TF's gradient ops. */
  private Operand<TInt32> batchShape(Operand like, int[] sample) {
    long batch = like.shape().get(0);
    if (batch >= 0) {
      return tf.constant(prepend(sample, (int) batch));
    }
    Operand<TInt32> n = tf.slice(tf.shape(like), tf.constant(new int[] {0}),
        tf.constant(new int[] {1}));
    return tf.concat(List.of(n, tf.constant(sample)), tf.constant(0));
  }

  private Operand memo(String key, Supplier<Operand> f) {
    Operand hit = shared.get(key);
    if (hit == null) {
      hit = f.get();
      shared.put(key, hit);
    }
    return hit;
  }

  private static String name(Operand o) {
    return o.op().name() + ":" + o.asOutput().index();
  }

  private void requireStatic(Node n, int[] shape) {
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new UnsupportedFeatureException(backendId, "op '" + n.opName() + "' with a dynamic"
            + " spatial or channel size " + Arrays.toString(shape)
            + (n.layer().isEmpty() ? "" : " (in layer '" + n.layer() + "')"));
      }
    }
  }

  private UnsupportedFeatureException unsupported(Node n, int d) {
    return new UnsupportedFeatureException(backendId, "op '" + n.opName() + "' over " + d
        + " spatial axes (1, 2 or 3 are supported)"
        + (n.layer().isEmpty() ? "" : " (in layer '" + n.layer() + "')"));
  }

  private static List<Long> nhwc(int[] spatial) {
    List<Long> out = new ArrayList<>();
    out.add(1L);
    for (int s : spatial) {
      out.add((long) s);
    }
    out.add(1L);
    return out;
  }

  private static int[] ints(List<Long> v) {
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i).intValue();
    }
    return out;
  }

  private static int[] ones(int n) {
    int[] a = new int[n];
    Arrays.fill(a, 1);
    return a;
  }

  private static int[] prepend(int[] a, int... head) {
    int[] out = Arrays.copyOf(head, head.length + a.length);
    System.arraycopy(a, 0, out, head.length, a.length);
    return out;
  }

  private static int[] append(int[] a, int tail) {
    int[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = tail;
    return out;
  }
}
