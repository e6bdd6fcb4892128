package dev.backplane.cli;

import dev.backplane.Backplane;
import dev.backplane.Candidate;
import dev.backplane.Placement;
import dev.backplane.config.CoreKeys;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code backplane place}: where a model would run, without training it: every candidate with
 * its status, measured step time ({@code --placement fastest}) and the estimated memory.
 */
@Command(name = "place", mixinStandardHelpOptions = true,
    description = "Show where a model would be placed and why, without training it.")
final class PlaceCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Option(names = "--model", defaultValue = "reference",
      description = "reference (default), separable, residual or custom")
  String modelName;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Batch size to time and size the model at (backplane.placement.batch-size)")
  String batchSize;

  @Option(names = "--placement", paramLabel = "POLICY",
      description = "priority or fastest (backplane.placement; default: as configured)")
  String placement;

  @Option(names = "--json", description = "One JSON object: the choice and the candidates")
  boolean json;

  @Override
  public Integer call() {
    if (batchSize != null) {
      config.properties.put("backplane.placement.batch-size", batchSize);
    }
    if (placement != null) {
      config.properties.put("backplane.placement", placement);
    }
    PrintStream out = System.out;
    try (Backplane backplane = config.backplane()) {
      long seed = backplane.config().get(CoreKeys.SEED);
      TrainModels.Job job = TrainModels.create(modelName, seed);
      int batch = backplane.config().get(CoreKeys.PLACEMENT_BATCH);
      var options = job.options().backplane(backplane).build();
      Placement p = job.model().place(options);
      long bytes = job.model().estimateMemory(options, batch);
      if (json) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("model", modelName);
        o.put("placement", backplane.config().get(CoreKeys.PLACEMENT));
        o.put("batchSize", batch);
        o.put("estimatedBytes", bytes);
        o.put("chosen", p.device().toString());
        List<Object> rows = new ArrayList<>();
        for (Candidate c : p.candidates()) {
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("device", c.device().toString());
          r.put("status", c.info().status().name());
          r.put("verdict", c.verdict().name().toLowerCase(Locale.ROOT));
          r.put("reason", c.reason());
          rows.add(r);
        }
        o.put("candidates", rows);
        out.println(Json.write(o));
      } else {
        out.printf(Locale.ROOT, "Model '%s': about %.1f MB per training step at batch %d"
            + " (weights, optimizer state and every intermediate)%n", modelName,
            bytes / (1024.0 * 1024.0), batch);
        out.println(p.explain());
        out.println("Chosen: " + p.device());
      }
    }
    return 0;
  }
}
