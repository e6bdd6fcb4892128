package dev.backplane.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The runnable in its smallest form: one workload, two runners, one round, JSON out. */
class BenchMainTest {
  @Test
  void quickJsonRowsCarryTheRatioToTheBestPeer() {
    String[] args = {"--quick", "--json", "--threads", "1", "--workload", "seed-mlp",
        "--runner", "accelerate,tf-graph", "--warmup", "0", "--repetitions", "1"};
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream old = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = new CommandLine(new BenchMain(args)).execute(args);
    } finally {
      System.setOut(old);
    }
    assertThat(code).isZero();
    String number = "[\\d.e+-]+";
    String row = "\\{\"workload\":\"seed-mlp\",\"runner\":\"%s\",\"threads\":1,\"unit\":\"ms\","
        + "\"median\":" + number + ",\"min\":" + number + ",\"max\":" + number
        + ",\"repetitions\":1,\"ratioToBestPeer\":%s}";
    assertThat(out.toString(StandardCharsets.UTF_8).trim()).matches("\\[\\n  "
        + String.format(row, "accelerate", number) + ",\\n  "
        + String.format(row, "tf-graph", "1\\.00000") + "\\n]");
  }
}
