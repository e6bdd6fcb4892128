package dev.backplane.conformance.scenarios;

import dev.backplane.Backplane;
import dev.backplane.BackplaneException;
import dev.backplane.DeviceInfo;
import dev.backplane.config.BackplaneConfig;
import dev.backplane.config.Fallback;
import dev.backplane.model.CompileOptions;
import dev.backplane.model.Dense;
import dev.backplane.model.FitOptions;
import dev.backplane.model.History;
import dev.backplane.model.Sequential;
import dev.backplane.spi.BackendProvider;
import dev.backplane.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/**
 * Runs inside an isolated class loader: builds a Backplane from what ServiceLoader finds there
 * and reports what a user would see, as plain JDK values (strings, lists, numbers) that cross
 * class loaders.
 */
public final class ScenarioProbe implements Callable<Map<String, Object>> {
  @Override
  public Map<String, Object> call() {
    Map<String, Object> facts = new LinkedHashMap<>();
    BackplaneConfig config = BackplaneConfig.builder().systemProperties(new Properties())
        .environment(Map.of()).classpathFile(false).set("backplane.probe.cache", "0").build();
    try (Backplane bp = Backplane.builder().config(config)
        .classLoader(getClass().getClassLoader()).build()) {
      facts.put("summary", bp.summaryLine());
      List<String> providers = new ArrayList<>();
      for (BackendProvider p : bp.providers()) {
        providers.add(p.id() + ":" + p.priority());
      }
      facts.put("providers", providers);
      facts.put("problems", bp.discoveryProblems());
      List<DeviceInfo> devices;
      try {
        devices = bp.devices();
      } catch (BackplaneException e) {
        facts.put("error", e.getClass().getName() + ": " + e.getMessage());
        return facts;
      }
      List<String> listed = new ArrayList<>();
      for (DeviceInfo d : devices) {
        listed.add(d.device() + " " + d.status());
        if (!d.status().usable()) {
          try {
            var p = bp.place(List.of(d.device().toString()), Fallback.CPU);
            facts.put("fallback " + d.device(), p.device() + "\n" + p.explain());
          } catch (BackplaneException e) {
            facts.put("fallback " + d.device(), "error: " + e.getMessage());
          }
        }
      }
      facts.put("devices", listed);
      facts.put("placed", bp.place().device().toString());
      facts.put("loss", train(bp));
    }
    return facts;
  }

  private static double train(Backplane bp) {
    int n = 64;
    float[] x = new float[n * 10];
    float[] y = new float[n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 10; j++) {
        x[i * 10 + j] = (float) Math.sin(i * 10 + j);
      }
      y[i] = x[i * 10] > 0 ? 1 : 0;
    }
    try (Sequential model = new Sequential(new int[] {10}, new Dense(128, "relu"),
        new Dense(1, "sigmoid"))) {
      model.compile(CompileOptions.builder().optimizer("adam").loss("binary_crossentropy")
          .backplane(bp).build());
      History h = model.fit(Tensor.wrap(x, n, 10), Tensor.wrap(y, n, 1),
          FitOptions.builder().epochs(1).batchSize(32).verbose(0).build());
      return h.last("loss");
    }
  }
}
