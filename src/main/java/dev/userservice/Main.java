package dev.userservice;

import dev.userservice.bench.BenchCommand;
import dev.userservice.config.Config;
import dev.userservice.config.ConfigException;
import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.observability.LogOutput;
import dev.userservice.server.UserServiceApp;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Reads the configuration, starts the service and blocks until SIGTERM or SIGINT, then stops it
 * and exits 0. Exit code 2 means a bad setting, 1 a failed start. With {@code bench} as its
 * first argument it runs the load generator instead.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("bench")) {
      System.exit(BenchCommand.run(Arrays.copyOfRange(args, 1, args.length), System.getenv()));
      return;
    }
    if (Arrays.asList(args).contains("--help")) {
      System.out.print(Config.help());
      return;
    }
    Config.Described described;
    try {
      described = Config.loadDescribed(args, System.getenv());
    } catch (ConfigException e) {
      System.err.println("user-service: invalid configuration: " + e.getMessage());
      System.exit(2);
      return;
    }
    LogOutput.use(LogOutput.Format.valueOf(described.config().logFormat().name()));
    log.info("configuration: {}", described.settings());
    UserServiceApp app;
    try {
      app = UserServiceApp.start(described.config());
    } catch (DatabaseUnavailableException | IllegalArgumentException | UncheckedIOException e) {
      log.error("cannot start: {}", e.getMessage(), e.getCause());
      System.exit(1);
      return;
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
    System.exit(0);
  }
}
