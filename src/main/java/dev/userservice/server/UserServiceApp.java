package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import dev.userservice.auth.PasswordHasher;
import dev.userservice.config.Config;
import dev.userservice.db.Database;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.user.JdbcUserRepository;
import dev.userservice.user.UserServiceImpl;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerBuilder;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** The whole service wired from a {@link Config}: database, repository, services and server. */
public final class UserServiceApp implements AutoCloseable {
  private final Database database;
  private final UserServer server;
  private final AtomicBoolean closed = new AtomicBoolean();

  private UserServiceApp(Database database, UserServer server) {
    this.database = database;
    this.server = server;
  }

  /** Opens the database (migrating it) and starts serving on the configured port. */
  public static UserServiceApp start(Config config) {
    requireNonNull(config, "config");
    DatabaseSettings settings = DatabaseSettings.from(config.databaseUrl(), config.databaseUser(),
        config.databasePassword(), config.dataDir(), config.poolSize(), config.connectionTimeout());
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(config.grpcPort(), InsecureServerCredentials.create());
    return start(settings, builder, config);
  }

  /** Like {@link #start(Config)}, on the given database and server builder. */
  public static UserServiceApp start(DatabaseSettings settings, ServerBuilder<?> builder, Config config) {
    Database database = Database.open(settings);
    try {
      var users = new JdbcUserRepository(database.dataSource(), Clock.systemUTC());
      List<BindableService> services = List.of(new UserServiceImpl(users, PasswordHasher.forCores()));
      UserServer server = new UserServer(builder, services, database::isReachable, config.healthInterval(),
          config.shutdownGrace());
      return new UserServiceApp(database, server.start());
    } catch (RuntimeException e) {
      database.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  public void blockUntilShutdown() throws InterruptedException {
    server.blockUntilShutdown();
  }

  /** Stops the server (letting calls finish within the grace period), then closes the pool. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    try {
      server.close();
    } finally {
      database.close();
    }
  }
}
