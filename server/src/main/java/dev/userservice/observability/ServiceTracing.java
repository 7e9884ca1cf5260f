package dev.userservice.observability;

import static java.util.Objects.requireNonNull;

import io.grpc.ServerInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.instrumentation.grpc.v1_6.GrpcTelemetry;
import io.opentelemetry.instrumentation.jdbc.datasource.JdbcTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The service's traces, when an OTLP endpoint is configured: W3C {@code traceparent} is read from
 * each call and a server span with gRPC's semantic attributes recorded for it (OpenTelemetry's
 * gRPC instrumentation), each JDBC statement is a child span (OpenTelemetry's JDBC
 * instrumentation, statements with their values replaced by {@code ?}), and the spans go to the
 * collector in batches. Off, nothing is added: no interceptor, the data source unwrapped, no SDK.
 */
public final class ServiceTracing implements AutoCloseable {
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

  private final Optional<OpenTelemetrySdk> sdk;

  private ServiceTracing(Optional<OpenTelemetrySdk> sdk) {
    this.sdk = sdk;
  }

  /** No tracing. */
  public static ServiceTracing off() {
    return new ServiceTracing(Optional.empty());
  }

  /** Traces sent to {@code endpoint}{@code /v1/traces} over OTLP/HTTP when given, else {@link #off()}. */
  public static ServiceTracing fromEndpoint(Optional<URI> endpoint) {
    requireNonNull(endpoint, "endpoint");
    return endpoint.map(uri -> exportingThrough(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
        .setEndpoint(withTracesPath(uri)).build()).build())).orElseGet(ServiceTracing::off);
  }

  /** Traces handed to this processor (a test's in-memory exporter behind a simple processor). */
  public static ServiceTracing exportingThrough(SpanProcessor processor) {
    requireNonNull(processor, "processor");
    SdkTracerProvider tracers = SdkTracerProvider.builder()
        .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(SERVICE_NAME, LogOutput.SERVICE_NAME))))
        .addSpanProcessor(processor).build();
    return new ServiceTracing(Optional.of(OpenTelemetrySdk.builder().setTracerProvider(tracers)
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build()));
  }

  static String withTracesPath(URI endpoint) {
    String base = endpoint.toString();
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/traces";
  }

  public boolean enabled() {
    return sdk.isPresent();
  }

  /**
   * The interceptor that starts each call's server span, continuing the caller's trace, and makes
   * it current in the call's callbacks; none when tracing is off. The same library bridges gRPC's
   * context to OpenTelemetry's, so work a call hands to another thread with its gRPC context
   * ({@code Context.current().wrap}) runs in the call's trace too: its statements are child spans
   * and its log lines carry the trace id.
   */
  public List<ServerInterceptor> serverInterceptors() {
    return sdk.<List<ServerInterceptor>>map(otel -> List.of(GrpcTelemetry.create(otel).createServerInterceptor()))
        .orElse(List.of());
  }

  /** {@code dataSource} with a span for each statement, or itself when tracing is off. */
  public DataSource traced(DataSource dataSource) {
    return sdk.map(otel -> JdbcTelemetry.create((OpenTelemetry) otel).wrap(dataSource)).orElse(dataSource);
  }

  /** Sends the spans still buffered and stops the tracer provider, when tracing is on. */
  @Override
  public void close() {
    sdk.ifPresent(OpenTelemetrySdk::close);
  }
}
