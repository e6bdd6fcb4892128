package dev.backplane.io.npy;

import dev.backplane.io.AtomicFiles;
import dev.backplane.io.ModelFileException;
import dev.backplane.tensor.Tensor;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Reads and writes NumPy {@code .npy} arrays (format versions 1.0 to 3.0): magic
 * {@code \x93NUMPY}, version, header length, a Python-literal header dictionary, then the data.
 * Reads float32 ({@code <f4}) and float64 ({@code <f8}, converted to float32) arrays in C order
 * with at least one dimension; big-endian, Fortran-order and every other dtype (integers,
 * objects, ...) are rejected with a {@link ModelFileException} that says what is supported.
 * Writes float32, C order, version 1.0, which {@code numpy.load} reads.
 */
public final class Npy {
  /** Largest header accepted, in bytes; NumPy itself refuses headers over 10 000 by default. */
  public static final int MAX_HEADER_BYTES = 1 << 16;
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  private Npy() {}

  /**
   * Reads an array as a float32 tensor.
   *
   * @throws ModelFileException naming the file and what is wrong or unsupported
   */
  public static Tensor read(Path file) {
    return ModelFileException.guard(file, () -> readUnguarded(file));
  }

  private static Tensor readUnguarded(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return data(file, channel, header(file, channel));
    } catch (IOException e) {
      throw new ModelFileException(file, "cannot read the file: " + e, e);
    }
  }

  /**
   * Where an NPY file's data lies and how it is laid out.
   *
   * @param descr the dtype string, e.g. {@code <f4}
   * @param fortranOrder whether the data is column-major
   * @param shape the array shape; empty for a scalar
   * @param dataStart the byte offset of the first value
   * @param fileSize the file's size in bytes
   */
  public record Header(String descr, boolean fortranOrder, long[] shape, long dataStart,
      long fileSize) {}

  /**
   * Reads and checks the magic, version, header length and header dictionary of an open NPY
   * file; the data is not read. For every reader of NPY files: {@link #read} and the
   * memory-mapped dataset.
   *
   * @throws ModelFileException naming the file and what is wrong
   */
  public static Header header(Path file, FileChannel channel) throws IOException {
    long size = channel.size();
    ByteBuffer prefix = read(file, channel, 0, (int) Math.min(size, 12));
    byte[] magic = new byte[Math.min(6, prefix.remaining())];
    prefix.get(magic);
    if (!Arrays.equals(magic, MAGIC) || prefix.remaining() < 2) {
      throw new ModelFileException(file, "not an NPY file (no \\x93NUMPY magic and version)");
    }
    int major = prefix.get() & 0xff;
    prefix.get();
    if (major < 1 || major > 3) {
      throw new ModelFileException(file, "NPY format version " + major + ".x is not"
          + " supported; expected 1.0, 2.0 or 3.0");
    }
    int lengthBytes = major == 1 ? 2 : 4;
    if (prefix.remaining() < lengthBytes) {
      throw new ModelFileException(file, "NPY file is truncated inside its header length");
    }
    long headerLength = major == 1 ? prefix.getShort() & 0xffff : prefix.getInt() & 0xffffffffL;
    long dataStart = 8 + lengthBytes + headerLength;
    if (headerLength > MAX_HEADER_BYTES || dataStart > size) {
      throw new ModelFileException(file, "NPY header length " + headerLength + " exceeds "
          + (headerLength > MAX_HEADER_BYTES ? "the limit of " + MAX_HEADER_BYTES
              : "the file size " + size));
    }
    ByteBuffer headerBytes = read(file, channel, 8 + lengthBytes, (int) headerLength);
    String text = new String(headerBytes.array(), 0, (int) headerLength,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    NpyHeader h = NpyHeader.parse(file, text);
    return new Header(h.descr(), h.fortranOrder(), h.shape(), dataStart, size);
  }

  private static Tensor data(Path file, FileChannel channel, Header header) throws IOException {
    long dataStart = header.dataStart();
    long size = header.fileSize();
    int itemSize = itemSize(file, header.descr());
    if (header.fortranOrder()) {
      throw new ModelFileException(file, "NPY array is in Fortran order (fortran_order: True);"
          + " only C order is supported: save it with numpy.ascontiguousarray(x)");
    }
    long[] shape = header.shape();
    if (shape.length == 0) {
      throw new ModelFileException(file, "NPY array is a scalar (shape ()); a tensor needs at"
          + " least one dimension");
    }
    long count = 1;
    int[] dims = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > Integer.MAX_VALUE) {
        throw new ModelFileException(file, "NPY shape " + Arrays.toString(shape) + " is too large");
      }
      dims[i] = (int) shape[i];
      count *= shape[i];
      if (count > Integer.MAX_VALUE) {
        throw new ModelFileException(file, "NPY shape " + Arrays.toString(shape) + " has more than "
            + Integer.MAX_VALUE + " values");
      }
    }
    long bytes = count * itemSize;
    if (dataStart + bytes != size) {
      throw new ModelFileException(file, "NPY shape " + Arrays.toString(shape) + " of "
          + header.descr() + " needs " + bytes + " data bytes but the file has "
          + (size - dataStart) + (size - dataStart < bytes ? " (truncated)" : ""));
    }
    float[] values = new float[(int) count];
    int chunkValues = 1 << 14;
    for (int done = 0; done < values.length; ) {
      int n = Math.min(chunkValues, values.length - done);
      ByteBuffer chunk = read(file, channel, dataStart + (long) done * itemSize, n * itemSize);
      for (int i = 0; i < n; i++) {
        values[done + i] = itemSize == 4 ? chunk.getFloat() : (float) chunk.getDouble();
      }
      done += n;
    }
    return Tensor.wrap(values, dims);
  }

  private static int itemSize(Path file, String descr) {
    switch (descr) {
      case "<f4":
        return 4;
      case "<f8":
        return 8;
      case ">f4":
      case ">f8":
        throw new ModelFileException(file, "NPY dtype '" + descr + "' is big-endian; only"
            + " little-endian float32 ('<f4') and float64 ('<f8') are supported: save it with"
            + " x.astype('<f4')");
      default:
        throw new ModelFileException(file, "NPY dtype '" + descr + "' is not supported; only"
            + " float32 ('<f4') and float64 ('<f8') are: save it with x.astype('float32')");
    }
  }

  private static ByteBuffer read(Path file, FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new ModelFileException(file, "NPY file is truncated at byte "
            + (position + buffer.position()));
      }
    }
    return buffer.flip();
  }

  /**
   * Writes a tensor as a float32 C-order NPY file (version 1.0), atomically.
   *
   * @throws ModelFileException if the file cannot be written
   */
  public static void write(Path file, Tensor tensor) {
    String dict = NpyHeader.format("<f4", tensor.shape());
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padded = (unpadded + 63) / 64 * 64;
    String header = dict + " ".repeat(padded - unpadded) + "\n";
    AtomicFiles.write(file, raw -> {
      OutputStream out = new BufferedOutputStream(raw, 1 << 16);
      out.write(MAGIC);
      out.write(new byte[] {1, 0});
      out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN)
          .putShort((short) header.length()).array());
      out.write(header.getBytes(StandardCharsets.ISO_8859_1));
      ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < tensor.size(); i++) {
        if (!chunk.hasRemaining()) {
          out.write(chunk.array(), 0, chunk.position());
          chunk.clear();
        }
        chunk.putFloat(tensor.get(i));
      }
      out.write(chunk.array(), 0, chunk.position());
      out.flush();
    });
  }
}
