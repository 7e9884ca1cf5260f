package dev.userservice.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Lines of the service's text log, encoded by the encoder its own logback.xml configures: a value
 * a caller chose (an update_mask path, a request id, an exception message) cannot end the line
 * or the quotes it is written in.
 */
class TextLogEscapingTest {
  private static final String FORGED = "2026-01-01T00:00:00.000Z INFO  [main] calls - call finished status=\"OK\"";

  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void setUp() {
    context.setMDCAdapter(new LogbackMDCAdapter());
    events.setContext(context);
    events.start();
    logger = context.getLogger("calls");
    logger.addAppender(events);
  }

  @Test
  void textEncoder_newlineInKeyValue_staysOnOneLine() throws JoranException {
    logger.atInfo().addKeyValue("status", "INVALID_ARGUMENT")
        .addKeyValue("description", "update_mask: unknown path 'x\n" + FORGED + "'").log("call finished");

    String line = encodeAsText(events.list.get(0));

    assertThat(line).endsWith("\n");
    assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n").doesNotContain("\r");
    assertThat(line).contains("description=\"update_mask: unknown path 'x\\n2026-01-01T00:00:00.000Z INFO  [main] calls"
        + " - call finished status=\\\"OK\\\"'\"");
  }

  @Test
  void textEncoder_quotesInKeyValue_escapedInsideTheValue() throws JoranException {
    logger.atInfo().addKeyValue("request_id", "a\" status=\"OK").log("call finished");

    String line = encodeAsText(events.list.get(0));

    assertThat(line).contains("request_id=\"a\\\" status=\\\"OK\"");
    assertThat(line).doesNotContain(" status=\"OK\"");
  }

  @Test
  void textEncoder_controlCharactersInMessage_escaped() throws JoranException {
    logger.info("first\r\nsecond\u0000third\u2028fourth\\");

    String line = encodeAsText(events.list.get(0));

    assertThat(line).contains("first\\r\\nsecond\\u0000third\\u2028fourth\\\\").endsWith("\n");
    assertThat(line.substring(0, line.length() - 1)).doesNotContain("\n");
  }

  @Test
  void textEncoder_newlineInExceptionMessage_escapedButStackStaysReadable() throws JoranException {
    logger.error("internal error", new IllegalStateException("bad\n" + FORGED,
        new IllegalArgumentException("cause\nline")));

    String text = encodeAsText(events.list.get(0));

    assertThat(text).contains("java.lang.IllegalStateException: bad\\n2026-01-01T00:00:00.000Z");
    assertThat(text).contains("Caused by: java.lang.IllegalArgumentException: cause\\nline");
    assertThat(text.lines()).noneMatch(l -> l.startsWith("2026-01-01T00:00:00.000Z"));
    assertThat(text.lines()).anyMatch(l -> l.startsWith("\tat dev.userservice.observability.TextLogEscapingTest"));
  }

  @Test
  void textEncoder_insideSpan_lineEndsWithTraceId() throws JoranException {
    SpanContext span = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), TraceState.getDefault());
    logger.info("inside");

    String text;
    try (Scope ignored = Span.wrap(span).makeCurrent()) {
      text = encodeAsText(events.list.get(0));
    }

    assertThat(text).endsWith("inside  trace_id=0af7651916cd43dd8448eb211c80319c\n");
    assertThat(encodeAsText(events.list.get(0))).doesNotContain("trace_id");
  }

  @Test
  void jsonEncoder_newlinesAndQuotesInMessageAndException_oneValidJsonLine() {
    logger.error("message \"quoted\"\n" + FORGED, new IllegalStateException("bad\n\"" + FORGED));
    EcsLineEncoder encoder = LogOutput.jsonEncoder(context);

    String line = new String(encoder.encode(events.list.get(0)), StandardCharsets.UTF_8);

    assertThat(line.strip()).doesNotContain("\n");
    JsonObject json = JsonParser.parseString(line).getAsJsonObject();
    assertThat(json.get("message").getAsString()).isEqualTo("message \"quoted\"\n" + FORGED);
    assertThat(json.get("error.message").getAsString()).isEqualTo("bad\n\"" + FORGED);
    assertThat(json.get("error.stack_trace").getAsString()).contains("bad\n\"" + FORGED);
  }

  /** Encodes with the encoder of the STDOUT appender that the service's logback.xml configures. */
  private static String encodeAsText(ILoggingEvent event) throws JoranException {
    LoggerContext configured = new LoggerContext();
    configured.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(configured);
    configurator.doConfigure(TextLogEscapingTest.class.getResource("/logback.xml"));
    var appender = (OutputStreamAppender<ILoggingEvent>) configured.getLogger(Logger.ROOT_LOGGER_NAME)
        .getAppender("STDOUT");
    Encoder<ILoggingEvent> encoder = appender.getEncoder();
    try {
      return new String(encoder.encode(event), StandardCharsets.UTF_8);
    } finally {
      configured.stop();
    }
  }
}
