package dev.userservice.cli;

import dev.userservice.admin.AccountRoles;
import dev.userservice.admin.AdminDatabase;
import dev.userservice.user.AccountStatus;
import dev.userservice.user.Roles;
import dev.userservice.user.User;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code admin grant-role} and {@code admin revoke-role}: one role of the user with an email,
 * changed as an admin's UserUpdates would change it.
 */
@Command(sortOptions = false, usageHelpWidth = 100, footer = AdminCommand.EXIT_CODES)
final class RoleCommand implements Callable<Integer> {
  private final boolean grant;

  @Spec
  private CommandSpec spec;

  @Option(names = "--email", required = true, paramLabel = "<email>", description = "the user's email")
  private String email;

  @Option(names = "--role", required = true, paramLabel = "<role>",
      description = "the role, such as admin (may call every method) or service (may list users)")
  private String role;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
  private boolean help;

  private RoleCommand(boolean grant) {
    this.grant = grant;
  }

  /** {@code grant-role}. */
  static CommandLine grant() {
    return described(new RoleCommand(true), "Gives the user with --email the --role, as an admin's UserUpdates would.");
  }

  /** {@code revoke-role}. */
  static CommandLine revoke() {
    return described(new RoleCommand(false),
        "Takes the --role from the user with --email, as an admin's UserUpdates would.");
  }

  private static CommandLine described(RoleCommand command, String description) {
    CommandLine line = new CommandLine(command);
    line.getCommandSpec().usageMessage().description(description);
    return line;
  }

  @Override
  public Integer call() {
    return AdminCommand.run(spec, role, work -> {
      AccountRoles.Outcome outcome = grant ? work.roles().grant(email, role) : work.roles().revoke(email, role);
      PrintWriter out = spec.commandLine().getOut();
      User user = outcome.user();
      String who = user.email() + " (user " + user.id() + ")";
      if (!outcome.changed()) {
        out.println(who + (grant ? " already has" : " does not have") + " the role " + role + ": nothing changed");
      } else {
        out.println((grant ? "granted the role " + role + " to " : "removed the role " + role + " from ") + who
            + "; roles now: " + (user.roles().isEmpty() ? "(none)" : String.join(",", Roles.sorted(user.roles()))));
        out.println(reach(work.reach()));
      }
      if (user.status() != AccountStatus.ACTIVE) {
        out.println("note: the account is not active, so it cannot log in or call");
      }
      out.flush();
      return 0;
    });
  }

  private static String reach(AdminDatabase.Reach reach) {
    return switch (reach) {
      case EVERY_REPLICA_AT_ONCE -> "every running replica applies it now (change feed)";
      case RUNNING_SERVICE_AT_NEXT_LOGIN ->
          "the running service applies it at the account's next Login, and within a minute to its calls";
      case NO_SERVICE_RUNNING -> "no service holds the database now: it applies from the next start";
    };
  }
}
