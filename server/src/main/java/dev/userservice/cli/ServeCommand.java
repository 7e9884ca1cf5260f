package dev.userservice.cli;

import dev.userservice.config.Config;
import dev.userservice.config.ConfigException;
import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.db.EmbeddedDatabaseServer;
import dev.userservice.observability.LogOutput;
import dev.userservice.observability.LoggedThrowables;
import dev.userservice.server.UserServiceApp;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/**
 * {@code user-service [settings]}: starts the service and blocks until SIGTERM or SIGINT, then
 * stops it and returns 0; 2 for a bad setting, 1 for a failed start. The settings' options are
 * added from {@link Config#SETTINGS}.
 */
@Command(name = "user-service", sortOptions = false, abbreviateSynopsis = true, usageHelpWidth = 100,
    description = "Serves user.v1.UserService over gRPC. Every setting is a flag (--name value or --name=value) "
        + "that falls back to its environment variable, then to its default.",
    footer = {"%nCommands:", "  bench  load for one RPC against a running service (see bench --help)",
        "  admin  grant-role, revoke-role, list-admins: accounts changed beside the service (see admin --help)"})
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Spec
  private CommandSpec spec;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and exit")
  private boolean help;

  @Override
  public Integer call() throws InterruptedException {
    // before H2 loads: the embedded database's server for admin commands listens on loopback only
    EmbeddedDatabaseServer.bindToLoopback();
    Config.Described described;
    try {
      described = Config.loadDescribed(spec);
    } catch (ConfigException e) {
      throw new ParameterException(spec.commandLine(), "invalid configuration: " + e.getMessage(), e);
    }
    LogOutput.use(LogOutput.Format.valueOf(described.config().logFormat().name()));
    log.info("configuration: {}", described.settings());
    UserServiceApp app;
    try {
      app = UserServiceApp.start(described.config());
    } catch (DatabaseUnavailableException | IllegalArgumentException | UncheckedIOException e) {
      // one line an operator can act on; the exception chain only at debug level
      log.error("cannot start: {}", e.getMessage());
      log.debug("start failed", LoggedThrowables.redacted(e));
      return 1;
    }
    // handle the signals ourselves: the JVM's default exits with 128 + signal, and a stop that
    // an orchestrator asked for is a clean exit
    CountDownLatch stopRequested = new CountDownLatch(1);
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> {
        log.info("SIG{} received: stopping", signal.getName());
        stopRequested.countDown();
      });
    }
    stopRequested.await();
    app.close();
    log.info("stopped");
    return 0;
  }
}
