package dev.userservice.observability;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.grpc.ServerInterceptor;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The service's meters in one Prometheus registry: per-method gRPC call counts by status with
 * latency histograms and message counts (Micrometer's gRPC interceptor), the connection pool
 * (HikariCP's Micrometer tracker) and the JVM's memory, threads, GC, classes and CPU.
 */
public final class ServiceMetrics implements AutoCloseable {
  /** Bucket bounds of the call latency histograms: few enough to keep series per method small. */
  private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(2),
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Creates the registry with the JVM meters bound. */
  public ServiceMetrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    gc.bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
  }

  /**
   * An interceptor that counts and times every call by service, method, method type and status
   * ({@code grpc_server_processing_duration_seconds}) and counts the messages each method
   * receives and sends ({@code grpc_server_requests_received_messages_total},
   * {@code grpc_server_responses_sent_messages_total}).
   */
  public ServerInterceptor serverInterceptor() {
    return new MetricCollectingServerInterceptor(registry, counter -> counter,
        timer -> timer.serviceLevelObjectives(LATENCY_BUCKETS));
  }

  /** The tracker that publishes the pool's gauges ({@code hikaricp_connections_active} and others). */
  public MetricsTrackerFactory poolTracker() {
    return new MicrometerMetricsTrackerFactory(registry);
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Stops the GC listener and closes the registry, once. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    gc.close();
    registry.close();
  }
}
