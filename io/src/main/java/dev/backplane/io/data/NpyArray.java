package dev.backplane.io.data;

import dev.backplane.io.ModelFileException;
import dev.backplane.io.npy.Npy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * An NPY array mapped into memory ({@link FileChannel#map}), read one row (first-axis slice) at
 * a time as float32, so an array larger than the heap is never loaded whole. Dtypes float32,
 * float64, int32, int64, uint8 and bool, little-endian, in C or Fortran order (Fortran rows are
 * strided reads). Integers are converted to floats exactly up to 2^24 (class indices).
 * Immutable; reads are thread-safe.
 */
public final class NpyArray {
  private static final int CHUNK_SHIFT = 30;
  private static final long CHUNK_MASK = (1L << CHUNK_SHIFT) - 1;

  /** The element types read. */
  enum DType {
    FLOAT32(4), FLOAT64(8), INT32(4), INT64(8), UINT8(1), BOOL(1);

    final int size;

    DType(int size) {
      this.size = size;
    }
  }

  private final Path file;
  private final DType dtype;
  private final String descr;
  private final boolean fortran;
  private final int[] shape;
  private final int rowSize;
  /** Per value of a row, its offset in elements from the row's first value (Fortran order). */
  private final long[] fortranOffsets;
  private final ByteBuffer[] chunks;

  private NpyArray(Path file, String descr, DType dtype, boolean fortran, int[] shape,
      ByteBuffer[] chunks) {
    this.file = file;
    this.descr = descr;
    this.dtype = dtype;
    this.fortran = fortran;
    this.shape = shape;
    int size = 1;
    for (int i = 1; i < shape.length; i++) {
      size = Math.multiplyExact(size, shape[i]);
    }
    this.rowSize = size;
    this.chunks = chunks;
    if (fortran) {
      // value k of a row, as C order counts it, is at row + n * (i1 + d1 * (i2 + d2 * ...))
      fortranOffsets = new long[rowSize];
      for (int k = 0; k < rowSize; k++) {
        long offset = 0;
        long stride = shape[0];
        int rest = k;
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 1; d--) {
          index[d] = rest % shape[d];
          rest /= shape[d];
        }
        for (int d = 1; d < shape.length; d++) {
          offset += index[d] * stride;
          stride *= shape[d];
        }
        fortranOffsets[k] = offset;
      }
    } else {
      fortranOffsets = null;
    }
  }

  /**
   * Maps an NPY file (format 1.0 to 3.0). Nothing but the header is read now.
   *
   * @throws ModelFileException naming the file and what is wrong or unsupported
   */
  public static NpyArray open(Path file) {
    return ModelFileException.guard(file, () -> openUnguarded(file));
  }

  private static NpyArray openUnguarded(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Npy.Header header = Npy.header(file, channel);
      long size = header.fileSize();
      long dataStart = header.dataStart();
      String descr = header.descr();
      boolean fortran = header.fortranOrder();
      int[] shape = shape(file, header.shape());
      DType dtype = dtype(file, descr);
      long count = 1;
      for (int d : shape) {
        count = Math.multiplyExact(count, d);
      }
      long bytes = count * dtype.size;
      if (dataStart + bytes != size) {
        throw new ModelFileException(file, "NPY shape " + Arrays.toString(shape) + " of "
            + descr + " needs " + bytes + " data bytes but the file has " + (size - dataStart)
            + (size - dataStart < bytes ? " (truncated)" : ""));
      }
      int n = (int) ((bytes + CHUNK_MASK) >>> CHUNK_SHIFT);
      ByteBuffer[] chunks = new ByteBuffer[n];
      for (int i = 0; i < n; i++) {
        long from = (long) i << CHUNK_SHIFT;
        long length = Math.min(1L << CHUNK_SHIFT, bytes - from);
        MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + from, length);
        chunks[i] = m.order(ByteOrder.LITTLE_ENDIAN);
      }
      return new NpyArray(file, descr, dtype, fortran, shape, chunks);
    } catch (IOException e) {
      throw new ModelFileException(file, "cannot read the file: " + e, e);
    }
  }

  /** The header's shape as {@code int}s: non-negative, at most {@code Integer.MAX_VALUE}. */
  private static int[] shape(Path file, long[] shape) {
    int[] dims = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 || shape[i] > Integer.MAX_VALUE) {
        throw new ModelFileException(file, "NPY shape " + Arrays.toString(shape) + " must hold"
            + " non-negative integers up to " + Integer.MAX_VALUE);
      }
      dims[i] = (int) shape[i];
    }
    if (dims.length == 0) {
      throw new ModelFileException(file, "NPY array is a scalar (shape ()); a dataset needs a"
          + " sample dimension");
    }
    return dims;
  }

  private static DType dtype(Path file, String descr) {
    switch (descr) {
      case "<f4":
        return DType.FLOAT32;
      case "<f8":
        return DType.FLOAT64;
      case "<i4":
        return DType.INT32;
      case "<i8":
        return DType.INT64;
      case "|u1":
      case "<u1":
        return DType.UINT8;
      case "|b1":
        return DType.BOOL;
      default:
        if (descr.startsWith(">")) {
          throw new ModelFileException(file, "NPY dtype '" + descr + "' is big-endian; save it"
              + " little-endian, e.g. with x.astype('<f4')");
        }
        throw new ModelFileException(file, "NPY dtype '" + descr + "' is not supported; use"
            + " float32, float64, int32, int64, uint8 or bool");
    }
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** The shape. */
  public int[] shape() {
    return shape.clone();
  }

  /** The number of rows (the first dimension). */
  public int rows() {
    return shape[0];
  }

  /** Values per row: the product of the dimensions after the first (1 for a 1-D array). */
  public int rowSize() {
    return rowSize;
  }

  /** The NPY dtype string, e.g. {@code <f4}. */
  public String descr() {
    return descr;
  }

  /** Whether the data is in Fortran (column-major) order. */
  public boolean fortranOrder() {
    return fortran;
  }

  /** Whether the dtype is an integer or bool type. */
  public boolean integral() {
    return dtype != DType.FLOAT32 && dtype != DType.FLOAT64;
  }

  /** Copies row {@code row}'s {@link #rowSize} values, in C order, into {@code out}. */
  public void readRow(int row, float[] out, int offset) {
    java.util.Objects.checkIndex(row, shape[0]);
    if (fortran) {
      for (int k = 0; k < rowSize; k++) {
        out[offset + k] = value(row + fortranOffsets[k]);
      }
    } else {
      long base = (long) row * rowSize;
      for (int k = 0; k < rowSize; k++) {
        out[offset + k] = value(base + k);
      }
    }
  }

  private float value(long element) {
    long pos = element * dtype.size;
    ByteBuffer b = chunks[(int) (pos >>> CHUNK_SHIFT)];
    int at = (int) (pos & CHUNK_MASK);
    switch (dtype) {
      case FLOAT32:
        return b.getFloat(at);
      case FLOAT64:
        return (float) b.getDouble(at);
      case INT32:
        return b.getInt(at);
      case INT64:
        return b.getLong(at);
      case UINT8:
        return b.get(at) & 0xff;
      default:
        return b.get(at) != 0 ? 1f : 0f;
    }
  }

  @Override
  public String toString() {
    return file + " (" + descr + ", " + Arrays.toString(shape) + (fortran ? ", Fortran order"
        : "") + ")";
  }
}
