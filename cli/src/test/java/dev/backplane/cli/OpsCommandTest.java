package dev.backplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backplane.ops.Op;
import dev.backplane.ops.OpSet;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpsCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private PrintStream oldOut;

  @BeforeEach
  void capture() {
    oldOut = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(oldOut);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void textListsEveryOpWithItsDocAndEachBackendsSupport() {
    assertThat(Main.run("ops")).isZero();
    String text = out();
    String[] lines = text.split("\n");
    assertThat(lines[0]).startsWith("OP").contains("FAMILY", "SIGNATURE", "SEMANTICS",
        "GRADIENT", "ACCELERATE", "METAL");
    for (Op op : OpSet.all()) {
      assertThat(text).contains(op.doc().signature()).contains(op.doc().semantics());
    }
    String matmul = java.util.Arrays.stream(lines).filter(l -> l.startsWith("matmul "))
        .findFirst().orElseThrow();
    assertThat(matmul).contains("linear algebra", "matmul(a, b; transpose_a, transpose_b)");
    assertThat(matmul).containsAnyOf("yes", "no", "unavailable");
  }

  @Test
  void aBackendThatCannotOpenIsUnavailableWithItsReason() {
    assertThat(Main.run("ops")).isZero();
    String os = System.getProperty("os.name");
    if (os.equals("Linux")) {
      assertThat(out()).contains("backend metal: unavailable: ");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void jsonHasOneObjectPerOpWithTheDocumentedFields() {
    assertThat(Main.run("ops", "--json")).isZero();
    Object parsed = new MiniJson(out().trim()).parse();
    List<Object> rows = (List<Object>) parsed;
    assertThat(rows).hasSize(OpSet.all().size());
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> row = (Map<String, Object>) rows.get(i);
      Op op = OpSet.all().get(i);
      assertThat(row.keySet()).containsExactly("op", "family", "signature", "semantics",
          "gradient", "backends");
      assertThat(row.get("op")).isEqualTo(op.name());
      assertThat(row.get("family")).isEqualTo(op.doc().family());
      assertThat(row.get("signature")).isEqualTo(op.doc().signature());
      assertThat(row.get("semantics")).isEqualTo(op.doc().semantics());
      assertThat(row.get("gradient")).isEqualTo(op.doc().gradient());
      Map<String, Object> backends = (Map<String, Object>) row.get("backends");
      assertThat(backends).containsKey("accelerate");
      assertThat(backends.get("accelerate")).isInstanceOf(Boolean.class);
      for (Object v : backends.values()) {
        assertThat(v == null || v instanceof Boolean).isTrue();
      }
    }
  }

  @Test
  void markdownIsTheReadmeTable() {
    assertThat(Main.run("ops", "--markdown")).isZero();
    String[] lines = out().trim().split("\n");
    assertThat(lines[0]).isEqualTo("| op | family | signature | semantics | gradient |");
    assertThat(lines[1]).isEqualTo("|---|---|---|---|---|");
    assertThat(lines).hasSize(2 + OpSet.all().size());
    assertThat(out()).contains("| `abs` | elementwise | `abs(x)` | \\|x\\|; shape of x |");
  }

  @Test
  void opsHasHelp() {
    assertThat(Main.run("ops", "--help")).isZero();
    assertThat(out()).contains("Usage: backplane ops");
  }

  /** A minimal JSON parser for the test: objects, arrays, strings, numbers, booleans, null. */
  private static final class MiniJson {
    private final String s;
    private int i;

    MiniJson(String s) {
      this.s = s;
    }

    Object parse() {
      Object v = value();
      ws();
      if (i != s.length()) {
        throw new IllegalArgumentException("trailing text at " + i);
      }
      return v;
    }

    private void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private Object value() {
      ws();
      char c = s.charAt(i);
      if (c == '{') {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (s.charAt(i) == '}') {
          i++;
          return m;
        }
        while (true) {
          ws();
          String k = string();
          ws();
          expect(':');
          m.put(k, value());
          ws();
          if (s.charAt(i) == ',') {
            i++;
          } else {
            expect('}');
            return m;
          }
        }
      }
      if (c == '[') {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (s.charAt(i) == ']') {
          i++;
          return l;
        }
        while (true) {
          l.add(value());
          ws();
          if (s.charAt(i) == ',') {
            i++;
          } else {
            expect(']');
            return l;
          }
        }
      }
      if (c == '"') {
        return string();
      }
      for (String lit : new String[] {"true", "false", "null"}) {
        if (s.startsWith(lit, i)) {
          i += lit.length();
          return lit.equals("null") ? null : Boolean.valueOf(lit);
        }
      }
      int start = i;
      while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      return Double.valueOf(s.substring(start, i));
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          char e = s.charAt(i++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
              i += 4;
            }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
    }

    private void expect(char c) {
      if (s.charAt(i) != c) {
        throw new IllegalArgumentException("expected '" + c + "' at " + i + ": "
            + s.substring(i, Math.min(s.length(), i + 20)));
      }
      i++;
    }
  }
}
