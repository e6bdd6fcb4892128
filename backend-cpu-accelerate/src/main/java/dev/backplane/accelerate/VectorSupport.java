package dev.backplane.accelerate;

/**
 * Whether this JVM has the Vector API, so that {@link VectorGemm} can load. Refers to no class of
 * {@code jdk.incubator.vector} itself: safe to load in any JVM.
 */
final class VectorSupport {
  /** The incubating module of the Vector API in JDK 17. */
  static final String MODULE = "jdk.incubator.vector";
  /** The JVM option that adds it, for messages. */
  static final String OPTION = "--add-modules " + MODULE;
  private static final boolean PRESENT = ModuleLayer.boot().findModule(MODULE).isPresent();

  private VectorSupport() {}

  /**
   * Whether the module is in the boot layer (the JVM was started with {@value #OPTION}); checked
   * once per JVM.
   */
  static boolean present() {
    return PRESENT;
  }
}
