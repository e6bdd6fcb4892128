package dev.backplane.internal.trust;

import dev.backplane.Backplane;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.CoreKeys;
import dev.backplane.internal.placement.DeviceProber;
import dev.backplane.internal.placement.ProviderDiscovery;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The main class of a child probe process ({@code backplane.probe.isolation=process}); not for
 * direct use. Arguments: {@code probe <backend id>} or {@code canary <device>}, then the class
 * names of the providers to instantiate (public, no-argument constructors). The configuration
 * arrives as {@code -Dbackplane.*} options. It prints one protocol line per result on stdout
 * ({@code BACKPLANE-DEVICE}, {@code BACKPLANE-CANARY}, {@code BACKPLANE-ERROR}) and halts, so
 * no hung thread keeps it alive.
 */
public final class ProbeChild {
  /** Prefix of every protocol line. */
  public static final String PREFIX = "BACKPLANE-";
  /** System property set in child processes only. */
  public static final String CHILD_PROPERTY = "dev.backplane.child";
  public static final String DEVICE = PREFIX + "DEVICE ";
  public static final String CANARY = PREFIX + "CANARY ";
  public static final String ERROR = PREFIX + "ERROR ";

  private ProbeChild() {}

  /**
   * Runs one probe or canary and halts with 0 (or 3 after an error it could report).
   *
   * @param args {@code probe|canary}, the backend id or device, provider class names
   */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    int code = 0;
    try {
      if (args.length < 3) {
        throw new IllegalArgumentException("usage: probe|canary <id|device> <provider class>...");
      }
      BackplaneConfig config = BackplaneConfig.builder().environment(Map.of())
          .classpathFile(false).set(CoreKeys.PROBE_ISOLATION, "none")
          .set(CoreKeys.PROBE_CACHE, "0").build();
      Backplane.Builder builder = Backplane.builder().serviceLoader(false).config(config);
      for (String name : Arrays.asList(args).subList(2, args.length)) {
        builder.addProvider(instantiate(name));
      }
      try (Backplane backplane = builder.build()) {
        if (args[0].equals("probe")) {
          BackendProvider p = backplane.provider(args[1]).orElseThrow();
          List<DeviceInfo> devices = DeviceProber.probe(p,
              new BackendContext(config, false, backplane::openReference),
              config.get(CoreKeys.PROBE_TIMEOUT));
          devices.forEach(d -> out.println(DEVICE + Wire.encode(d)));
        } else {
          Canary.Verdict v = Canary.run(backplane, Device.parse(args[1]));
          out.println(CANARY + v.word() + "\t" + Wire.escape(v.detail()));
        }
      }
    } catch (Throwable e) {
      out.println(ERROR + Wire.escape(ProviderDiscovery.describe(e)));
      code = 3;
    }
    out.flush();
    Runtime.getRuntime().halt(code);
  }

  public static BackendProvider instantiate(String className) throws ReflectiveOperationException {
    Class<?> c = Class.forName(className, true, ProbeChild.class.getClassLoader());
    return (BackendProvider) c.getConstructor().newInstance();
  }
}
