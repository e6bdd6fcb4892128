package dev.backplane.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The one JSON parser of this module, configured for untrusted input. Files are read into a plain
 * {@link JsonNode} tree, never bound to classes: no polymorphic typing, no class name taken from
 * a file. Duplicate keys, trailing content, deep nesting, huge numbers or strings, and documents
 * over {@value #MAX_DOCUMENT} bytes or {@value #MAX_TOKENS} tokens are errors, found while
 * streaming (Jackson's {@link StreamReadConstraints}), before the tree grows; a parse that still
 * runs out of memory or stack is a {@link ModelFileException} too.
 */
public final class SafeJson {
  /** Deepest nesting accepted; real model configs stay far below it. */
  static final int MAX_NESTING = 64;
  /** Longest single string value accepted, in characters. */
  static final int MAX_STRING = 64 << 20;
  /** Largest document accepted, in bytes (the safetensors header limit). */
  static final long MAX_DOCUMENT = 100L << 20;
  /**
   * Most tokens (values, brackets, names) in a config document, which bounds the nodes of the
   * tree: a million tokens of empty arrays take about 30 MB of heap, and a config of
   * {@code ModelConfig.MAX_LAYERS} layers at up to 100 tokens each stays below it.
   */
  static final long MAX_TOKENS = 1_000_000;
  /**
   * Most tokens in a safetensors header ({@link #parseHeader}): about 14 a tensor, so up to
   * about 140 000 tensors.
   */
  static final long MAX_HEADER_TOKENS = 2_000_000;

  private static final ObjectMapper MAPPER = mapper(MAX_TOKENS);
  private static final ObjectMapper HEADER_MAPPER = mapper(MAX_HEADER_TOKENS);

  private static ObjectMapper mapper(long maxTokens) {
    return JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING)
                .maxNumberLength(100)
                .maxStringLength(MAX_STRING)
                .maxDocumentLength(MAX_DOCUMENT)
                .maxTokenCount(maxTokens)
                .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  private SafeJson() {}

  /** The shared mapper, for writing trees and for tests; never {@code null}. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Parses JSON text into a tree.
   *
   * @param file the file the text came from, for the message
   * @param what what the text is, e.g. {@code "safetensors header"}
   * @throws ModelFileException naming the file, the part and the parser's complaint
   */
  public static JsonNode parse(Path file, String what, byte[] json) {
    return ModelFileException.guard(file, () -> parse(MAPPER, file, what, json));
  }

  /**
   * Parses a safetensors header, which may hold up to {@value #MAX_HEADER_TOKENS} tokens; see
   * {@link #parse}.
   */
  public static JsonNode parseHeader(Path file, String what, byte[] json) {
    return ModelFileException.guard(file, () -> parse(HEADER_MAPPER, file, what, json));
  }

  private static JsonNode parse(ObjectMapper mapper, Path file, String what, byte[] json) {
    try {
      JsonNode node = mapper.readTree(json);
      if (node == null || node.isMissingNode()) {
        throw new ModelFileException(file, what + " is empty");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ModelFileException(file, what + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new ModelFileException(file, "cannot read the " + what + ": " + e, e);
    }
  }

  /** Parses a JSON string (e.g. a metadata value or an HDF5 attribute); see {@link #parse}. */
  public static JsonNode parse(Path file, String what, String json) {
    return parse(file, what, json.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes a tree compactly as a string. */
  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write JSON", e);
    }
  }
}
