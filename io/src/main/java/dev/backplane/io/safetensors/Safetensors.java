package dev.backplane.io.safetensors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.backplane.io.AtomicFiles;
import dev.backplane.io.ModelFileException;
import dev.backplane.io.SafeJson;
import dev.backplane.spi.NamedArray;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes <a href="https://github.com/huggingface/safetensors">safetensors</a> files of
 * float32 arrays: 8 bytes little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON
 * ({@code {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
 * "__metadata__": {string: string}}}), then the raw little-endian data.
 *
 * <p>The reader is safe for untrusted files: the header length is bounded by
 * {@value #MAX_HEADER_BYTES} bytes and by the file size, the header is parsed as a plain JSON
 * tree, every tensor is checked (dtype {@code F32}, non-negative shape whose size matches its byte
 * range, range inside the data section, ranges tiling the data section, unique names) before any
 * data is read, so no allocation exceeds the file's size. Each tensor streams from the file into
 * its float array (long offsets: tensors past 2 GiB load, the heap holds one copy plus a 1 MiB
 * buffer). Every problem, an {@link Error} of the parser included, is a
 * {@link ModelFileException} naming the file.
 */
public final class Safetensors {
  /** Largest header accepted, in bytes (the reference implementation's limit). */
  public static final long MAX_HEADER_BYTES = 100L << 20;
  private static final int LENGTH_BYTES = 8;
  private static final int CHUNK_BYTES = 1 << 20;

  private Safetensors() {}

  /**
   * Reads a whole file.
   *
   * @throws ModelFileException naming the file and what is wrong with it
   */
  public static SafetensorsContent read(Path file) {
    return ModelFileException.guard(file, () -> readUnguarded(file));
  }

  private static SafetensorsContent readUnguarded(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < LENGTH_BYTES) {
        throw new ModelFileException(file, "not a safetensors file: " + size + " bytes is shorter"
            + " than the 8-byte header length");
      }
      long headerLength = readBuffer(file, channel, 0, LENGTH_BYTES).getLong();
      if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
        throw new ModelFileException(file, "safetensors header length "
            + Long.toUnsignedString(headerLength) + " exceeds the limit of " + MAX_HEADER_BYTES
            + " bytes; the file is corrupt or not a safetensors file");
      }
      if (headerLength > size - LENGTH_BYTES) {
        throw new ModelFileException(file, "safetensors header length " + headerLength
            + " exceeds the " + (size - LENGTH_BYTES) + " bytes after the length field; the file"
            + " is truncated or not a safetensors file");
      }
      byte[] json = new byte[(int) headerLength];
      readBuffer(file, channel, LENGTH_BYTES, json.length).get(json);
      long dataStart = LENGTH_BYTES + headerLength;
      SafetensorsHeader header = SafetensorsHeader.parse(file, json, size - dataStart);
      List<NamedArray> arrays = new ArrayList<>(header.entries.size());
      for (TensorEntry e : header.entries) {
        float[] values = new float[e.size()];
        readFloats(file, channel, dataStart + e.begin(), values);
        arrays.add(new NamedArray(e.name(), e.shape(), values));
      }
      return new SafetensorsContent(arrays, header.metadata);
    } catch (IOException e) {
      throw new ModelFileException(file, "cannot read the file: " + e, e);
    }
  }

  /**
   * Streams little-endian floats from {@code position} into {@code values} through one small
   * buffer: long offsets, so a tensor past 2 GiB of the file (or of its own bytes, up to the
   * 2^31-1 values a float[] holds) reads, and no second copy of the tensor in memory.
   */
  static void readFloats(Path file, FileChannel channel, long position, float[] values)
      throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    int done = 0;
    while (done < values.length) {
      int n = Math.min(CHUNK_BYTES / Float.BYTES, values.length - done);
      chunk.clear().limit(n * Float.BYTES);
      long at = position + (long) done * Float.BYTES;
      while (chunk.hasRemaining()) {
        if (channel.read(chunk, at + chunk.position()) < 0) {
          throw new ModelFileException(file, "unexpected end of file at byte "
              + (at + chunk.position()), new EOFException());
        }
      }
      chunk.flip().asFloatBuffer().get(values, done, n);
      done += n;
    }
  }

  private static ByteBuffer readBuffer(Path file, FileChannel channel, long position, int length)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position + buffer.position());
      if (n < 0) {
        throw new ModelFileException(file, "unexpected end of file at byte "
            + (position + buffer.position()), new EOFException());
      }
    }
    return buffer.flip();
  }

  /**
   * Writes the arrays, in the given order, and the metadata atomically (temporary file, then a
   * move), so a reader never sees a partial file.
   *
   * @param metadata string entries for {@code __metadata__}; may be empty, never {@code null}
   * @throws IllegalArgumentException if two arrays share a name or a name is empty
   * @throws ModelFileException if the file cannot be written
   */
  public static void write(Path file, List<NamedArray> arrays, Map<String, String> metadata) {
    byte[] header = header(arrays, metadata);
    AtomicFiles.write(file, out -> writeTo(out, header, arrays));
  }

  /** The whole file as bytes, for tests and in-memory use; see {@link #write}. */
  public static byte[] toBytes(List<NamedArray> arrays, Map<String, String> metadata) {
    byte[] header = header(arrays, metadata);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeTo(out, header, arrays);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  private static byte[] header(List<NamedArray> arrays, Map<String, String> metadata) {
    ObjectNode root = SafeJson.mapper().createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = root.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    Set<String> names = new HashSet<>();
    long offset = 0;
    for (NamedArray a : arrays) {
      if (a.name().isEmpty() || a.name().equals("__metadata__") || !names.add(a.name())) {
        throw new IllegalArgumentException("Array name '" + a.name() + "' is empty, reserved or"
            + " used twice; safetensors names must be unique");
      }
      ObjectNode entry = root.putObject(a.name());
      entry.put("dtype", "F32");
      Arrays.stream(a.shape()).forEach(entry.putArray("shape")::add);
      long end = offset + (long) a.values().length * Float.BYTES;
      entry.putArray("data_offsets").add(offset).add(end);
      offset = end;
    }
    byte[] json = SafeJson.write(root).getBytes(StandardCharsets.UTF_8);
    // Pad with spaces so the data section starts 8-byte aligned, as the reference writer does.
    int padded = (json.length + 7) / 8 * 8;
    byte[] header = Arrays.copyOf(json, padded);
    Arrays.fill(header, json.length, padded, (byte) ' ');
    return header;
  }

  private static void writeTo(OutputStream raw, byte[] header, List<NamedArray> arrays)
      throws IOException {
    OutputStream out = new BufferedOutputStream(raw, 1 << 16);
    out.write(ByteBuffer.allocate(LENGTH_BYTES).order(ByteOrder.LITTLE_ENDIAN)
        .putLong(header.length).array());
    out.write(header);
    ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (NamedArray a : arrays) {
      for (float v : a.values()) {
        if (!chunk.hasRemaining()) {
          out.write(chunk.array(), 0, chunk.position());
          chunk.clear();
        }
        chunk.putFloat(v);
      }
    }
    out.write(chunk.array(), 0, chunk.position());
    out.flush();
  }
}
