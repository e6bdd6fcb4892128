package dev.backplane.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Seeded mutations of a valid file for fuzz tests: byte flips, truncations, forged length
 * fields, appended garbage and edits of the numbers and strings inside a JSON header (so that
 * mutants get past the JSON parser and exercise the validation behind it).
 */
final class Mutator {
  private static final List<String> NASTY_NUMBERS = List.of("-1", "0", "1", "3", "7", "255",
      "65536", "2147483647", "2147483648", "4294967296", "9223372036854775807",
      "99999999999999999999", "1e308", "-0.0", "0.5", "NaN");
  private static final List<String> NASTY_STRINGS = List.of("", "Conv2D", "F16", "relu6",
      "__metadata__", "dense/kernel", "optimizer/dense/kernel/m", "java.lang.Runtime", "\\u0000",
      "backplane.weights", "2", "sgd", "x".repeat(300));
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
  private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final Random random;

  Mutator(long seed) {
    random = new Random(seed);
  }

  /** One mutant of {@code valid}, and a label saying what was done. */
  Mutant mutate(byte[] valid, int headerStart, int headerEnd) {
    byte[] b = valid.clone();
    switch (random.nextInt(7)) {
      case 0: {
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
          b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return new Mutant("flip " + flips + " bits", b);
      }
      case 1: {
        int length = random.nextInt(b.length);
        return new Mutant("truncate to " + length, Arrays.copyOf(b, length));
      }
      case 2: {
        int extra = 1 + random.nextInt(64);
        byte[] longer = Arrays.copyOf(b, b.length + extra);
        for (int i = b.length; i < longer.length; i++) {
          longer[i] = (byte) random.nextInt(256);
        }
        return new Mutant("append " + extra + " bytes", longer);
      }
      case 3: {
        long length = random.nextBoolean() ? random.nextLong()
            : headerEnd - headerStart + random.nextInt(17) - 8;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
        return new Mutant("header length " + length, b);
      }
      default: {
        String header = new String(b, headerStart, headerEnd - headerStart,
            StandardCharsets.UTF_8);
        String edited = editJson(header);
        byte[] json = edited.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(b.length - (headerEnd - headerStart) + json.length)
            .order(ByteOrder.LITTLE_ENDIAN);
        out.put(b, 0, headerStart);
        if (headerStart == 8) {
          out.putLong(0, json.length);
        }
        out.put(json).put(b, headerEnd, b.length - headerEnd);
        return new Mutant("edit JSON", out.array());
      }
    }
  }

  /**
   * A mutant of a binary file without a JSON header (HDF5, zip): bit flips, truncation,
   * appended garbage, or random bytes overwritten.
   */
  Mutant mutateBinary(byte[] valid) {
    if (random.nextInt(4) == 0) {
      byte[] b = valid.clone();
      int writes = 1 + random.nextInt(4);
      StringBuilder at = new StringBuilder();
      for (int i = 0; i < writes; i++) {
        int pos = random.nextInt(b.length);
        b[pos] = (byte) random.nextInt(256);
        at.append(' ').append(pos);
      }
      return new Mutant("overwrite bytes at" + at, b);
    }
    while (true) {
      Mutant m = mutate(valid, 0, 1);
      if (!m.label().equals("edit JSON") && !m.label().startsWith("header length")) {
        return m;
      }
    }
  }

  /** A random element. */
  <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  /** Replaces a random number or string token, or deletes a random character. */
  String editJson(String json) {
    int kind = random.nextInt(3);
    if (kind == 2) {
      int at = random.nextInt(json.length());
      return json.substring(0, at) + json.substring(at + 1);
    }
    Matcher m = (kind == 0 ? NUMBER : STRING).matcher(json);
    List<int[]> spans = m.results().map(r -> new int[] {r.start(), r.end()}).toList();
    if (spans.isEmpty()) {
      return json;
    }
    int[] span = spans.get(random.nextInt(spans.size()));
    String replacement = kind == 0 ? NASTY_NUMBERS.get(random.nextInt(NASTY_NUMBERS.size()))
        : "\"" + NASTY_STRINGS.get(random.nextInt(NASTY_STRINGS.size())) + "\"";
    if (kind == 1 && json.charAt(span[0]) == '"' && span[0] > 0
        && json.charAt(span[0] - 1) == '\\') {
      return json; // inside an escaped JSON string; skip
    }
    return json.substring(0, span[0]) + replacement + json.substring(span[1]);
  }

  /**
   * A mutated file.
   *
   * @param label what was done, for failure messages
   * @param bytes the content
   */
  record Mutant(String label, byte[] bytes) {}
}
