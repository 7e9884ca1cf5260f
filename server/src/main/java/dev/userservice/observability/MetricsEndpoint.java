package dev.userservice.observability;

import static java.util.Objects.requireNonNull;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP endpoint Prometheus scrapes, {@code /metrics} on its own port, served by the
 * Prometheus client's own server so scrapes never compete with gRPC calls for threads.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private final HTTPServer server;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MetricsEndpoint(HTTPServer server) {
    this.server = server;
  }

  /**
   * Starts serving the metrics on this port, on every interface.
   *
   * @throws UncheckedIOException when the port cannot be bound
   */
  public static MetricsEndpoint start(ServiceMetrics metrics, int port) {
    requireNonNull(metrics, "metrics");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    try {
      return new MetricsEndpoint(HTTPServer.builder()
          .port(port)
          .registry(registry(metrics))
          .buildAndStart());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
    }
  }

  private static PrometheusRegistry registry(ServiceMetrics metrics) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(metrics.prometheus());
    return registry;
  }

  /** The port the endpoint listens on. */
  public int port() {
    return server.getPort();
  }

  /** Stops the HTTP server, once. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    server.close();
  }
}
