package dev.userservice.observability;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import io.grpc.ServerBuilder;
import io.grpc.opentelemetry.GrpcOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.instrumentation.runtimetelemetry.RuntimeTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The service's meters, in one OpenTelemetry meter provider read by Prometheus: gRPC's own
 * per-call metrics with the gRFC A66 names ({@code grpc.server.call.started},
 * {@code grpc.server.call.duration}, the sent and received compressed message sizes, labelled
 * {@code grpc.method} and {@code grpc.status}), the JVM's (OpenTelemetry's runtime metrics), the
 * connection pool's ({@link PoolMetrics}) and the service's own ({@link ServiceCounters}, the
 * open live-update subscriptions, whether the database answers).
 */
public final class ServiceMetrics implements AutoCloseable {
  /** The instrumentation scope of the service's own meters. */
  static final String SCOPE = "dev.userservice";

  /**
   * Bucket bounds of the call latency histogram, in seconds: from 100 µs, as a point lookup takes
   * well under a millisecond, up to 30 s for long streams; few enough to keep the series per
   * method and status small.
   */
  static final List<Double> CALL_DURATION_BUCKETS = List.of(0.0001, 0.00025, 0.0005, 0.00075, 0.001,
      0.0015, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0);

  /**
   * Runtime gauges whose semantic-convention names end in ".count": Prometheus reserves the
   * {@code _count} suffix for histograms and summaries, so they are published under these names.
   */
  static final Map<String, String> RENAMED = Map.of(
      "jvm.thread.count", "jvm.threads",
      "jvm.class.count", "jvm.classes",
      "jvm.cpu.count", "jvm.cpus");

  // the scrape's job and instance labels name the service: no target_info, no scope labels
  private final PrometheusMetricReader prometheus = PrometheusMetricReader.builder()
      .setOtelScopeLabelsEnabled(false).setTargetInfoMetricEnabled(false).build();
  private final SdkMeterProvider meterProvider;
  private final OpenTelemetry openTelemetry;
  private final Meter meter;
  private final RuntimeTelemetry runtime;
  private final ServiceCounters counters;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Creates the meter provider with the JVM's meters bound. */
  public ServiceMetrics() {
    SdkMeterProviderBuilder builder = SdkMeterProvider.builder().registerMetricReader(prometheus)
        .registerView(InstrumentSelector.builder().setName("grpc.server.call.duration").build(),
            View.builder().setAggregation(Aggregation.explicitBucketHistogram(CALL_DURATION_BUCKETS)).build());
    RENAMED.forEach((name, published) -> builder.registerView(InstrumentSelector.builder().setName(name).build(),
        View.builder().setName(published).build()));
    meterProvider = builder.build();
    openTelemetry = OpenTelemetrySdk.builder().setMeterProvider(meterProvider).build();
    meter = meterProvider.get(SCOPE);
    runtime = RuntimeTelemetry.create(openTelemetry);
    counters = new ServiceCounters(meter);
  }

  /** Records gRPC's per-call metrics of every call the server built by {@code builder} takes. */
  public void instrument(ServerBuilder<?> builder) {
    GrpcOpenTelemetry.newBuilder().sdk(openTelemetry).build().configureServerBuilder(builder);
  }

  /** The tracker that publishes the pool's gauges and timings ({@link PoolMetrics}). */
  public MetricsTrackerFactory poolTracker() {
    return new PoolMetrics(meter);
  }

  /** The counters of logins and bulk writes. */
  public ServiceCounters counters() {
    return counters;
  }

  /** Publishes {@code user_service_updates_subscriptions}: the live-update subscriptions open now. */
  public void subscriptions(LongSupplier open) {
    meter.upDownCounterBuilder("user_service.updates.subscriptions").setUnit("{subscription}")
        .setDescription("Live-update subscriptions open now, over all UserUpdates streams")
        .buildWithCallback(measurement -> measurement.record(open.getAsLong()));
  }

  /** Publishes {@code user_service_database_up}: 1 while the last health check reached the database, else 0. */
  public void databaseUp(BooleanSupplier reachable) {
    meter.gaugeBuilder("user_service.database.up").ofLongs()
        .setDescription("1 when the last health check reached the database, else 0")
        .buildWithCallback(measurement -> measurement.record(reachable.getAsBoolean() ? 1 : 0));
  }

  PrometheusMetricReader prometheus() {
    return prometheus;
  }

  /** Stops the runtime meters and the meter provider, once. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    runtime.close();
    meterProvider.close();
  }
}
