package dev.userservice.observability;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs work for a call in that call's trace when the work does not run in the call's own gRPC
 * context (a batch serving many calls runs in a context of its own): its statements become spans
 * of the call, its log lines carry the call's trace id. Without tracing the trace is empty and
 * this only runs the work.
 */
public final class CallTraces {
  private CallTraces() {}

  /**
   * Does {@code work} with the trace current in {@code call} (a gRPC context captured by the call)
   * and returns its result.
   */
  public static <R> R callInTraceOf(io.grpc.Context call, Supplier<R> work) {
    AtomicReference<Context> trace = new AtomicReference<>();
    // gRPC's context carries OpenTelemetry's (OpenTelemetry's gRPC library bridges the two)
    call.run(() -> trace.set(Context.current()));
    try (Scope ignored = trace.get().makeCurrent()) {
      return work.get();
    }
  }
}
