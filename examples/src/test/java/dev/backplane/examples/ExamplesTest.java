package dev.backplane.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.model.History;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's examples run and learn. */
class ExamplesTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theQuickStartLearnsItsRule() {
    Map<String, Double> result = QuickStart.run(out);
    assertThat(result.get("accuracy")).isGreaterThan(0.9);
    assertThat(printed()).contains("Placement (preference: ").contains("Epoch 10/10")
        .contains("trained 10 epochs; evaluate: {loss=");
  }

  @Test
  void theFunctionalModelWithASkipConnectionLearnsItsRule() {
    Map<String, Double> result = FunctionalModelExample.run(out);
    assertThat(result.get("accuracy")).isGreaterThan(0.8);
    assertThat(printed()).contains("Connected to").contains("add");
  }

  @Test
  void theCustomLayerAndLossTrainOnTheOpSet() {
    History history = CustomLayerExample.run(out);
    List<Double> loss = history.get("loss");
    assertThat(loss).hasSize(8);
    assertThat(loss.get(7)).isLessThan(loss.get(0) / 4);
    assertThat(printed()).contains("huber loss per epoch: [");
  }
}
