package dev.userservice;

import dev.userservice.cli.Cli;

/**
 * Runs the command line: with no command it serves until SIGTERM or SIGINT and exits 0; exit
 * code 2 means a bad setting or option, 1 a failed start. {@code bench} runs the load generator.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(Cli.commandLine(System.getenv()).execute(args));
  }
}
