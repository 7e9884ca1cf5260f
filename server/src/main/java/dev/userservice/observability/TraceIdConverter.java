package dev.userservice.observability;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The text log's {@code %traceid}: {@code  trace_id=<32 hex digits>} while a trace is current on
 * the logging thread, else nothing. The id is hex the SDK made, so it needs no escaping.
 */
public final class TraceIdConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return TraceIds.current().map(ids -> " trace_id=" + ids.traceId()).orElse("");
  }
}
