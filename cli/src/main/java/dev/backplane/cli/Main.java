package dev.backplane.cli;

import dev.backplane.BackplaneException;
import dev.backplane.config.ConfigException;
import dev.backplane.io.ModelFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code backplane}: list devices, train the reference model, run benchmarks, run saved models.
 * Exit codes: 0 ok, 2 usage or configuration error (including a model or input file that is
 * corrupt or unsupported), 1 runtime failure.
 */
@Command(name = "backplane", mixinStandardHelpOptions = true, version = "backplane 0.1.0",
    description = "Train Keras-style models on the best device this machine has.",
    subcommands = {DevicesCommand.class, TrainCommand.class, BenchCommand.class,
        PredictCommand.class, ConformanceCommand.class, OpsCommand.class, PlaceCommand.class})
public final class Main implements Runnable {
  /** Exit code for usage and configuration errors. */
  public static final int USAGE = 2;
  /** Exit code for runtime failures. */
  public static final int FAILURE = 1;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "Missing command: devices, train, bench, predict or conformance");
  }

  /** Runs the CLI and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns its exit code (tests call this). */
  public static int run(String... args) {
    oneLineLogs();
    return commandLine(new Main()).execute(args);
  }

  /** A command line for {@code command} with the exit codes and error printing of the CLI. */
  static CommandLine commandLine(Object command) {
    CommandLine cli = new CommandLine(command);
    cli.setExitCodeExceptionMapper(Main::exitCode);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println(message(e));
      return exitCode(e);
    });
    return cli;
  }

  /**
   * Fallbacks and failovers are logged as warnings; print them as {@code WARNING: ...} on one line
   * unless the user configured java.util.logging.
   */
  private static void oneLineLogs() {
    if (System.getProperty("java.util.logging.config.file") == null
        && System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
    }
  }

  private static String message(Throwable e) {
    if (e instanceof ConfigException || e instanceof IllegalArgumentException) {
      return "error: " + e.getMessage();
    }
    if (e instanceof BackplaneException) {
      return "error: " + e.getMessage();
    }
    return "error: " + e;
  }

  static int exitCode(Throwable e) {
    if (e instanceof ConfigException || e instanceof IllegalArgumentException
        || e instanceof ModelFileException || e instanceof CommandLine.ParameterException) {
      return USAGE;
    }
    return FAILURE;
  }
}
