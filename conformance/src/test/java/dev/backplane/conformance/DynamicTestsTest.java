package dev.backplane.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.backplane.conformance.javaref.Fault;
import dev.backplane.conformance.javaref.JavaRefProvider;
import dev.backplane.spi.Backend;
import dev.backplane.spi.BackendContext;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** How JUnit sees the kit's dynamic tests: pass, fail, abort; the backend closed at the end. */
class DynamicTestsTest {
  static final AtomicInteger OPENS = new AtomicInteger();
  static final AtomicInteger CLOSES = new AtomicInteger();

  /** A backend with a wrong relu gradient and no gelu, counting opens and closes. */
  static final class Counting extends JavaRefProvider {
    Counting() {
      super("counting", Fault.RELU_GRADIENT, Fault.UNSUPPORTED_GELU);
    }

    @Override
    public Backend open(BackendContext context) {
      OPENS.incrementAndGet();
      Backend b = super.open(context);
      return new Backend() {
        @Override
        public String id() {
          return b.id();
        }

        @Override
        public java.util.List<dev.backplane.DeviceInfo> devices() {
          return b.devices();
        }

        @Override
        public dev.backplane.spi.Executable compile(dev.backplane.spi.ModelSpec spec,
            dev.backplane.Device device) {
          return b.compile(spec, device);
        }

        @Override
        public void close() {
          CLOSES.incrementAndGet();
          b.close();
        }
      };
    }
  }

  /** Run by the launcher below, which lifts the {@code @Disabled} that keeps Surefire off it. */
  @Disabled("run by DynamicTestsTest through the JUnit launcher")
  static class Sample {
    @TestFactory
    Stream<DynamicNode> conformance() {
      return Conformance.of(new Counting()).reference(new JavaRefProvider())
          .only("forward/relu", "forward/gelu", "gradient/relu").dynamicTests();
    }
  }

  @Test
  void passesFailuresAndSkipsBecomeJUnitOutcomesAndTheBackendIsClosed() {
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(Sample.class))
        .configurationParameter("junit.jupiter.conditions.deactivate",
            "org.junit.*DisabledCondition")
        .build(), listener);
    TestExecutionSummary s = listener.getSummary();

    assertThat(s.getTestsSucceededCount()).isEqualTo(1);
    assertThat(s.getTestsFailedCount()).isEqualTo(1);
    assertThat(s.getTestsAbortedCount()).isEqualTo(1);
    assertThat(s.getFailures()).singleElement().satisfies(f -> {
      assertThat(f.getTestIdentifier().getDisplayName()).isEqualTo("gradient/relu");
      assertThat(f.getException()).hasMessageStartingWith("gradient/relu on counting:cpu:0:"
          + " deviation ");
    });
    assertThat(OPENS.get()).isEqualTo(1);
    assertThat(CLOSES.get()).isEqualTo(1);
  }
}
