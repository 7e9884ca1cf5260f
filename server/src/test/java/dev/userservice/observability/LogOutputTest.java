package dev.userservice.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The ECS JSON lines {@link LogOutput} switches the console to, and its java.util.logging bridge. */
class LogOutputTest {

  @Test
  void jsonEncoder_callLine_oneEcsObjectWithEachFieldAsItsOwnKeyAndNumbersAsNumbers() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    Logger logger = context.getLogger("calls");
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.setContext(context);
    events.start();
    logger.addAppender(events);
    logger.atInfo().addKeyValue("method", "user.v1.UserService/GetUser").addKeyValue("status", "OK")
        .addKeyValue("duration_ms", CallLoggingInterceptor.millis(1_234))
        .addKeyValue("description", "quote \" and\nnewline\u2028").log("call finished");
    EcsLineEncoder encoder = LogOutput.jsonEncoder(context);

    String line = new String(encoder.encode(events.list.get(0)), StandardCharsets.UTF_8);

    assertThat(line).endsWith("\n");
    assertThat(line.strip()).doesNotContain("\n", "\r");
    JsonObject json = JsonParser.parseString(line).getAsJsonObject();
    assertThat(json.get("@timestamp").getAsString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(json.get("log.level").getAsString()).isEqualTo("INFO");
    assertThat(json.get("log.logger").getAsString()).isEqualTo("calls");
    assertThat(json.get("message").getAsString()).isEqualTo("call finished");
    assertThat(json.get("service.name").getAsString()).isEqualTo("user-service");
    assertThat(json.get("method").getAsString()).isEqualTo("user.v1.UserService/GetUser");
    assertThat(json.get("status").getAsString()).isEqualTo("OK");
    assertThat(json.get("duration_ms").isJsonPrimitive() && json.get("duration_ms").getAsJsonPrimitive().isNumber())
        .as("duration_ms a JSON number: %s", line).isTrue();
    assertThat(json.get("duration_ms").getAsBigDecimal()).isEqualByComparingTo("1.234");
    assertThat(json.get("description").getAsString()).isEqualTo("quote \" and\nnewline\u2028");
    assertThat(json.has("trace.id")).as("no trace outside a traced call").isFalse();
  }

  @Test
  void jsonEncoder_insideSpan_carriesTraceAndSpanIds() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    Logger logger = context.getLogger("calls");
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.setContext(context);
    events.start();
    logger.addAppender(events);
    SpanContext span = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
        TraceFlags.getSampled(), TraceState.getDefault());
    EcsLineEncoder encoder = LogOutput.jsonEncoder(context);

    String line;
    try (Scope ignored = Span.wrap(span).makeCurrent()) {
      logger.info("inside");
      line = new String(encoder.encode(events.list.get(0)), StandardCharsets.UTF_8);
    }

    JsonObject json = JsonParser.parseString(line).getAsJsonObject();
    assertThat(json.get("trace.id").getAsString()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(json.get("span.id").getAsString()).isEqualTo("b7ad6b7169203331");
  }

  @Test
  void use_text_grpcJavaUtilLoggingLinesReachLogback() {
    Logger grpcLogger = (Logger) LoggerFactory.getLogger("io.grpc.LogOutputTest");
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    grpcLogger.addAppender(events);
    try {
      LogOutput.use(LogOutput.Format.TEXT);

      java.util.logging.Logger.getLogger("io.grpc.LogOutputTest").warning("transport failed");

      assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("transport failed");
    } finally {
      grpcLogger.detachAppender(events);
      SLF4JBridgeHandler.uninstall();
    }
  }
}
