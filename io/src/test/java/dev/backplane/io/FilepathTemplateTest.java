package dev.backplane.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FilepathTemplateTest {
  private static final Map<String, Double> LOGS = new LinkedHashMap<>();

  static {
    LOGS.put("loss", 0.000123456);
    LOGS.put("accuracy", 0.75);
    LOGS.put("val_loss", 0.123456789);
  }

  private static String format(String template, int epoch) {
    return new FilepathTemplate(template).format(epoch, LOGS);
  }

  @Test
  void formatsLikePythonStrFormat() {
    assertThat(format("ckpt/weights.{epoch:02d}-{val_loss:.2f}.safetensors", 3))
        .isEqualTo("ckpt/weights.03-0.12.safetensors");
    assertThat(format("{epoch}_{val_loss:.4f}", 12)).isEqualTo("12_0.1235");
    assertThat(format("{loss:.2e}", 1)).isEqualTo("1.23e-04");
    assertThat(format("{accuracy}", 1)).isEqualTo("0.75");
    assertThat(format("{epoch:03d}-{accuracy:08.3f}", 7)).isEqualTo("007-0000.750");
    assertThat(format("{{epoch}}-{epoch:4d}", 5)).isEqualTo("{epoch}-   5");
    assertThat(format("plain.safetensors", 5)).isEqualTo("plain.safetensors");
  }

  @Test
  void rejectsBadTemplatesWhenCreated() {
    assertThatThrownBy(() -> new FilepathTemplate("m-{val_loss:x}.st"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Bad field at position 2 of"
            + " filepath 'm-{val_loss:x}.st': expected {name} or {name:spec} with spec [0][width]"
            + "[.precision][d|f|e], e.g. {epoch:02d} or {val_loss:.4f}");
    assertThatThrownBy(() -> new FilepathTemplate("m-{epoch")).hasMessageContaining(
        "Bad field at position 2");
    assertThatThrownBy(() -> new FilepathTemplate("m}")).hasMessage("Single '}' at position 1"
        + " of filepath 'm}'; write '}}' for a literal brace");
    assertThatThrownBy(() -> new FilepathTemplate("{loss:02d}")).hasMessage("Format 'd' in"
        + " filepath '{loss:02d}' is only for {epoch}, without a precision; use e.g."
        + " {loss:.4f}");
  }

  @Test
  void anUnknownKeyNamesTheAvailableOnes() {
    assertThatThrownBy(() -> format("m-{val_accuracy:.2f}", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Failed to format checkpoint"
            + " filepath 'm-{val_accuracy:.2f}': no 'val_accuracy' in the logs; available:"
            + " epoch, loss, accuracy, val_loss");
  }
}
