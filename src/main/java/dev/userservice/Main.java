package dev.userservice;

import dev.userservice.config.Config;
import dev.userservice.config.ConfigException;
import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.server.UserServiceApp;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the configuration, starts the service and blocks until it stops. */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
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
    log.info("configuration: {}", described.settings());
    UserServiceApp app;
    try {
      app = UserServiceApp.start(described.config());
    } catch (DatabaseUnavailableException | IllegalArgumentException e) {
      log.error("cannot start: {}", e.getMessage(), e.getCause());
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "shutdown"));
    app.blockUntilShutdown();
  }
}
