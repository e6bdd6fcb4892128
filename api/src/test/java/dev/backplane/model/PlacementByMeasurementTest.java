package dev.backplane.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backplane.Backplane;
import dev.backplane.Candidate;
import dev.backplane.Device;
import dev.backplane.DeviceInfo;
import dev.backplane.DeviceStatus;
import dev.backplane.DeviceType;
import dev.backplane.Placement;
import dev.backplane.PlacementException;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import dev.backplane.spi.BackendProvider;
import dev.backplane.spi.Executable;
import dev.backplane.spi.InterpreterExecutable;
import dev.backplane.spi.Probe;
import dev.backplane.tensor.Tensor;
import dev.backplane.testing.SimpleBackend;
import dev.backplane.testing.TestBackplanes;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@code backplane.placement=fastest} and {@code backplane.memory.limit} with fake devices whose
 * steps take scripted times on a fake clock: no wall-clock assertion anywhere.
 */
class PlacementByMeasurementTest {
  private final AtomicLong clock = new AtomicLong();

  /** A device whose every training step advances the fake clock by {@code nanosPerStep}. */
  final class Scripted implements BackendProvider {
    final String id;
    final int priority;
    final long nanosPerStep;
    final DeviceType type;
    final AtomicInteger steps = new AtomicInteger();
    /** What the probe says the device's memory is. */
    long memory = DeviceInfo.UNKNOWN_MEMORY;

    Scripted(String id, int priority, long nanosPerStep, DeviceType type) {
      this.id = id;
      this.priority = priority;
      this.nanosPerStep = nanosPerStep;
      this.type = type;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public int priority() {
      return priority;
    }

    @Override
    public boolean servesAsReference() {
      return type.equals(DeviceType.CPU);
    }

    @Override
    public DeviceType deviceType() {
      return type;
    }

    private List<DeviceInfo> devices() {
      return List.of(new DeviceInfo(Device.of(id, type, 0), DeviceStatus.READY, "scripted",
          memory));
    }

    @Override
    public Probe probe(BackendContext context) {
      return new Probe(devices());
    }

    @Override
    public Backend open(BackendContext context) {
      return new SimpleBackend(id, devices(), (spec, device) -> new Timed(
          new InterpreterExecutable(spec, device), this));
    }
  }

  final class Timed extends dev.backplane.testing.ForwardingExecutable {
    private final Scripted owner;

    Timed(Executable inner, Scripted owner) {
      super(inner);
      this.owner = owner;
    }

    @Override
    public double trainStep(Tensor x, Tensor y, float[] outputs) {
      owner.steps.incrementAndGet();
      clock.addAndGet(owner.nanosPerStep);
      return inner.trainStep(x, y, outputs);
    }
  }

  private Backplane backplane(String placement, String limit, Scripted... providers) {
    List<String> keys = new java.util.ArrayList<>(List.of("backplane.canary", "off",
        "backplane.placement", placement));
    if (limit != null) {
      keys.addAll(List.of("backplane.memory.limit", limit));
    }
    Backplane.Builder b = Backplane.builder().serviceLoader(false).nanoClock(clock::get)
        .config(TestBackplanes.config(keys.toArray(String[]::new)));
    for (Scripted p : providers) {
      b.addProvider(p);
    }
    return b.build();
  }

  private static Sequential model() {
    return new Sequential(new int[] {4}, new Dense(8, "relu"), new Dense(1, "sigmoid"));
  }

  private static CompileOptions options(Backplane bp) {
    return CompileOptions.builder().optimizer("adam").loss("binary_crossentropy").backplane(bp)
        .build();
  }

  @Test
  void fastestPicksTheFasterDeviceAndSaysWhyTheOtherLost() {
    Scripted gpu = new Scripted("slowgpu", 200, 2_900_000, DeviceType.GPU);
    Scripted cpu = new Scripted("fastcpu", 100, 1_100_000, DeviceType.CPU);
    try (Backplane bp = backplane("fastest", null, gpu, cpu); Sequential m = model()) {
      m.compile(options(bp));
      assertThat(m.device().backend()).isEqualTo("fastcpu");
      Placement p = m.placement();
      assertThat(p.explain()).contains("fastcpu:cpu:0", "fastest: 1.100 ms/step at batch 32")
          .contains("2.900 ms/step, slower than fastcpu:cpu:0 at 1.100 ms/step");
      assertThat(p.candidates()).extracting(Candidate::verdict)
          .contains(Candidate.Verdict.CHOSEN, Candidate.Verdict.REJECTED);
    }
  }

  @Test
  void whenTheAcceleratorIsFasterItWins() {
    Scripted gpu = new Scripted("quickgpu", 200, 300_000, DeviceType.GPU);
    Scripted cpu = new Scripted("slowcpu", 100, 1_100_000, DeviceType.CPU);
    try (Backplane bp = backplane("fastest", null, gpu, cpu); Sequential m = model()) {
      m.compile(options(bp));
      assertThat(m.device().backend()).isEqualTo("quickgpu");
      assertThat(m.placement().explain()).contains("0.300 ms/step").contains("1.100 ms/step");
    }
  }

