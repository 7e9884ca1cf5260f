package dev.userservice.testing;

import dev.userservice.config.Config;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.server.UserServiceApp;
import io.grpc.InsecureServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole service on the real Netty transport, bound to one loopback address, on a new
 * in-memory H2 database, with a {@link FaultInjector} in front of the service. Register it
 * with {@code @RegisterExtension} (or close it) and it stops, with everything handed to
 * {@link #closeAfter}, after the test.
 */
public final class FaultInjectingService implements AfterEachCallback, AutoCloseable {
  private final InetSocketAddress address;
  private final DatabaseSettings settings = TestDatabases.h2();
  private final FaultInjector faults = new FaultInjector();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private UserServiceApp app;

  private FaultInjectingService(InetSocketAddress address) {
    this.address = address;
  }

  /** A service on 127.0.0.1 and a free port, started on first use. */
  public static FaultInjectingService onLoopback() {
    return new FaultInjectingService(new InetSocketAddress("127.0.0.1", 0));
  }

  /** A service on this address and port (0: a free one), started on first use. */
  public static FaultInjectingService on(String host, int port) {
    return new FaultInjectingService(new InetSocketAddress(host, port));
  }

  /** The port the service listens on; starts it when it is not running yet. */
  public int port() {
    if (app == null) {
      Config config = Config.load(new String[] {"--health-interval-ms=200", "--shutdown-grace-ms=2000",
          "--metrics-port=0", "--drain-delay-ms=0"},
          Map.of("JWT_SECRET", TestTokens.SECRET));
      NettyServerBuilder builder = NettyServerBuilder.forAddress(address, InsecureServerCredentials.create());
      // added first, so it runs last: right in front of the service, behind authentication
      builder.intercept(faults);
      app = UserServiceApp.start(settings, builder, config);
    }
    return app.port();
  }

  /** {@code host:port} of the running service. */
  public String target() {
    return address.getHostString() + ":" + port();
  }

  public FaultInjector faults() {
    return faults;
  }

  /** The database the service runs on, for checks made outside the API. */
  public DatabaseSettings settings() {
    return settings;
  }

  /** Closes {@code resource} before the service stops. */
  public <T extends AutoCloseable> T closeAfter(T resource) {
    resources.add(resource);
    return resource;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    close();
  }

  @Override
  public void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    resources.clear();
    if (app != null) {
      app.close();
      app = null;
    }
    faults.close();
  }
}
