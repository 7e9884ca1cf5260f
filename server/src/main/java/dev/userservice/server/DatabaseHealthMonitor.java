package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import dev.userservice.api.user.v1.UserServiceGrpc;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the health service in step with the database: NOT_SERVING while it cannot be reached,
 * SERVING again once it answers, for the server as a whole ("") and for UserService.
 */
final class DatabaseHealthMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseHealthMonitor.class);
  static final String USER_SERVICE = UserServiceGrpc.SERVICE_NAME;

  private final HealthStatusManager health;
  private final BooleanSupplier databaseReachable;
  private final Duration interval;
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "db-health");
    thread.setDaemon(true);
    return thread;
  });
  private volatile Boolean lastReachable;

  DatabaseHealthMonitor(HealthStatusManager health, BooleanSupplier databaseReachable, Duration interval) {
    this.health = requireNonNull(health, "health");
    this.databaseReachable = requireNonNull(databaseReachable, "databaseReachable");
    this.interval = requireNonNull(interval, "interval");
  }

  /** Checks once now, then every interval. */
  void start() {
    check();
    scheduler.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void check() {
    boolean reachable;
    try {
      reachable = databaseReachable.getAsBoolean();
    } catch (RuntimeException e) {
      reachable = false;
    }
    ServingStatus status = reachable ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    health.setStatus(USER_SERVICE, status);
    if (lastReachable == null || lastReachable != reachable) {
      if (reachable) {
        log.info("database reachable: health SERVING");
      } else {
        log.warn("database unreachable: health NOT_SERVING");
      }
    }
    lastReachable = reachable;
  }

  /** Whether the last check reached the database; false before the first. */
  boolean lastReachable() {
    return Boolean.TRUE.equals(lastReachable);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
