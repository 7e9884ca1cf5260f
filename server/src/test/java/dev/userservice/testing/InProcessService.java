package dev.userservice.testing;

import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.config.Config;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.observability.ServiceTracing;
import dev.userservice.server.UserServiceApp;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole service (real repository, real database, every interceptor) on an in-process
 * transport with a unique name; register it with {@code @RegisterExtension} and it is closed
 * after each test.
 */
public final class InProcessService implements AfterEachCallback {
  private final DatabaseSettings settings;
  private final boolean ownsSchema;
  private ServiceTracing tracing = ServiceTracing.off();
  private UserServiceApp app;
  private ManagedChannel channel;

  private InProcessService(DatabaseSettings settings, boolean ownsSchema) {
    this.settings = settings;
    this.ownsSchema = ownsSchema;
  }

  private InProcessService(DatabaseSettings settings) {
    this(settings, true);
  }

  /** A service on a new in-memory H2 database. */
  public static InProcessService onH2() {
    return new InProcessService(TestDatabases.h2());
  }

  /** A service on a new schema of the real PostgreSQL, dropped after the test. */
  public static InProcessService onPostgres() {
    return new InProcessService(TestDatabases.postgres());
  }

  /**
   * Another replica on the same database as {@code first}; register it after {@code first}, so
   * that it closes first, and the schema is dropped by {@code first}.
   */
  public static InProcessService replicaOf(InProcessService first) {
    return new InProcessService(first.settings, false);
  }

  /** Has the service trace through {@code tracing} (off unless set); call before the first {@link #channel()}. */
  public InProcessService tracedBy(ServiceTracing tracing) {
    this.tracing = tracing;
    return this;
  }

  /** Starts the service on first use and returns a channel to it. */
  public ManagedChannel channel() {
    if (channel == null) {
      String name = InProcessServerBuilder.generateName();
      Config config = Config.load(new String[] {"--health-interval-ms=200", "--shutdown-grace-ms=2000",
          "--login-max-failures=3", "--metrics-port=0", "--drain-delay-ms=0"}, Map.of("JWT_SECRET", TestTokens.SECRET));
      app = UserServiceApp.start(settings, InProcessServerBuilder.forName(name), config, tracing);
      channel = InProcessChannelBuilder.forName(name).build();
    }
    return channel;
  }

  /** A stub calling as an admin. */
  public UserServiceGrpc.UserServiceBlockingStub blocking() {
    return blocking(TestTokens.admin());
  }

  /** A stub calling with this bearer token. */
  public UserServiceGrpc.UserServiceBlockingStub blocking(String token) {
    return UserServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .withCallCredentials(TestTokens.bearer(token));
  }

  /** An async stub calling as an admin. */
  public UserServiceGrpc.UserServiceStub async() {
    return async(TestTokens.admin());
  }

  /** An async stub calling with this bearer token. */
  public UserServiceGrpc.UserServiceStub async(String token) {
    return UserServiceGrpc.newStub(channel()).withCallCredentials(TestTokens.bearer(token));
  }

  /** The database the service runs on, for checks made outside the API. */
  public DatabaseSettings settings() {
    return settings;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (app != null) {
      app.close();
    }
    if (ownsSchema && settings.schema().isPresent()) {
      TestDatabases.dropSchema(settings.schema().get());
    }
  }
}
