package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.Sets;
import dev.userservice.config.Config;
import dev.userservice.config.TlsSettings;
import dev.userservice.config.TokenValues;
import dev.userservice.db.Database;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.db.EmbeddedDataFolder;
import dev.userservice.db.EmbeddedDatabaseServer;
import dev.userservice.identity.AuthInterceptor;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.identity.TokenService;
import dev.userservice.identity.TokenSettings;
import dev.userservice.login.AuthServiceImpl;
import dev.userservice.login.LoginThrottle;
import dev.userservice.observability.CallLoggingInterceptor;
import dev.userservice.observability.CallValues;
import dev.userservice.observability.MetricsEndpoint;
import dev.userservice.observability.RequestIdInterceptor;
import dev.userservice.observability.ServiceMetrics;
import dev.userservice.observability.ServiceTracing;
import dev.userservice.observability.StreamEndings;
import dev.userservice.user.AccountStateCache;
import dev.userservice.user.CallLoops;
import dev.userservice.user.DatabaseWorkers;
import dev.userservice.user.changes.ChangeFeed;
import dev.userservice.user.jdbc.JdbcUserRepository;
import dev.userservice.user.rpc.UserServiceImpl;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.TlsServerCredentials;
import io.grpc.services.AdminInterface;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole service wired from a {@link Config}: metrics, database, repository, services and
 * server.
 */
