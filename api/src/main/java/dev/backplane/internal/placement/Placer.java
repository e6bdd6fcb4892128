package dev.backplane.internal.placement;

import dev.backplane.Backplane;
import dev.backplane.Candidate.Verdict;
import dev.backplane.Candidate;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.Placement;
import dev.backplane.PlacementException;
import dev.backplane.config.Fallback;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Chooses a device from an ordered preference list and the probed devices, and explains every
 * candidate. Pure logic over values: no probing, no I/O.
 */
public final class Placer {
  private Placer() {}

  /**
   * @param preferences tokens: {@code backend:type:index}, {@code backend:type}, {@code backend},
   *     or a device type ({@code cpu}, {@code gpu}); empty means every device by priority
   * @param devices every probed device, in provider priority order
   * @param backendIds the known backend ids
   */
  public static Placement place(List<String> preferences, Fallback fallback, List<DeviceInfo> devices,
      Set<String> backendIds) {
    List<Candidate> candidates = new ArrayList<>();
    DeviceInfo chosen = null;
    Map<Device, Boolean> ordered = new LinkedHashMap<>();
    if (preferences.isEmpty()) {
      devices.forEach(d -> ordered.putIfAbsent(d.device(), false));
    } else {
      for (String token : preferences) {
        boolean named = backendIds.contains(token.split(":")[0]);
        for (DeviceInfo d : devices) {
          if (matches(token, d.device(), backendIds)) {
            ordered.merge(d.device(), named, (a, b) -> a || b);
          }
        }
      }
    }
    Map<Device, DeviceInfo> byDevice = new LinkedHashMap<>();
    devices.forEach(d -> byDevice.put(d.device(), d));
    for (Map.Entry<Device, Boolean> e : ordered.entrySet()) {
      DeviceInfo info = byDevice.get(e.getKey());
      if (chosen != null) {
        candidates.add(new Candidate(info, Verdict.NOT_NEEDED, "an earlier preference is usable"));
      } else if (!info.status().usable()) {
        candidates.add(new Candidate(info, Verdict.REJECTED, info.status() + ": " + info.detail()));
      } else if (info.status() == DeviceStatus.EXPERIMENTAL && !e.getValue()) {
        candidates.add(new Candidate(info, Verdict.REJECTED, "EXPERIMENTAL: chosen only when"
            + " its backend is named in backplane.backend or backplane.device"));
      } else {
        chosen = info;
        candidates.add(new Candidate(info, Verdict.CHOSEN, info.status() + ": " + info.detail()));
      }
    }
    if (chosen == null && preferences.isEmpty() && devices.isEmpty()) {
      throw new PlacementException("No devices were found.");
    }
    if (chosen == null) {
      if (fallback == Fallback.NONE) {
        throw new PlacementException("No preferred device is usable and backplane.fallback=none,"
            + " so Backplane does not fall back to the CPU. Set backplane.fallback=cpu to allow"
            + " it, or fix the devices below.\n"
            + new Placement(null, preferences, fallback, candidates).explain());
      }
      chosen = dev.backplane.FailoverPolicy.firstReadyCpu(devices, null).orElse(null);
      if (chosen != null) {
        String why = preferences.isEmpty() ? "no device is usable by priority"
            : "no preferred device is usable";
        candidates.add(new Candidate(chosen, Verdict.FALLBACK, why + " (backplane.fallback=cpu); "
            + chosen.status() + ": " + chosen.detail()));
      }
      if (chosen == null) {
        throw new PlacementException("No usable device: no preferred device is usable and no CPU"
            + " device is READY to fall back to. Add dev.backplane:backplane-backend-cpu-accelerate"
            + " to the class path.\n" + new Placement(null, preferences, fallback, candidates).explain());
      }
    }
    return new Placement(chosen, preferences, fallback, candidates);
  }

  /** Whether a preference token names this device. */
  public static boolean matches(String token, Device device, Set<String> backendIds) {
    String[] parts = token.split(":");
    if (parts.length == 1 && !backendIds.contains(parts[0])) {
      return device.type().name().equals(parts[0]);
    }
    if (!device.backend().equals(parts[0])) {
      return false;
    }
    if (parts.length >= 2 && !device.type().name().equals(parts[1])) {
      return false;
    }
    return parts.length < 3 || Integer.toString(device.index()).equals(parts[2]);
  }

  /**
   * Checks a token's form and backend id.
   *
   * @return a problem description, or {@code null} if the token is valid
   */
  public static String checkToken(String token, Set<String> backendIds) {
    String[] parts = token.split(":", -1);
    String known = "known backends: " + String.join(", ", backendIds)
        + "; device types: cpu, gpu";
    if (parts.length > 3 || token.isBlank()) {
      return "'" + token + "' is not a device name; expected backend, backend:type,"
          + " backend:type:index or a device type (" + known + ")";
    }
    if (parts.length == 1) {
      if (backendIds.contains(token) || token.equals("cpu") || token.equals("gpu")) {
        return null;
      }
      return "unknown backend or device type '" + token + "' (" + known + ")";
    }
    if (!backendIds.contains(parts[0])) {
      return "unknown backend id '" + parts[0] + "' in '" + token + "' (" + known + ")";
    }
    if (parts.length == 3 && !parts[2].matches("\\d+")) {
      return "device index '" + parts[2] + "' in '" + token + "' is not a number";
    }
    return null;
  }
}
