package dev.backplane.benchmarks;

import dev.backplane.cli.bench.AccelerateGemmRunner;
import dev.backplane.cli.bench.BackplaneBackend;
import dev.backplane.cli.bench.BackplaneRunner;
import dev.backplane.cli.bench.BackplaneSpiRunner;
import dev.backplane.cli.bench.GemmRunner;
import dev.backplane.cli.bench.MlpRunner;
import dev.backplane.cli.bench.MlpTask;
import dev.backplane.config.BackplaneConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Opens runners by name: Backplane's backends through the user API ({@code accelerate},
 * {@code accelerate-java}, {@code tf-java}), the SPI diagnostic {@code tf-java-spi}, the peers
 * ({@code tf-graph}, {@code djl-pytorch}), and for gemm {@code accelerate},
 * {@code accelerate-buffers}, {@code accelerate-java} and the peer {@code openblas}. In a run, a
 * runner that cannot start here is left out with a note (on standard error and in the legend),
 * never silently.
 */
final class Runners {
  /** Training and predict runners, in table order. */
  static final List<String> MLP = List.of("accelerate", "accelerate-java", "accelerate-auto",
      "tf-java",
      "tf-java-spi", TfGraphMlp.NAME, DjlMlp.NAME);
  /** Gemm runners, in table order. */
  static final List<String> GEMM = List.of("accelerate", "accelerate-buffers", "accelerate-java",
      OpenBlasDirect.NAME);

  private final BackplaneConfig base;
  private final Predicate<String> wanted;
  private final PrintStream log;
  private final Map<String, String> legend = new LinkedHashMap<>();

  /**
   * @param base configuration the Backplane runners start from ({@code backplane.*} properties)
   * @param wanted which runner names to open
   * @param log where notes go
   */
  Runners(BackplaneConfig base, Predicate<String> wanted, PrintStream log) {
    this.base = base;
    this.wanted = wanted;
    this.log = log;
  }

  /**
   * Opens one training or predict runner.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  static MlpRunner openMlp(String name, BackplaneConfig base, MlpTask task, int threads) {
    return switch (name) {
      case "accelerate", "accelerate-java", "accelerate-auto", "tf-java" -> BackplaneRunner.open(
          BackplaneBackend.of(name, null), base, threads, task);
      case "tf-java-spi" -> BackplaneSpiRunner.open(BackplaneBackend.TF_JAVA, base, threads, task);
      case TfGraphMlp.NAME -> new TfGraphMlp(task, threads);
      case DjlMlp.NAME -> new DjlMlp(task, threads);
      default -> throw new IllegalArgumentException("Unknown runner '" + name + "'. Expected one"
          + " of " + String.join(" | ", MLP));
    };
  }

  /**
   * Opens one gemm runner.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  static GemmRunner openGemm(String name, BackplaneConfig base, int threads) {
    return switch (name) {
      case "accelerate" -> AccelerateGemmRunner.open(BackplaneBackend.ACCELERATE, base, threads,
          false);
      case "accelerate-buffers" -> AccelerateGemmRunner.open(BackplaneBackend.ACCELERATE, base,
          threads, true);
      case "accelerate-java" -> AccelerateGemmRunner.open(BackplaneBackend.ACCELERATE_JAVA, base,
          threads, false);
      case OpenBlasDirect.NAME -> new OpenBlasDirect(threads);
      default -> throw new IllegalArgumentException("Unknown gemm runner '" + name + "'. Expected"
          + " one of " + String.join(" | ", GEMM));
    };
  }

  /** What each runner computes with, by {@code name (threads N)}, in first-seen order. */
  Map<String, String> legend() {
    return legend;
  }

  /**
   * The wanted training or predict runners for {@code task}.
   *
   * @param spi whether {@code tf-java-spi} may be among them
   */
  List<MlpRunner> mlp(MlpTask task, int threads, boolean spi) {
    List<MlpRunner> list = new ArrayList<>();
    for (String name : MLP) {
      if (spi || !name.endsWith("-spi")) {
        add(list, name, threads, () -> openMlp(name, base, task, threads));
      }
    }
    return list;
  }

  /** The wanted gemm runners. */
  List<GemmRunner> gemm(int threads) {
    List<GemmRunner> list = new ArrayList<>();
    for (String name : GEMM) {
      add(list, name, threads, () -> openGemm(name, base, threads));
    }
    return list;
  }

  private <T> void add(List<T> list, String name, int threads, Supplier<T> open) {
    if (!wanted.test(name)) {
      return;
    }
    String key = name + " (threads " + threads + ")";
    try {
      T runner = open.get();
      list.add(runner);
      String what = runner instanceof MlpRunner m ? m.describe() : ((GemmRunner) runner).describe();
      legend.putIfAbsent(key, what);
    } catch (RuntimeException | LinkageError e) {
      String why = "not run here: " + e;
      legend.putIfAbsent(key, why);
      log.println("benchmarks: " + name + " " + why);
    }
  }
}
