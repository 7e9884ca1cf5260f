package dev.userservice.observability;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** The text log's {@code %emsg}: the formatted message, escaped by {@link LogEscaping}. */
public final class EscapedMessageConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    return LogEscaping.escape(event.getFormattedMessage());
  }
}
