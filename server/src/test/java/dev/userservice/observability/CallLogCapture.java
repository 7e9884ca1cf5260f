package dev.userservice.observability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/** Keeps the lines of the call log ({@code calls}, at INFO) written during each test. */
final class CallLogCapture implements BeforeEachCallback, AfterEachCallback {
  private final Logger callLog = (Logger) LoggerFactory.getLogger("calls");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private Level previousLevel;

  @Override
  public void beforeEach(ExtensionContext context) {
    previousLevel = callLog.getLevel();
    callLog.setLevel(Level.INFO);
    appender.start();
    callLog.addAppender(appender);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    callLog.detachAppender(appender);
    callLog.setLevel(previousLevel);
  }

  /** The lines so far, oldest first. */
  List<ILoggingEvent> lines() {
    return appender.list;
  }

  /** A line's key-value pairs, each value as text. */
  static Map<String, String> fields(ILoggingEvent line) {
    return line.getKeyValuePairs().stream().collect(Collectors.toMap(pair -> pair.key, pair -> String.valueOf(pair.value)));
  }
}
