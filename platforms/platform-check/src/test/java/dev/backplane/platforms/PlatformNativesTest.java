package dev.backplane.platforms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The natives each supported platform gets. Only jar directories and the first bytes of native
 * libraries are read; nothing is loaded, so a cross build (-Djavacpp.platform=macosx-arm64 on
 * Linux) is checked as well as a host build.
 */
class PlatformNativesTest {

  /** A JavaCPP platform directory or classifier: linux-x86_64, macosx-arm64, windows-x86, ... */
  private static final Pattern PLATFORM = Pattern.compile(
      "(?:linux|macosx|windows|android|ios)-(?:x86_64|x86|arm64|armhf|arm|ppc64le|riscv64)");

  /** A native library entry: .so, .so.N, .dylib, .dll, .jnilib. */
  private static final Pattern NATIVE = Pattern.compile(".*\\.(?:so(?:\\.\\d+)*|dylib|dll|jnilib)");

  /**
   * Runtime libraries a native jar carries but its own libraries do not link, built for another
   * CPU: OpenBLAS 0.3.28-1.5.11's macosx-arm64 jar ships the x86_64 GCC runtime (libgfortran,
   * libquadmath, libgcc_s) while its arm64 libopenblas and libjniopenblas link only libSystem and
   * libc++ (checked below, so a newer OpenBLAS that does link them fails here).
   */
  private static final Pattern UNLINKED_FOREIGN_RUNTIME = Pattern.compile(
      "org/bytedeco/openblas/macosx-arm64/lib(gfortran|quadmath|gcc_s)[.0-9]*\\.dylib");

  /** JNA: one jar with natives for every OS, in JNA's own platform names; not JavaCPP's. */
  private static final String JNA = "com/sun/jna/";

  /** Where each artifact keeps its natives, and the JNI library every platform must have. */
  enum Natives {
    TENSORFLOW("tensorflow-core-native", "org/tensorflow/internal/c_api/", "jnitensorflow"),
    OPENBLAS("openblas", "org/bytedeco/openblas/", "jniopenblas"),
    JAVACPP("javacpp", "org/bytedeco/javacpp/", "jnijavacpp");

    final String artifactId;
    final String dir;
    final String jniLibrary;

    Natives(String artifactId, String dir, String jniLibrary) {
      this.artifactId = artifactId;
      this.dir = dir;
      this.jniLibrary = jniLibrary;
    }

    String jniEntry(String platform) {
      return dir + platform + "/" + libraryFileName(platform, jniLibrary);
    }
  }

