package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC server's lifecycle: the application services and the interceptors around them,
 * health (following the database) and reflection v1 and v1alpha. It takes a
 * {@link ServerBuilder}, so tests hand it an in-process one.
 */
public final class UserServer implements AutoCloseable {
  /**
   * The health name for liveness probes: SERVING from start until shutdown, whatever the
   * database does, since restarting a replica cannot bring the database back.
   */
  public static final String LIVENESS_SERVICE = "liveness";
  /**
   * Health's methods, which only read the status in memory: run where they arrive, on the
   * transport thread, so probes answer at once whatever the call threads are doing.
   */
  public static final Set<String> NON_BLOCKING_METHODS = Set.of(HealthGrpc.getCheckMethod().getFullMethodName(),
      HealthGrpc.getWatchMethod().getFullMethodName());
  private static final Logger log = LoggerFactory.getLogger(UserServer.class);

  private final Server server;
  private final HealthStatusManager health = new HealthStatusManager();
  private final DatabaseHealthMonitor monitor;
  private final OpenCalls openCalls = new OpenCalls();
  private final StagedShutdown shutdown;
  private final AtomicBoolean stopped = new AtomicBoolean();
  /** A server of health alone, when {@link #serveHealthOn} was called. */
  private Server healthServer;

  /**
   * @param builder a server builder with transport settings already applied
   * @param services the application services
   * @param interceptors interceptors around every call, health and reflection included; the
   *     first in the list sees a call first
   * @param databaseReachable the database check that health follows
   * @param healthInterval time between two database checks
   * @param drainDelay time between health NOT_SERVING and refusing new calls when stopping
   * @param shutdownGrace time calls in flight get to finish when stopping
   */
  public UserServer(ServerBuilder<?> builder, List<BindableService> services, List<ServerInterceptor> interceptors,
      BooleanSupplier databaseReachable, Duration healthInterval, Duration drainDelay, Duration shutdownGrace) {
    requireNonNull(builder, "builder");
    this.shutdown = new StagedShutdown(drainDelay, shutdownGrace);
    this.monitor = new DatabaseHealthMonitor(health, databaseReachable, healthInterval);
    // requests are parsed inside the interceptors, so a malformed message reaches the error
    // mapping (INVALID_ARGUMENT) instead of failing in the transport as UNKNOWN
    services.forEach(service -> builder.addService(RequestsParsedInCall.wrap(service.bindService())));
    // the interceptor added last runs first, so the one that tracks calls for shutdown runs last
    builder.intercept(openCalls);
    for (int i = interceptors.size() - 1; i >= 0; i--) {
      builder.intercept(interceptors.get(i));
    }
    this.server = builder
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .addService(reflectionV1Alpha())
        .build();
  }

  @SuppressWarnings("deprecation") // v1alpha is what older grpcurl and tools ask for
  private static BindableService reflectionV1Alpha() {
    return ProtoReflectionService.newInstance();
  }

  /**
   * Serves the same health statuses, and nothing else, on the server this builder makes too: a
   * plaintext port for probes that cannot speak TLS, such as Kubernetes' gRPC probes. Health
   * only reads memory, so it runs on the transport threads. Call before {@link #start()}.
   */
  public UserServer serveHealthOn(ServerBuilder<?> builder) {
    healthServer = builder.directExecutor().addService(health.getHealthService()).build();
    return this;
  }

  /** Starts serving; health turns SERVING once the database answers. */
  public UserServer start() {
    try {
      server.start();
      if (healthServer != null) {
        healthServer.start();
      }
    } catch (IOException e) {
      server.shutdownNow();
      throw new UncheckedIOException("cannot start the gRPC server: " + e.getMessage(), e);
    }
    health.setStatus(LIVENESS_SERVICE, ServingStatus.SERVING);
    monitor.start();
    log.info("user-service listening on port {}", server.getPort());
    if (healthServer != null) {
      log.info("health served on port {} (plaintext)", healthServer.getPort());
    }
    return this;
  }

  /** The port of the health-only server, or -1 when there is none. */
  public int healthPort() {
    return healthServer == null ? -1 : healthServer.getPort();
  }

  /** Whether the last health check reached the database. */
  boolean databaseReachable() {
    return monitor.lastReachable();
  }

  /** The port the server listens on (the chosen one when configured with 0), or -1 in-process. */
  public int port() {
    return server.getPort();
  }

  /** Waits until the server has terminated. */
  public void blockUntilShutdown() throws InterruptedException {
    server.awaitTermination();
  }

  /**
   * Stops once, in the stages of {@link StagedShutdown}: health NOT_SERVING for good, the drain
   * delay, no new calls, the grace period for calls in flight, then the rest end with UNAVAILABLE.
   */
  @Override
  public void close() {
    if (stopped.getAndSet(true)) {
      return;
    }
    monitor.close();
    // the health-only server keeps answering NOT_SERVING while the calls drain
    shutdown.run(health, server, openCalls);
    if (healthServer != null) {
      healthServer.shutdownNow();
    }
  }
}
