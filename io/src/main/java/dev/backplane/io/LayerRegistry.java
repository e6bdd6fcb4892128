package dev.backplane.io;

import dev.backplane.model.Layer;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Custom layers by name, so models that use them can be saved and loaded with
 * {@link ModelFiles} (Keras's {@code register_keras_serializable} / {@code custom_objects}).
 *
 * <pre>{@code
 * LayerRegistry.register("Scale",
 *     layer -> Map.of("units", ((Scale) layer).units()),
 *     (name, config) -> new Scale(((Number) config.get("units")).intValue(), name));
 * }</pre>
 *
 * <p>A layer is saved under its {@link Layer#kerasClass()}: {@code {"class_name": "Scale",
 * "config": {"name": "scale", ...encoder's map...}}}. Loading looks the class name up here and
 * calls the decoder with the layer's name and the rest of the config; a file naming a class that
 * is neither built in nor registered is a {@link ModelFileException} naming the class. Nothing
 * named in a file is ever instantiated by reflection: only the decoders registered here run.
 *
 * <p>Registrations are global and thread-safe; register before loading (e.g. in a static
 * initializer of the layer class's package). Built-in class names cannot be registered.
 */
public final class LayerRegistry {
  private static final Map<String, Entry> ENTRIES = new ConcurrentHashMap<>();

  private LayerRegistry() {}

  /** Gives a custom layer's configuration, without its name, as a JSON-able map. */
  @FunctionalInterface
  public interface Encoder {
    /**
     * The layer's options: values may be {@code null}, strings, numbers, booleans, lists and
     * maps of these; the key {@code name} is reserved.
     */
    Map<String, ?> encode(Layer layer);
  }

  /** Builds a custom layer from what its {@link Encoder} wrote. */
  @FunctionalInterface
  public interface Decoder {
    /**
     * @param name the layer's name in the file
     * @param config the encoder's map as read back from JSON: strings, {@code Integer},
     *     {@code Long} or {@code Double} numbers, booleans, lists, maps and {@code null}
     * @return the layer, named {@code name}
     * @throws IllegalArgumentException (or any runtime exception) for a config it cannot use;
     *     reported as a {@link ModelFileException} naming the layer
     */
    Layer decode(String name, Map<String, Object> config);
  }

  record Entry(Encoder encoder, Decoder decoder) {}

  /**
   * Registers (or replaces) a custom layer class.
   *
   * @param className the layer's {@link Layer#kerasClass()}, as written in files
   * @throws IllegalArgumentException for an empty or built-in class name
   */
  public static void register(String className, Encoder encoder, Decoder decoder) {
    Objects.requireNonNull(className, "className");
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(decoder, "decoder");
    if (className.isBlank()) {
      throw new IllegalArgumentException("A layer class name must not be empty");
    }
    if (LayerCodec.CLASSES.contains(className)) {
      throw new IllegalArgumentException("'" + className + "' is a built-in layer class and"
          + " cannot be registered");
    }
    ENTRIES.put(className, new Entry(encoder, decoder));
  }

  /** Removes a registration; returns whether there was one. */
  public static boolean unregister(String className) {
    return ENTRIES.remove(className) != null;
  }

  /** Whether a custom layer class is registered. */
  public static boolean isRegistered(String className) {
    return ENTRIES.containsKey(className);
  }

  /** The registered custom layer classes, sorted. */
  public static Set<String> registered() {
    return new TreeSet<>(ENTRIES.keySet());
  }

  static Entry lookup(String className) {
    return ENTRIES.get(className);
  }

  /** How to register a class, for messages. */
  static String howTo(String className) {
    return "register it before loading with LayerRegistry.register(\"" + className
        + "\", encoder, decoder); the built-in classes are " + List.copyOf(LayerCodec.CLASSES)
        + (ENTRIES.isEmpty() ? "" : " and the registered ones " + registered());
  }
}