public final class UserServiceApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(UserServiceApp.class);
  /** Least time between two deletions of lapsed login attempts by one replica. */
  private static final Duration LOGIN_ATTEMPTS_CLEANUP = Duration.ofMinutes(1);

  private final ServiceMetrics metrics;
  private final ServiceTracing tracing;
  private final Optional<MetricsEndpoint> metricsEndpoint;
  private final Database database;
  private final UserServer server;
  private final AutoCloseable changeListener;
  private final AutoCloseable serverThreads;
  private final DatabaseWorkerThreads workerThreads;
  private final HashingThreads hashingThreads;
  private final Optional<EmbeddedDatabaseServer> localDatabaseAccess;
  private final AtomicBoolean closed = new AtomicBoolean();

  private UserServiceApp(ServiceMetrics metrics, ServiceTracing tracing, Optional<MetricsEndpoint> metricsEndpoint,
      Database database, UserServer server, AutoCloseable changeListener, AutoCloseable serverThreads,
      DatabaseWorkerThreads workerThreads, HashingThreads hashingThreads,
      Optional<EmbeddedDatabaseServer> localDatabaseAccess) {
    this.localDatabaseAccess = localDatabaseAccess;
    this.tracing = tracing;
    this.serverThreads = serverThreads;
    this.workerThreads = workerThreads;
    this.hashingThreads = hashingThreads;
    this.metrics = metrics;
    this.metricsEndpoint = metricsEndpoint;
    this.database = database;
    this.server = server;
    this.changeListener = changeListener;
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
    ServerThreads threads = ServerThreads.create(
        config.callThreads() > 0 ? config.callThreads() : config.poolSize(),
        orHalfTheCores(config.eventLoopThreads()), config.eventLoopPoll());
    try {
      ServerBuilder<?> builder = threads.applyTo(
          NettyServers.forPort(config.grpcPort(), credentials(config), config.limits()),
          Sets.union(UserServiceImpl.NON_BLOCKING_METHODS, UserServer.NON_BLOCKING_METHODS));
      return start(settings, builder, config, ServiceTracing.fromEndpoint(config.otlpEndpoint()), threads,
          threads.callLoops());
    } catch (RuntimeException e) {
      threads.close();
      throw e;
    }
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

  /**
   * Like {@link #start(Config)}, on the given database and server builder; the metrics endpoint
   * starts when {@link Config#metricsPort()} is not 0.
   */
  public static UserServiceApp start(DatabaseSettings settings, ServerBuilder<?> builder, Config config) {
    return start(settings, builder, config, ServiceTracing.fromEndpoint(config.otlpEndpoint()), () -> { },
        CallLoops.NONE);
  }

  /** Like {@link #start(DatabaseSettings, ServerBuilder, Config)}, tracing through {@code tracing}. */
  public static UserServiceApp start(DatabaseSettings settings, ServerBuilder<?> builder, Config config,
      ServiceTracing tracing) {
    return start(settings, builder, config, tracing, () -> { }, CallLoops.NONE);
  }

  /**
   * Starts on {@code builder}; {@code threads} are closed once the server has stopped, and batched
   * calls read on {@code loops} are answered there. Package-private for tests of the server's own
   * threads.
   */
  static UserServiceApp start(DatabaseSettings settings, ServerBuilder<?> builder, Config config,
      ServiceTracing tracing, AutoCloseable threads, CallLoops loops) {
    Clock clock = Clock.systemUTC();
    TokenService tokens = TokenService.create(tokenSettings(config.tokens()), clock);
    ServiceMetrics metrics = new ServiceMetrics();
    Optional<MetricsEndpoint> endpoint = Optional.empty();
    Database database = null;
    HashingThreads hashingThreads = null;
    AutoCloseable changeListener = () -> { };
    DatabaseWorkerThreads workerThreads = null;
    Optional<EmbeddedDatabaseServer> localDatabaseAccess = Optional.empty();
    try {
      if (config.metricsPort() != 0) {
        endpoint = Optional.of(MetricsEndpoint.start(metrics, config.metricsPort()));
        log.info("metrics served on port {} at /metrics", endpoint.get().port());
      }
      boolean embedded = settings.jdbcUrl().equals(DatabaseSettings.embeddedUrl(config.dataDir()));
      if (embedded) {
        EmbeddedDataFolder.createPrivately(config.dataDir());
      }
      database = Database.open(settings, metrics.poolTracker());
      if (embedded) {
        // the admin commands reach the embedded database through it while this process holds the file
        localDatabaseAccess = EmbeddedDatabaseServer.start(config.dataDir());
      }
      if (tracing.enabled()) {
        log.info("traces sent by OTLP to {}", config.otlpEndpoint().map(Object::toString).orElse("a test exporter"));
      }
      DataSource data = tracing.traced(database.dataSource());
      workerThreads = DatabaseWorkerThreads.start(config.poolSize(), loops);
      DatabaseWorkers workers = workerThreads.workers();
      ChangeFeed feed = ChangeFeed.forDatabase(settings);
      changeListener = feed;
      var users = new JdbcUserRepository(data, clock, feed.publisher());
      // every call checks its account's current status and roles, kept up to date by the feed
      AccountStateCache accounts = new AccountStateCache(users, workers);
      feed.hub().observe(accounts);
      feed.start(users);
      hashingThreads = HashingThreads.create(orHashingDefault(config.hashThreads()), config.hashQueue());
      PasswordHasher hasher = new PasswordHasher(hashingThreads.executor(), hashingThreads.threads());
      LoginThrottle throttle = new LoginThrottle(data, config.loginMaxFailures(),
          config.loginLockout(), LOGIN_ATTEMPTS_CLEANUP, clock);
      List<BindableService> services = List.of(
          new UserServiceImpl(users, hasher, feed.hub(), accounts, workers, metrics.counters()),
          new AuthServiceImpl(users, hasher, tokens, throttle, accounts, metrics.counters()));
      metrics.subscriptions(feed.hub()::openSubscriptions);
      if (config.adminServices()) {
        builder.addServices(AdminInterface.getStandardServices());
      }
      // gRPC's metrics come from its stream tracers, so calls the auth interceptor refuses are counted too
      metrics.instrument(builder);
      // a call the transport ends is logged with the status the caller got, not as cancelled
      builder.addStreamTracerFactory(new StreamEndings());
      // the request id and subject slot in the call's context from its start: no context layer per interceptor
      builder.addStreamTracerFactory(new CallValues());
      StreamLimiter streams = StreamLimiter.from(config.limits());
      // streams are counted per connection through the filter that marks each connection
      builder.addTransportFilter(streams.transportFilter());
      // the stream bound before auth, so that no caller, with a token or without, holds more;
      // exceptions become statuses outside every interceptor that may end a call, inside the ones
      // that record the final status
      // the call's span outermost, so every line the call logs carries its trace id
      List<ServerInterceptor> interceptors = new ArrayList<>(tracing.serverInterceptors());
      interceptors.addAll(List.of(new RequestIdInterceptor(), new CallLoggingInterceptor(), new ExceptionInterceptor(),
          streams, new AuthInterceptor(tokens, accounts)));
      UserServer server = new UserServer(builder, services, interceptors, database::isReachable,
          config.healthInterval(), config.drainDelay(), config.shutdownGrace());
      if (config.healthPort() != 0) {
        server.serveHealthOn(NettyServers.forPort(config.healthPort(), InsecureServerCredentials.create(),
            config.limits()));
      }
      metrics.databaseUp(server::databaseReachable);
      return new UserServiceApp(metrics, tracing, endpoint, database, server.start(), changeListener, threads,
          workerThreads, hashingThreads, localDatabaseAccess);
    } catch (RuntimeException e) {
      localDatabaseAccess.ifPresent(EmbeddedDatabaseServer::close);
      if (hashingThreads != null) {
        hashingThreads.close();
      }
      closeQuietly(changeListener);
      if (workerThreads != null) {
        workerThreads.close();
      }
      if (database != null) {
        database.close();
      }
      endpoint.ifPresent(MetricsEndpoint::close);
      metrics.close();
      tracing.close();
      throw e;
    }
  }

  /** The gRPC port (the chosen one when configured with 0). */
  public int port() {
    return server.port();
  }

  /** The plaintext health-only port, or -1 when {@link Config#healthPort()} is 0. */
  public int healthPort() {
    return server.healthPort();
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
      closeQuietly(serverThreads);
      hashingThreads.close();
      closeQuietly(changeListener);
      workerThreads.close();
      localDatabaseAccess.ifPresent(EmbeddedDatabaseServer::close);
      log.info("shutdown 4/4: closing the database pool");
      database.close();
      metricsEndpoint.ifPresent(MetricsEndpoint::close);
      metrics.close();
      tracing.close();
    }
  }

  /** The configured token values as the identity package's settings. */
  private static TokenSettings tokenSettings(TokenValues values) {
    return new TokenSettings(values.secret(), values.publicKeyFile(), values.privateKeyFile(), values.issuer(),
        values.audience(), values.lifetime(), values.clockSkew());
  }

  /** A configured thread count, where 0 means half the cores, at least one. */
  private static int orHalfTheCores(int configured) {
    return configured > 0 ? configured : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
  }

  /** A configured hashing thread count, where 0 means {@link HashingThreads#defaultCount}. */
  private static int orHashingDefault(int configured) {
    Runtime runtime = Runtime.getRuntime();
    return configured > 0 ? configured : HashingThreads.defaultCount(runtime.availableProcessors(), runtime.maxMemory());
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception ignored) {
      // stopping anyway
    }
  }
}
