package dev.userservice.observability;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.util.List;
import org.slf4j.event.KeyValuePair;

/**
 * The text log's {@code %ekvp}: the event's key-value pairs as {@code key="value"}, separated by
 * spaces, keys and values escaped by {@link LogEscaping}, so a value cannot close its quotes and
 * add a pair or a line of its own.
 */
public final class EscapedKeyValuePairsConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    List<KeyValuePair> pairs = event.getKeyValuePairs();
    if (pairs == null || pairs.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder(pairs.size() * 24);
    for (KeyValuePair pair : pairs) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(LogEscaping.escape(pair.key)).append("=\"")
          .append(LogEscaping.escape(String.valueOf(pair.value))).append('"');
    }
    return out.toString();
  }
}
