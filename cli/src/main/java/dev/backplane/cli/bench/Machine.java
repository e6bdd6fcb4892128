package dev.backplane.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The machine a benchmark ran on, as the table's caption states it: cores, CPU model, clock,
 * JVM, load average, and the nominal fp32 peak {@code cores × clock × 32 FLOP/cycle} (two 8-wide
 * FMA units per core; a core that runs AVX-512 FMAs on two ports can reach twice that).
 *
 * @param cores processors available to the JVM
 * @param cpuModel {@code model name} from {@code /proc/cpuinfo}, or {@code os.arch}
 * @param mhz the clock in MHz from {@code /proc/cpuinfo}'s {@code cpu MHz}, 0 when unknown
 * @param jvm vendor, name and version of the running JVM
 * @param loadAverage {@code /proc/loadavg}'s first three fields, or {@code "n/a"}
 * @param avx512 whether {@code /proc/cpuinfo}'s flags include {@code avx512f}
 */
public record Machine(int cores, String cpuModel, double mhz, String jvm, String loadAverage,
    boolean avx512) {
  /** FLOP per cycle per core assumed for the peak. */
  public static final int FLOP_PER_CYCLE = 32;

  /** Describes this machine now. */
  public static Machine current() {
    String model = System.getProperty("os.arch");
    double mhz = 0;
    boolean avx512 = false;
    for (String line : lines(Path.of("/proc/cpuinfo"))) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String key = line.substring(0, colon).trim();
      String value = line.substring(colon + 1).trim();
      if (key.equals("model name") && model.equals(System.getProperty("os.arch"))) {
        model = value;
      } else if (key.equals("flags")) {
        avx512 |= (" " + value + " ").contains(" avx512f ");
      } else if (key.equals("cpu MHz") && mhz == 0) {
        try {
          mhz = Double.parseDouble(value);
        } catch (NumberFormatException e) {
          mhz = 0;
        }
      }
    }
    List<String> load = lines(Path.of("/proc/loadavg"));
    String loadAverage = "n/a";
    if (!load.isEmpty()) {
      String[] f = load.get(0).trim().split("\\s+");
      loadAverage = f.length >= 3 ? f[0] + " " + f[1] + " " + f[2] : load.get(0).trim();
    }
    String jvm = System.getProperty("java.vm.vendor") + " " + System.getProperty("java.vm.name")
        + " " + System.getProperty("java.vm.version");
    return new Machine(Runtime.getRuntime().availableProcessors(), model, mhz, jvm, loadAverage,
        avx512);
  }

  private static List<String> lines(Path p) {
    try {
      return Files.readAllLines(p);
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }

  /** The nominal fp32 peak in GFLOP/s for {@code cores} cores, or NaN when the clock is unknown. */
  public double peakGflops(int usedCores) {
    return mhz > 0 ? usedCores * mhz / 1000 * FLOP_PER_CYCLE : Double.NaN;
  }

  /** How the peak is computed, with the numbers, e.g. {@code 2 cores x 2.300 GHz x 32 ...}. */
  public String peakFormula(int usedCores) {
    return String.format(Locale.ROOT, "%d %s x %.3f GHz (/proc/cpuinfo cpu MHz) x %d FLOP/cycle"
        + " = %.1f GFLOP/s", usedCores, usedCores == 1 ? "core" : "cores", mhz / 1000,
        FLOP_PER_CYCLE, peakGflops(usedCores));
  }

  /**
   * Why a measured rate may exceed the nominal peak: empty unless the CPU has AVX-512, whose
   * cores may have two 16-wide FMA units (64 FLOP/cycle, twice the nominal figure), and whose
   * clock may boost above {@code cpu MHz}.
   */
  public String peakNote() {
    return !avx512 ? "" : "this CPU reports avx512f: a core with two 512-bit FMA units does 64"
        + " FLOP/cycle, twice the figure above, and may clock above cpu MHz";
  }

  /** One line for captions: cores, CPU, clock, JVM, load. */
  public String describe() {
    return String.format(Locale.ROOT, "%d cores, %s @ %.0f MHz, %s; load average %s", cores,
        cpuModel, mhz, jvm, loadAverage);
  }
}
