package dev.userservice.cli;

import dev.userservice.user.Roles;
import dev.userservice.user.User;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code admin list-admins}: the users that hold a role (admin unless told), one a line. */
@Command(sortOptions = false, usageHelpWidth = 100, footer = AdminCommand.EXIT_CODES,
    description = "Lists the users that hold the --role, one a line: id, email, status, roles. Reads every user.")
final class ListAdminsCommand implements Callable<Integer> {
  @Spec
  private CommandSpec spec;

  @Option(names = "--role", paramLabel = "<role>", defaultValue = "admin", description = "the role (default: admin)")
  private String role;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
  private boolean help;

  @Override
  public Integer call() {
    return AdminCommand.run(spec, role, work -> {
      List<User> holders = work.roles().holders(role);
      PrintWriter out = spec.commandLine().getOut();
      for (User user : holders) {
        out.println(user.id() + " " + user.email() + " " + user.status() + " " + String.join(",",
            Roles.sorted(user.roles())));
      }
      out.flush();
      return 0;
    });
  }
}