  static List<String> platforms() {
    return Arrays.stream(property("backplane.platforms").split(","))
        .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toList());
  }

  static Stream<String> supportedPlatforms() {
    return platforms().stream();
  }

  /**
   * The platform flavours on this module's test class path resolved every platform's natives
   * from the repository; each jar holds that platform's JNI libraries, built for its OS and CPU,
   * and no other platform's.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("supportedPlatforms")
  void everySupportedPlatformsNativesResolveAndMatchIt(String platform) throws IOException {
    for (Natives natives : Natives.values()) {
      URL url = getClass().getClassLoader().getResource(natives.jniEntry(platform));
      assertThat(url).as("%s on the class path of the platform flavours", natives.jniEntry(platform))
          .isNotNull();
      assertThat(url.getProtocol()).isEqualTo("jar");
      Path jar = jarOf(url);
      assertThat(jar.getFileName().toString())
          .as("the jar holding %s", natives.jniEntry(platform))
          .startsWith(natives.artifactId + "-").endsWith("-" + platform + ".jar");
      checkJar(jar, platform, natives);
    }
  }

  /**
   * The host-* and javacpp-platform-* profiles of the parent pom and both platform flavours name
   * exactly backplane.platforms: a platform added to one is added to all.
   */
  @Test
  void profilesAndPlatformFlavoursCoverTheSamePlatforms() throws Exception {
    Set<String> expected = new TreeSet<>(platforms());
    Path root = Paths.get(property("backplane.root"));
    Document parent = parse(root.resolve("pom.xml"));

    Set<String> hosts = new TreeSet<>();
    Set<String> overrides = new TreeSet<>();
    NodeList profiles = parent.getElementsByTagName("profile");
    for (int i = 0; i < profiles.getLength(); i++) {
      Element profile = (Element) profiles.item(i);
      String id = text(profile, "id");
      if (id.startsWith("host-")) {
        String set = text(profile, "javacpp.platform");
        assertThat(id).isEqualTo("host-" + set);
        assertThat(profile.getElementsByTagName("os").getLength()).as(id).isEqualTo(1);
        assertThat(text(profile, "djl.platform")).as(id + " djl.platform").isNotEmpty();
        hosts.add(set);
      } else if (id.startsWith("javacpp-platform-")) {
        String value = text((Element) profile.getElementsByTagName("property").item(0), "value");
        assertThat(id).isEqualTo("javacpp-platform-" + value);
        assertThat(text(profile, "djl.platform")).as(id + " djl.platform").isNotEmpty();
        overrides.add(value);
      }
    }
    assertThat(hosts).as("host-* profiles").isEqualTo(expected);
    assertThat(overrides).as("javacpp-platform-* profiles").isEqualTo(expected);

    Path platformsDir = root.resolve("platforms");
    assertThat(classifiers(platformsDir.resolve("backend-tf-java-platform/pom.xml"),
        "tensorflow-core-native")).as("backplane-backend-tf-java-platform").isEqualTo(expected);
    for (String artifactId : List.of("openblas", "javacpp")) {
      assertThat(classifiers(platformsDir.resolve("backend-cpu-accelerate-platform/pom.xml"),
          artifactId)).as("backplane-backend-cpu-accelerate-platform: " + artifactId)
          .isEqualTo(expected);
    }
  }

  /**
   * The CLI distribution that package built (cli/target/lib) holds the TensorFlow, OpenBLAS and
   * JavaCPP natives of javacpp.platform (of every platform with -Pall-platforms) and no others.
   * Skipped before package (./mvnw test).
   */
  @Test
  void distributionHoldsTheNativesOfItsPlatformsOnly() throws IOException {
    Path lib = Paths.get(property("backplane.root"), "cli", "target", "lib");
    assumeTrue(Files.isDirectory(lib), "no " + lib + " yet: it is built in the package phase");
    String dist = System.getProperty("backplane.dist.platforms", "");
    Set<String> expected = new TreeSet<>(dist.isBlank()
        ? List.of(property("javacpp.platform")) : Arrays.asList(dist.split(",")));
    assertThat(expected).isSubsetOf(platforms());

    List<Path> jars;
    try (Stream<Path> files = Files.list(lib)) {
      jars = files.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
    }
    Set<String> found = new TreeSet<>();
    List<String> strays = new ArrayList<>();
    for (Path jar : jars) {
      String name = jar.getFileName().toString();
      Matcher m = PLATFORM.matcher(name);
      while (m.find()) {
        if (!expected.contains(m.group())) {
          strays.add(name);
        }
      }
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
          String entry = e.nextElement().getName();
          if (!NATIVE.matcher(entry).matches()) {
            continue;
          }
          if (entry.startsWith(JNA)) {
            continue;
          }
          for (String segment : entry.split("/")) {
            if (PLATFORM.matcher(segment).matches()) {
              if (expected.contains(segment)) {
                found.add(segment);
              } else {
                strays.add(name + "!/" + entry);
              }
            }
          }
        }
      }
    }
    assertThat(strays).as("natives of other platforms than %s in %s", expected, lib).isEmpty();
    assertThat(found).isEqualTo(expected);
    for (String platform : expected) {
      for (Natives natives : Natives.values()) {
        String version = property(natives.name().equals("TENSORFLOW") ? "tensorflow.version"
            : natives.artifactId + ".version");
        Path jar = lib.resolve(natives.artifactId + "-" + version + "-" + platform + ".jar");
        assertThat(jar).as("%s natives for %s in the distribution", natives.artifactId, platform)
            .isRegularFile();
        checkJar(jar, platform, natives);
      }
    }
  }

  /**
   * The jar holds the platform's JNI library; all its natives lie in the platform's directory
   * and are built for its OS and CPU, but for UNLINKED_FOREIGN_RUNTIME, which no library of the
   * jar may name.
   */
  private static void checkJar(Path jar, String platform, Natives natives) throws IOException {
    int checked = 0;
    List<String> unlinked = new ArrayList<>();
    List<ZipEntry> own = new ArrayList<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      assertThat(zip.getEntry(natives.jniEntry(platform))).as("%s in %s",
          natives.jniEntry(platform), jar).isNotNull();
      for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
        ZipEntry entry = e.nextElement();
        if (entry.isDirectory() || !NATIVE.matcher(entry.getName()).matches()) {
          continue;
        }
        assertThat(entry.getName()).as("a native library in %s", jar)
            .startsWith(natives.dir + platform + "/");
        byte[] head;
        try (InputStream in = zip.getInputStream(entry)) {
          head = in.readNBytes(4096);
        }
        Matcher foreign = UNLINKED_FOREIGN_RUNTIME.matcher(entry.getName());
        if (foreign.matches()) {
          unlinked.add("lib" + foreign.group(1));
          continue;
        }
        assertThat(binaryPlatform(head)).as("%s!/%s", jar.getFileName(), entry.getName())
            .isEqualTo(platform);
        own.add(entry);
        checked++;
      }
      for (ZipEntry entry : unlinked.isEmpty() ? List.<ZipEntry>of() : own) {
        String text;
        try (InputStream in = zip.getInputStream(entry)) {
          text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
        for (String name : unlinked) {
          assertThat(text).as("%s!/%s links %s, which the jar has for another CPU only",
              jar.getFileName(), entry.getName(), name).doesNotContain(name + ".");
        }
      }
    }
    assertThat(checked).as("native libraries in %s", jar).isPositive();
  }

  /**
   * The JavaCPP platform an ELF, Mach-O (thin or universal, taken as arm64 if it has an arm64
   * slice) or PE binary is built for, from its header; "unknown ..." otherwise.
   */
  static String binaryPlatform(byte[] head) {
    ByteBuffer le = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
    ByteBuffer be = ByteBuffer.wrap(head).order(ByteOrder.BIG_ENDIAN);
    if (head.length >= 20 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') {
      String bits = head[4] == 2 ? "" : "32-bit ";
      switch (le.getShort(18)) {
        case 62: return bits + "linux-x86_64";
        case 183: return bits + "linux-arm64";
        default: return "unknown ELF machine " + le.getShort(18);
      }
    }
    if (head.length >= 8 && le.getInt(0) == 0xfeedfacf) {
      return macho(le.getInt(4));
    }
    if (head.length >= 8 && be.getInt(0) == 0xcafebabe) {
      int n = be.getInt(4);
      List<String> slices = new ArrayList<>();
      for (int i = 0; i < n && 8 + 20 * i + 4 <= head.length; i++) {
        slices.add(macho(be.getInt(8 + 20 * i)));
      }
      return slices.contains("macosx-arm64") ? "macosx-arm64" : "universal " + slices;
    }
    if (head.length >= 64 && head[0] == 'M' && head[1] == 'Z') {
      int pe = le.getInt(0x3c);
      if (pe > 0 && pe + 6 <= head.length && le.getInt(pe) == 0x00004550) {
        switch (le.getShort(pe + 4) & 0xffff) {
          case 0x8664: return "windows-x86_64";
          case 0xaa64: return "windows-arm64";
          case 0x014c: return "windows-x86";
          default: return "unknown PE machine " + Integer.toHexString(le.getShort(pe + 4));
        }
      }
    }
    return "unknown binary format";
  }

  private static String macho(int cpuType) {
    switch (cpuType) {
      case 0x0100000c: return "macosx-arm64";
      case 0x01000007: return "macosx-x86_64";
      default: return "unknown Mach-O cpu " + Integer.toHexString(cpuType);
    }
  }

  /** lib{name}.so, lib{name}.dylib or {name}.dll. */
  static String libraryFileName(String platform, String name) {
    if (platform.startsWith("windows-")) {
      return name + ".dll";
    }
    return "lib" + name + (platform.startsWith("macosx-") ? ".dylib" : ".so");
  }

  private static Path jarOf(URL url) throws IOException {
    JarURLConnection connection = (JarURLConnection) url.openConnection();
    connection.setUseCaches(false);
    try {
      return Paths.get(connection.getJarFileURL().toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IOException(e);
    }
  }

  /** The classifiers of every dependency on artifactId in a pom. */
  private static Set<String> classifiers(Path pom, String artifactId) throws Exception {
    Set<String> result = new TreeSet<>();
    NodeList deps = parse(pom).getElementsByTagName("dependency");
    for (int i = 0; i < deps.getLength(); i++) {
      Element dep = (Element) deps.item(i);
      if (artifactId.equals(text(dep, "artifactId")) && !text(dep, "classifier").isEmpty()) {
        result.add(text(dep, "classifier"));
      }
    }
    return result;
  }

  private static Document parse(Path pom) throws Exception {
    return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
  }

  private static String text(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
  }

  private static String property(String key) {
    String value = System.getProperty(key);
    assertThat(value).as("system property %s (set by the pom)", key).isNotBlank();
    return value;
  }
}