  @Test
  void priorityMeasuresNothing() {
    Scripted gpu = new Scripted("slowgpu", 200, 2_900_000, DeviceType.GPU);
    Scripted cpu = new Scripted("fastcpu", 100, 1_100_000, DeviceType.CPU);
    try (Backplane bp = backplane("priority", null, gpu, cpu); Sequential m = model()) {
      m.compile(options(bp));
      assertThat(m.device().backend()).isEqualTo("slowgpu");
      assertThat(gpu.steps.get() + cpu.steps.get()).isZero();
    }
  }

  @Test
  void aModelOverTheMemoryLimitIsRejectedWithTheNumbers() {
    Scripted gpu = new Scripted("gpu1", 200, 1, DeviceType.GPU);
    Scripted cpu = new Scripted("cpu1", 100, 1, DeviceType.CPU);
    try (Backplane bp = backplane("priority", "1k", gpu, cpu); Sequential m = model()) {
      Placement p = m.place(options(bp));
      assertThat(p.device().backend()).isEqualTo("cpu1");
      assertThat(p.explain()).contains("gpu1:gpu:0").contains("more than backplane.memory.limit"
          + " 1.0 KB").contains("batch size");
      assertThat(m.isCompiled()).isFalse();
    }
    try (Backplane bp = backplane("priority", "1k", gpu, cpu); Sequential m = model()) {
      CompileOptions strict = CompileOptions.builder().optimizer("adam")
          .loss("binary_crossentropy").backplane(bp).fallback(dev.backplane.config.Fallback.NONE)
          .build();
      assertThatThrownBy(() -> m.compile(strict)).isInstanceOf(PlacementException.class)
          .hasMessageContaining("No device can hold model").hasMessageContaining("needs about");
    }
  }

  @Test
  void aDeviceWhoseMemoryCannotHoldTheModelIsRejectedWithBothNumbersByDefault() {
    Scripted gpu = new Scripted("gpu1", 200, 1, DeviceType.GPU);
    Scripted cpu = new Scripted("cpu1", 100, 1, DeviceType.CPU);
    try (Backplane bp = backplane("priority", null, gpu, cpu); Sequential m = model()) {
      // Room for the model at batch 4 but not at the placement's batch of 32.
      gpu.memory = m.estimateMemory(options(bp), 4);
      assertThat(m.estimateMemory(options(bp), 32)).isGreaterThan(gpu.memory);
    }
    try (Backplane bp = backplane("priority", null, gpu, cpu); Sequential m = model()) {
      Placement p = m.place(options(bp));
      assertThat(p.device().backend()).isEqualTo("cpu1");
      assertThat(p.explain()).containsPattern("gpu1:gpu:0  rejected  needs about [0-9.]+ KB at"
          + " batch 32, more than gpu1:gpu:0's memory [0-9.]+ KB; batch size 4 would fit");
      assertThat(gpu.steps.get()).isZero();
    }
  }

  @Test
  void whenNotEvenTheCpuCanHoldTheModelPlacementFailsWithTheNumbers() {
    Scripted gpu = new Scripted("gpu1", 200, 1, DeviceType.GPU);
    gpu.memory = 1024;
    Scripted cpu = new Scripted("cpu1", 100, 1, DeviceType.CPU);
    cpu.memory = 1024;
    try (Backplane bp = backplane("priority", null, gpu, cpu); Sequential m = model()) {
      assertThatThrownBy(() -> m.compile(options(bp))).isInstanceOf(PlacementException.class)
          .hasMessageStartingWith("No device can hold model 'sequential'.")
          .hasMessageContaining("more than gpu1:gpu:0's memory")
          .hasMessageContaining("more than cpu1:cpu:0's memory");
      assertThat(m.isCompiled()).isFalse();
    }
  }

  @Test
  void aCpuWithoutAProbedSizeIsMeasuredAgainstTheHostsPhysicalMemory() {
    Scripted cpu = new Scripted("cpu1", 100, 1, DeviceType.CPU);
    DeviceInfo info = new DeviceInfo(Device.cpu("cpu1", 0), DeviceStatus.READY, "scripted");
    long host = PlacementPlanner.capacity(info);
    assertThat(host).isEqualTo(dev.backplane.internal.placement.HostMemory.physicalBytes())
        .isGreaterThan(1L << 26);
    assertThat(PlacementPlanner.capacity(info.withMemory(5000))).isEqualTo(5000);
    assertThat(PlacementPlanner.capacity(new DeviceInfo(Device.gpu("g", 0), DeviceStatus.READY,
        "no size"))).isEqualTo(-1);
    try (Backplane bp = backplane("priority", null, cpu); Sequential m = model()) {
      assertThat(m.place(options(bp)).device().backend()).isEqualTo("cpu1");
    }
  }

  @Test
  void theEstimateGrowsWithTheBatch() {
    Scripted cpu = new Scripted("cpu1", 100, 1, DeviceType.CPU);
    try (Backplane bp = backplane("priority", null, cpu); Sequential m = model()) {
      long small = m.estimateMemory(options(bp), 1);
      long big = m.estimateMemory(options(bp), 101);
      // Weights (4·8+8+8+1 = 49), Adam's two slots: 147 values before any activation.
      assertThat(small).isGreaterThan(147L * 4);
      assertThat(big - small).isEqualTo(100 * ((big - small) / 100));
      assertThat(big).isGreaterThan(small);
    }
  }
}
