package dev.backplane;

import dev.backplane.config.Fallback;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What Backplane does when a device cannot run a model's work: the one rule that placement (no
 * preferred device is usable), compile (the placed backend refuses the model) and the step and
 * inference guards (a running device faults) all consult.
 *
 * <ul>
 *   <li>Which devices are guarded: every device but the reference CPU backend's. Their work is
 *       checked (canary at placement, deadlines, finite results and audits while running); the
 *       reference has nothing to fall back to.
 *   <li>Where work moves: under {@code backplane.fallback=cpu}, to the first READY CPU device
 *       other than the failing one, in provider priority order; under {@code none}, nowhere: the
 *       fault is an error that ends with {@link #strictAdvice}.
 * </ul>
 *
 * <p>Obtained from {@link Backplane#failoverPolicy(Fallback)}; immutable, thread-safe.
 */
public final class FailoverPolicy {
  private final Fallback mode;
  private final Predicate<Device> reference;
  private final Supplier<List<DeviceInfo>> devices;

  FailoverPolicy(Fallback mode, Predicate<Device> reference,
      Supplier<List<DeviceInfo>> devices) {
    this.mode = Objects.requireNonNull(mode, "mode");
    this.reference = reference;
    this.devices = devices;
  }

  /** The fallback mode in force ({@code backplane.fallback} or the compile option). */
  public Fallback mode() {
    return mode;
  }

  /** Whether work may move to another device ({@code backplane.fallback=cpu}). */
  public boolean allowsFallback() {
    return mode == Fallback.CPU;
  }

  /** Whether work on this device is guarded: it is not the reference CPU backend's. */
  public boolean guards(Device device) {
    return !reference.test(device);
  }

  /**
   * The device work moves to from {@code failing}: the first READY CPU device other than it, in
   * provider priority order; empty under {@code backplane.fallback=none} or when there is none.
   *
   * @param failing the device that cannot run the work, or {@code null} before placement chose
   *     one
   */
  public Optional<DeviceInfo> fallbackFor(Device failing) {
    return allowsFallback() ? firstReadyCpu(devices.get(), failing) : Optional.empty();
  }

  /**
   * The first READY CPU device of {@code candidates} other than {@code except}: where this
   * policy sends work, applied to a given device list (placement's, before probing finished).
   */
  public static Optional<DeviceInfo> firstReadyCpu(List<DeviceInfo> candidates, Device except) {
    for (DeviceInfo d : candidates) {
      if (!d.device().equals(except) && d.device().type().equals(DeviceType.CPU)
          && d.status() == DeviceStatus.READY) {
        return Optional.of(d);
      }
    }
    return Optional.empty();
  }

  /**
   * The sentence a strict-mode error ends with, e.g. {@code backplane.fallback=none, so training
   * stops instead of moving to the CPU; set backplane.fallback=cpu to fail over}.
   *
   * @param instead what happens instead of moving, e.g. "training stops"
   */
  public String strictAdvice(String instead) {
    return "backplane.fallback=none, so " + instead + "; set backplane.fallback=cpu to fail over";
  }
}
