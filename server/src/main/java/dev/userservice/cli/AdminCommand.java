package dev.userservice.cli;

import dev.userservice.admin.AccountRoles;
import dev.userservice.admin.AdminDatabase;
import dev.userservice.admin.AdminException;
import dev.userservice.admin.UnknownEmailException;
import dev.userservice.config.Config;
import dev.userservice.config.ConfigException;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code user-service admin <command>}: an operator's changes to accounts, made in the service's
 * database from the server's own database settings, while the service runs or not. Exit codes:
 * 0 done (or nothing to change), 1 the database could not be used, 2 bad input, 3 no user has
 * the email.
 */
@Command(name = "admin", usageHelpWidth = 100,
    description = "Changes accounts in the service's database, from the same database settings as the server"
        + " (flags or DATABASE_URL, DATABASE_USER, DATABASE_PASSWORD, DATA_DIR), while the service runs or not.",
    footer = AdminCommand.EXIT_CODES)
final class AdminCommand implements Runnable {
  /** The help's footer of every admin command. */
  static final String EXIT_CODES = "%nExit codes: 0 done (or nothing to change), 1 the database could not be used,"
      + " 2 bad input, 3 no user has the email.";
  /** No user has the email the command named. */
  static final int UNKNOWN_EMAIL = 3;
  /** The database could not be reached or used. */
  static final int DATABASE_FAILED = 1;

  @Spec
  private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
  private boolean help;

  /** The {@code admin} command with its commands, each taking the database settings from {@code env}. */
  static CommandLine commandLine(Map<String, String> env) {
    CommandLine admin = new CommandLine(new AdminCommand());
    admin.addSubcommand("grant-role", RoleCommand.grant());
    admin.addSubcommand("revoke-role", RoleCommand.revoke());
    admin.addSubcommand("list-admins", new ListAdminsCommand());
    for (CommandLine command : admin.getSubcommands().values()) {
      Config.addDatabaseOptions(command.getCommandSpec(), env);
    }
    return admin;
  }

  /**
   * Checks the {@code role} a parsed command names, opens the database its settings name and runs
   * {@code work} on its accounts; every failure is one line on standard error and its exit code.
   */
  static int run(CommandSpec command, String role, Function<Work, Integer> work) {
    try {
      AccountRoles.validRole(role);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage(), e);
    }
    PrintWriter err = command.commandLine().getErr();
    AdminDatabase database;
    try {
      database = AdminDatabase.open(Config.loadDatabase(command));
    } catch (ConfigException e) {
      throw new ParameterException(command.commandLine(), "invalid configuration: " + e.getMessage(), e);
    } catch (AdminException e) {
      return fail(command, err, e.getMessage(), DATABASE_FAILED);
    }
    // on standard error, so the command's own output stays as scripts read it
    err.println("database: " + database.where());
    err.flush();
    try (database) {
      return work.apply(new Work(new AccountRoles(database.users()), database.reach()));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage(), e);
    } catch (UnknownEmailException e) {
      return fail(command, err, e.getMessage(), UNKNOWN_EMAIL);
    } catch (AdminException e) {
      return fail(command, err, e.getMessage(), DATABASE_FAILED);
    } catch (RuntimeException e) {
      // a driver's message may quote values: its kind is enough here
      return fail(command, err, "the database failed (" + e.getClass().getSimpleName() + "): no change was made",
          DATABASE_FAILED);
    }
  }

  private static int fail(CommandSpec command, PrintWriter err, String message, int code) {
    err.println(command.qualifiedName() + ": " + message);
    err.flush();
    return code;
  }

  /** What a command works on: the accounts, and how a change reaches the running service. */
  record Work(AccountRoles roles, AdminDatabase.Reach reach) {}

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is needed: grant-role, revoke-role or list-admins");
  }
}
