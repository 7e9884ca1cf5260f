package dev.userservice.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import java.util.Optional;

/** The trace and span ids of the span current on this thread, when one is being recorded. */
record TraceIds(String traceId, String spanId) {

  static Optional<TraceIds> current() {
    SpanContext span = Span.current().getSpanContext();
    return span.isValid() ? Optional.of(new TraceIds(span.getTraceId(), span.getSpanId())) : Optional.empty();
  }
}
