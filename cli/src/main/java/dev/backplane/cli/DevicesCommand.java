package dev.backplane.cli;

import dev.backplane.Backplane;
import dev.backplane.DeviceInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code backplane devices}: every backend and device with status and detail. */
@Command(name = "devices", mixinStandardHelpOptions = true,
    description = "List every backend's devices with their status.")
final class DevicesCommand implements Callable<Integer> {
  @Mixin
  ConfigOptions config;

  @Option(names = "--json", description = "Print JSON for machines")
  boolean json;

  @Option(names = "--refresh", description = "Probe again, ignoring cached probe and canary"
      + " verdicts (backplane.probe.cache)")
  boolean refresh;

  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (Backplane backplane = config.backplane()) {
      if (refresh) {
        backplane.refresh();
      }
      List<DeviceInfo> devices = backplane.devices();
      if (json) {
        List<Object> rows = new ArrayList<>();
        for (DeviceInfo d : devices) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("id", d.device().toString());
          row.put("backend", d.device().backend());
          row.put("type", d.device().type().name());
          row.put("status", d.status().name());
          row.put("detail", d.detail());
          rows.add(row);
        }
        out.println(Json.write(rows));
      } else {
        out.println(table(devices));
        for (DeviceInfo d : devices) {
          backplane.cachedVerdict(d.device()).ifPresent(at -> out.println(d.device()
              + ": verdict from the cache, made " + age(at) + " ago (backplane.probe.cache);"
              + " devices --refresh checks again"));
        }
        out.println(backplane.summaryLine());
        for (String p : backplane.discoveryProblems()) {
          out.println("warning: " + p);
        }
      }
    }
    out.flush();
    return 0;
  }

  private static String age(java.time.Instant at) {
    long s = Math.max(0, java.time.Duration.between(at, java.time.Instant.now()).getSeconds());
    return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s / 3600 + "h";
  }

  static String table(List<DeviceInfo> devices) {
    int id = "DEVICE".length();
    int status = "STATUS".length();
    for (DeviceInfo d : devices) {
      id = Math.max(id, d.device().toString().length());
      status = Math.max(status, d.status().name().length());
    }
    String fmt = "%-" + id + "s  %-5s  %-" + status + "s  %s";
    StringBuilder b = new StringBuilder(String.format(fmt, "DEVICE", "TYPE", "STATUS", "DETAIL"));
    for (DeviceInfo d : devices) {
      b.append('\n').append(String.format(fmt, d.device(), d.device().type(), d.status(),
          d.detail()));
    }
    return b.toString();
  }
}
