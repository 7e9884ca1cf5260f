package dev.userservice.observability;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import java.util.Iterator;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Sends every log line through logback in the configured {@link Format}: java.util.logging,
 * which grpc-java logs to, is bridged to slf4j; logback.xml sets up text lines, and JSON
 * replaces the encoder of every output-stream appender on the root logger with the
 * {@link EcsLineEncoder}, so each line is one ECS JSON object with the call's fields as keys of
 * their own.
 */
public final class LogOutput {
  /** How each log line is written. */
  public enum Format {
    /** logback.xml's text lines. */
    TEXT,
    /** One ECS JSON object a line. */
    JSON
  }

  /** The {@code service.name} of every JSON line. */
  static final String SERVICE_NAME = "user-service";

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

  /** Writes out buffered lines and stops logging: the last step before the process exits. */
  public static void stop() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }

  static EcsLineEncoder jsonEncoder(LoggerContext context) {
    EcsLineEncoder encoder = new EcsLineEncoder();
    encoder.setContext(context);
    encoder.setServiceName(SERVICE_NAME);
    encoder.start();
    return encoder;
  }
}
