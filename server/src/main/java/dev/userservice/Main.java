package dev.userservice;

import dev.userservice.cli.Cli;
import dev.userservice.observability.LogOutput;

/**
 * Runs the command line: with no command it serves until SIGTERM or SIGINT and exits 0; exit
 * code 2 means a bad setting or option, 1 a failed start. {@code bench} runs the load generator.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    int code;
    try {
      code = Cli.commandLine(System.getenv()).execute(args);
    } finally {
      // the last log lines wait in a buffer: write them before exiting
      LogOutput.stop();
    }
    System.exit(code);
  }
}
