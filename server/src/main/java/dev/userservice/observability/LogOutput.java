package dev.userservice.observability;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sends every log line through logback in the configured {@link Format}: java.util.logging,
 * which grpc-java logs to, is bridged to slf4j; logback.xml sets up text lines, and JSON
 * replaces the encoder of every output-stream appender on the root logger with logback's
 * {@link JsonEncoder}, so each line is one JSON object with the call fields under
 * {@code kvpList}.
 */
public final class LogOutput {
  /** How each log line is written. */
  public enum Format {
    /** logback.xml's text lines. */
    TEXT,
    /** One JSON object a line. */
    JSON
  }

  private LogOutput() {}

  /** Bridges java.util.logging and applies the format; text leaves logback.xml's encoders as they are. */
  public static void use(Format format) {
    requireNonNull(format, "format");
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
    if (format == Format.TEXT || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<ILoggingEvent> appender) {
        appender.stop();
        appender.setEncoder(jsonEncoder(context));
        appender.start();
      }
    }
  }

  static JsonEncoder jsonEncoder(LoggerContext context) {
    JsonEncoder encoder = new JsonEncoder();
    encoder.setContext(context);
    // one self-contained line per event: no context block, no MDC (the service puts nothing
    // there), and the message once, formatted
    encoder.setWithContext(false);
    encoder.setWithMDC(false);
    encoder.setWithSequenceNumber(false);
    encoder.setWithNanoseconds(false);
    encoder.setWithMessage(false);
    encoder.setWithArguments(false);
    encoder.setWithFormattedMessage(true);
    encoder.start();
    return encoder;
  }
}
