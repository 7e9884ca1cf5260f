package dev.userservice.observability;

import com.zaxxer.hikari.metrics.IMetricsTracker;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.PoolStats;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.BatchCallback;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;

/**
 * HikariCP's metrics tracker, bridged to OpenTelemetry under the names of OpenTelemetry's
 * connection-pool conventions ({@code db.client.connections.*}, labelled {@code pool.name}), with
 * times in seconds: connections used and idle, the pool's bounds, threads waiting for a
 * connection, timeouts, and the time to create, wait for and use a connection.
 */
final class PoolMetrics implements MetricsTrackerFactory {
  private static final AttributeKey<String> POOL = AttributeKey.stringKey("pool.name");
  private static final AttributeKey<String> STATE = AttributeKey.stringKey("state");
  private static final double NANOS_PER_SECOND = 1e9;
  private static final double MILLIS_PER_SECOND = 1e3;

  private final Meter meter;

  PoolMetrics(Meter meter) {
    this.meter = meter;
  }

  @Override
  public IMetricsTracker create(String poolName, PoolStats stats) {
    Attributes pool = Attributes.of(POOL, poolName);
    Attributes used = pool.toBuilder().put(STATE, "used").build();
    Attributes idle = pool.toBuilder().put(STATE, "idle").build();
    ObservableLongMeasurement usage = gauge("db.client.connections.usage",
        "Connections in the pool, by state: used (lent out) or idle");
    ObservableLongMeasurement max = gauge("db.client.connections.max", "Most connections the pool opens");
    ObservableLongMeasurement idleMin = gauge("db.client.connections.idle.min",
        "Fewest idle connections the pool keeps");
    ObservableLongMeasurement pending = gauge("db.client.connections.pending_requests",
        "Threads waiting for a connection");
    BatchCallback callback = meter.batchCallback(() -> {
      usage.record(stats.getActiveConnections(), used);
      usage.record(stats.getIdleConnections(), idle);
      max.record(stats.getMaxConnections(), pool);
      idleMin.record(stats.getMinConnections(), pool);
      pending.record(stats.getPendingThreads(), pool);
    }, usage, max, idleMin, pending);
    LongCounter timeouts = meter.counterBuilder("db.client.connections.timeouts").setUnit("{timeout}")
        .setDescription("Connection requests that timed out waiting for a connection").build();
    timeouts.add(0, pool); // published from the start, so a rate over it needs no first timeout
    DoubleHistogram createTime = seconds("db.client.connections.create_time", "Time to open a connection");
    DoubleHistogram waitTime = seconds("db.client.connections.wait_time", "Time waited for a connection");
    DoubleHistogram useTime = seconds("db.client.connections.use_time", "Time a connection was lent out");
    return new IMetricsTracker() {
      @Override
      public void recordConnectionCreatedMillis(long millis) {
        createTime.record(millis / MILLIS_PER_SECOND, pool);
      }

      @Override
      public void recordConnectionAcquiredNanos(long nanos) {
        waitTime.record(nanos / NANOS_PER_SECOND, pool);
      }

      @Override
      public void recordConnectionUsageMillis(long millis) {
        useTime.record(millis / MILLIS_PER_SECOND, pool);
      }

      @Override
      public void recordConnectionTimeout() {
        timeouts.add(1, pool);
      }

      @Override
      public void close() {
        callback.close();
      }
    };
  }

  private ObservableLongMeasurement gauge(String name, String description) {
    return meter.upDownCounterBuilder(name).setUnit("{connection}").setDescription(description)
        .buildObserver();
  }

  private DoubleHistogram seconds(String name, String description) {
    // in seconds, so the bounds are too: the SDK's defaults (0, 5, 10 ... 10000) suit milliseconds
    return meter.histogramBuilder(name).setUnit("s").setDescription(description)
        .setExplicitBucketBoundariesAdvice(ServiceMetrics.CALL_DURATION_BUCKETS).build();
  }
}
