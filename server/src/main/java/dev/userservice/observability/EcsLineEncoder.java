package dev.userservice.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import co.elastic.logging.JsonUtils;
import co.elastic.logging.logback.EcsEncoder;
import java.math.BigDecimal;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * Elastic's ECS encoder ({@code @timestamp}, {@code log.level}, {@code message},
 * {@code service.name}, {@code log.logger}, {@code process.thread.name}, {@code error.*}), with
 * the event's key-value pairs (the call line's fields) as top-level keys, numbers as JSON numbers,
 * and the current trace's {@code trace.id} and {@code span.id}. The encoder writes on the thread
 * that logs (the console appender is synchronous), where the call's trace is current.
 */
public final class EcsLineEncoder extends EcsEncoder {

  @Override
  protected void addCustomFields(ILoggingEvent event, StringBuilder json) {
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs != null) {
      for (KeyValuePair pair : pairs) {
        field(json, pair.key, pair.value);
      }
    }
    TraceIds.current().ifPresent(ids -> {
      field(json, "trace.id", ids.traceId());
      field(json, "span.id", ids.spanId());
    });
  }

  /** Appends {@code "key":value,}: a finite number as it is, anything else as a JSON string. */
  static void field(StringBuilder json, String key, Object value) {
    json.append('"');
    JsonUtils.quoteAsString(String.valueOf(key), json);
    json.append("\":");
    if (value instanceof BigDecimal decimal) {
      json.append(decimal.toPlainString());
    } else if (value instanceof Integer || value instanceof Long
        || (value instanceof Double d && Double.isFinite(d))) {
      json.append(value);
    } else {
      json.append('"');
      JsonUtils.quoteAsString(String.valueOf(value), json);
      json.append('"');
    }
    json.append(',');
  }
}
