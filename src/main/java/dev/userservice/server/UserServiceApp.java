package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import dev.userservice.auth.AuthInterceptor;
import dev.userservice.auth.AuthServiceImpl;
import dev.userservice.auth.LoginThrottle;
import dev.userservice.auth.PasswordHasher;
import dev.userservice.auth.TokenService;
import dev.userservice.config.Config;
import dev.userservice.config.TlsSettings;
import dev.userservice.db.Database;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.observability.CallLoggingInterceptor;
import dev.userservice.observability.ExceptionInterceptor;
import dev.userservice.user.JdbcUserRepository;
import dev.userservice.user.UserServiceImpl;
import io.grpc.BindableService;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole service wired from a {@link Config}: database, repository, services and server. */
public final class UserServiceApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UserServiceApp.class);
  private static final int THROTTLE_CAPACITY = 100_000;

  private final Database database;
  private final UserServer server;
  private final AtomicBoolean closed = new AtomicBoolean();

  private UserServiceApp(Database database, UserServer server) {
    this.database = database;
    this.server = server;
  }

  /**
   * Opens the database (migrating it) and starts serving on the configured port.
   *
   * @throws IllegalArgumentException when a key or certificate file cannot be used
   */
  public static UserServiceApp start(Config config) {
    requireNonNull(config, "config");
    DatabaseSettings settings = DatabaseSettings.from(config.databaseUrl(), config.databaseUser(),
        config.databasePassword(), config.dataDir(), config.poolSize(), config.connectionTimeout());
    ServerBuilder<?> builder = Grpc.newServerBuilderForPort(config.grpcPort(), credentials(config));
    return start(settings, builder, config);
  }

  private static ServerCredentials credentials(Config config) {
    if (config.tls().isEmpty()) {
      return InsecureServerCredentials.create();
    }
    TlsSettings tls = config.tls().get();
    try {
      TlsServerCredentials.Builder credentials = TlsServerCredentials.newBuilder()
          .keyManager(tls.certChainFile().toFile(), tls.privateKeyFile().toFile());
      if (tls.clientCaFile().isPresent()) {
        credentials.trustManager(tls.clientCaFile().get().toFile())
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
      }
      return credentials.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot use the TLS certificate or key: " + e.getMessage(), e);
    }
  }

  /** Like {@link #start(Config)}, on the given database and server builder. */
  public static UserServiceApp start(DatabaseSettings settings, ServerBuilder<?> builder, Config config) {
    Clock clock = Clock.systemUTC();
    TokenService tokens = TokenService.create(config.tokens(), clock);
    Database database = Database.open(settings);
    try {
      var users = new JdbcUserRepository(database.dataSource(), clock);
      PasswordHasher hasher = PasswordHasher.forCores();
      LoginThrottle throttle = new LoginThrottle(config.loginMaxFailures(), config.loginLockout(), THROTTLE_CAPACITY,
          clock);
      List<BindableService> services = List.of(
          new UserServiceImpl(users, hasher),
          new AuthServiceImpl(users, hasher, tokens, throttle));
      List<ServerInterceptor> interceptors = List.of(
          new CallLoggingInterceptor(), new AuthInterceptor(tokens), new ExceptionInterceptor());
      UserServer server = new UserServer(builder, services, interceptors, database::isReachable,
          config.healthInterval(), config.drainDelay(), config.shutdownGrace());
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
      log.info("shutdown 4/4: closing the database pool");
      database.close();
    }
  }
}
