package dev.userservice.cli;

import static java.util.Objects.requireNonNull;

import dev.userservice.config.Config;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The command line: {@code user-service [settings]} serves, {@code user-service bench ...} runs
 * the load generator, {@code user-service admin ...} changes accounts beside the service. Every
 * setting and option takes {@code --name value} or {@code --name=value}; bad input exits with
 * code 2 and a message on standard error.
 */
public final class Cli {
  private Cli() {}

  /** The whole command line, with settings falling back to the variables in {@code env}. */
  public static CommandLine commandLine(Map<String, String> env) {
    requireNonNull(env, "env");
    CommandLine line = new CommandLine(new ServeCommand());
    Config.addOptions(line.getCommandSpec(), env);
    line.addSubcommand("bench", new BenchCommand(env));
    line.addSubcommand("admin", AdminCommand.commandLine(env));
    // for every command: values taken literally, and the last of a repeated flag wins
    line.setExpandAtFiles(false);
    line.setOverwrittenOptionsAllowed(true);
    line.setUsageHelpLongOptionsMaxWidth(40);
    line.setParameterExceptionHandler(Cli::reportBadInput);
    return line;
  }

  /** One line naming what was wrong, instead of picocli's default of the whole usage text. */
  private static int reportBadInput(ParameterException e, String[] args) {
    CommandSpec command = e.getCommandLine().getCommandSpec();
    PrintWriter err = e.getCommandLine().getErr();
    err.println(command.qualifiedName() + ": " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("See '" + command.qualifiedName() + " --help'.");
    err.flush();
    return command.exitCodeOnInvalidInput();
  }
}
