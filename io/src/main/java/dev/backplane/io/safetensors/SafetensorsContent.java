package dev.backplane.io.safetensors;

import dev.backplane.spi.NamedArray;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a safetensors file holds: float32 arrays in file-header order and the free-form
 * {@code __metadata__} map of strings.
 *
 * @param arrays the tensors, names unique; never {@code null}
 * @param metadata the {@code __metadata__} entries (empty when absent); never {@code null}
 */
public record SafetensorsContent(List<NamedArray> arrays, Map<String, String> metadata) {
  /** Copies both collections; the metadata keeps its order. */
  public SafetensorsContent {
    arrays = List.copyOf(Objects.requireNonNull(arrays, "arrays"));
    metadata = Collections.unmodifiableMap(
        new LinkedHashMap<>(Objects.requireNonNull(metadata, "metadata")));
  }

  /** The array with this name, if any. */
  public Optional<NamedArray> array(String name) {
    return arrays.stream().filter(a -> a.name().equals(name)).findFirst();
  }
}
