package dev.backplane.io.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import dev.backplane.io.JsonFields;
import dev.backplane.io.ModelFileException;
import dev.backplane.io.SafeJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a safetensors JSON header against the size of the data section. Nothing
 * from the header is trusted: every entry is checked for shape, dtype and a byte range inside the
 * data section before any data is read, and the ranges must tile the data section exactly (no
 * overlap, no hole, no trailing bytes), as the reference implementation requires.
 */
final class SafetensorsHeader {
  /** The dtypes the format defines; Backplane reads {@code F32} only. */
  static final List<String> KNOWN_DTYPES = List.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3",
      "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64");
  private static final String METADATA = "__metadata__";
  private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

  final List<TensorEntry> entries;
  final Map<String, String> metadata;

  private SafetensorsHeader(List<TensorEntry> entries, Map<String, String> metadata) {
    this.entries = entries;
    this.metadata = metadata;
  }

  /**
   * @param file for messages
   * @param json the header bytes (trailing spaces allowed)
   * @param dataLength bytes after the header
   */
  static SafetensorsHeader parse(Path file, byte[] json, long dataLength) {
    if (json.length == 0 || json[0] != '{') {
      throw new ModelFileException(file, "safetensors header must start with '{'"
          + (json.length == 0 ? " but is empty" : " but starts with byte " + (json[0] & 0xff)));
    }
    JsonNode root = SafeJson.parseHeader(file, "safetensors header", json);
    JsonFields header = JsonFields.of(file, "safetensors header", root);
    List<TensorEntry> entries = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (String name : header.keys()) {
      if (name.equals(METADATA)) {
        readMetadata(header.object(METADATA, "safetensors __metadata__"), metadata);
      } else {
        entries.add(entry(file, name, header.require(name), dataLength));
      }
    }
    checkTiling(file, entries, dataLength);
    return new SafetensorsHeader(entries, metadata);
  }

  private static void readMetadata(JsonFields meta, Map<String, String> out) {
    for (String key : meta.keys()) {
      JsonNode v = meta.node().get(key);
      if (!v.isTextual()) {
        throw meta.error("value of '" + key + "' must be a string but is "
            + JsonFields.describe(v));
      }
      out.put(key, v.textValue());
    }
  }

  private static TensorEntry entry(Path file, String name, JsonNode node, long dataLength) {
    if (name.isEmpty()) {
      throw new ModelFileException(file, "safetensors header has a tensor with an empty name");
    }
    JsonFields e = JsonFields.of(file, "tensor '" + name + "'", node).allowOnly(ENTRY_FIELDS);
    String dtype = e.text("dtype");
    if (!dtype.equals("F32")) {
      throw e.error((KNOWN_DTYPES.contains(dtype) ? "dtype " + dtype + " is not supported"
          : "unknown dtype '" + dtype + "'") + "; Backplane reads F32 only (safetensors defines "
          + String.join(", ", KNOWN_DTYPES) + ")");
    }
    int[] shape = e.dims(e.array("shape"), "shape");
    long count = 1;
    for (int d : shape) {
      count *= d;
      if (count > Integer.MAX_VALUE) {
        throw e.error("shape " + Arrays.toString(shape) + " has more than "
            + Integer.MAX_VALUE + " values");
      }
    }
    JsonNode offsets = e.array("data_offsets");
    if (offsets.size() != 2) {
      throw e.error("data_offsets must be [begin, end] but is " + JsonFields.describe(offsets));
    }
    long begin = offset(e, offsets.get(0));
    long end = offset(e, offsets.get(1));
    if (begin > end || end > dataLength) {
      throw e.error("data_offsets [" + begin + ", " + end + "] are not inside the data section of "
          + dataLength + " bytes");
    }
    if (count * Float.BYTES != end - begin) {
      throw e.error("shape " + Arrays.toString(shape) + " needs " + count * Float.BYTES
          + " bytes of F32 but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
    }
    return new TensorEntry(name, shape, begin, end);
  }

  private static long offset(JsonFields e, JsonNode v) {
    if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
      throw e.error("data_offsets must be non-negative integers but hold "
          + JsonFields.describe(v));
    }
    return v.longValue();
  }

  private static void checkTiling(Path file, List<TensorEntry> entries, long dataLength) {
    List<TensorEntry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
    long expected = 0;
    TensorEntry previous = null;
    for (TensorEntry t : sorted) {
      if (t.begin() < expected) {
        throw new ModelFileException(file, "tensor '" + t.name() + "' [" + t.begin() + ", "
            + t.end() + ") overlaps tensor '" + previous.name() + "' [" + previous.begin() + ", "
            + previous.end() + ")");
      }
      if (t.begin() > expected) {
        throw new ModelFileException(file, "the data section has a hole at bytes [" + expected
            + ", " + t.begin() + ") before tensor '" + t.name() + "'");
      }
      expected = t.end();
      previous = t;
    }
    if (expected != dataLength) {
      throw new ModelFileException(file, "the data section has " + dataLength + " bytes but the"
          + " tensors cover " + expected + " (" + (dataLength - expected) + " unindexed bytes at"
          + " the end)");
    }
  }
}
