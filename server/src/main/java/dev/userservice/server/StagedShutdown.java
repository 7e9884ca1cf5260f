package dev.userservice.server;

import static java.util.Objects.requireNonNull;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.protobuf.services.HealthStatusManager;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a server in stages, each logged: health NOT_SERVING for every service, a drain delay
 * while load balancers and Kubernetes endpoints stop sending, no new calls, the grace period for
 * calls in flight, then the calls still open end with UNAVAILABLE so their clients reconnect to
 * another replica.
 */
final class StagedShutdown {
  private static final Logger log = LoggerFactory.getLogger(StagedShutdown.class);
  private static final Duration TRANSPORT_CLOSE_WAIT = Duration.ofSeconds(5);
  private static final Duration STATUS_FLUSH_WAIT = Duration.ofSeconds(1);
  private static final Status CUT_OFF = Status.UNAVAILABLE.withDescription("server shutting down: call again");

  private final Duration drainDelay;
  private final Duration grace;

  /**
   * @param drainDelay time between health NOT_SERVING and refusing new calls
   * @param grace time calls in flight get to finish once new calls are refused
   */
  StagedShutdown(Duration drainDelay, Duration grace) {
    this.drainDelay = requireNonNull(drainDelay, "drainDelay");
    this.grace = requireNonNull(grace, "grace");
  }

  /** Runs every stage; when interrupted, skips to ending the open calls and keeps the interrupt flag. */
  void run(HealthStatusManager health, Server server, OpenCalls calls) {
    log.info("shutdown 1/4: health NOT_SERVING; draining for {} ms", drainDelay.toMillis());
    health.enterTerminalState();
    try {
      Thread.sleep(drainDelay.toMillis());
      log.info("shutdown 2/4: refusing new calls; {} in flight get {} ms to finish", calls.size(), grace.toMillis());
      server.shutdown();
      if (server.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.info("shutdown 3/4: every call finished");
        return;
      }
      endOpenCalls(calls);
      // the ended calls' statuses go out before shutdownNow resets what is left, which a client
      // would see as CANCELLED instead of UNAVAILABLE
      if (!server.awaitTermination(STATUS_FLUSH_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
      }
      server.awaitTermination(TRANSPORT_CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      endOpenCalls(calls);
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static void endOpenCalls(OpenCalls calls) {
    int ended = calls.endAll(CUT_OFF);
    log.warn("shutdown 3/4: grace period over: ended {} open calls with UNAVAILABLE", ended);
  }
}
