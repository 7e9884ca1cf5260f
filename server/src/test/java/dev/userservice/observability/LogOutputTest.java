package dev.userservice.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.read.ListAppender;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/** The JSON lines {@link LogOutput} switches the console to, and its java.util.logging bridge. */
class LogOutputTest {

  @Test
  void jsonEncoder_callLine_oneJsonObjectWithEachFieldAsItsOwnKey() {
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    Logger logger = context.getLogger("calls");
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.setContext(context);
    events.start();
    logger.addAppender(events);
    logger.atInfo().addKeyValue("method", "user.v1.UserService/GetUser").addKeyValue("status", "OK")
        .addKeyValue("description", "quote \" and\nnewline").log("call finished");
    JsonEncoder encoder = LogOutput.jsonEncoder(context);

    String line = new String(encoder.encode(events.list.get(0)), StandardCharsets.UTF_8);

    assertThat(line).endsWith("\n");
    assertThat(line.strip()).doesNotContain("\n");
    JsonObject json = JsonParser.parseString(line).getAsJsonObject();
    assertThat(json.get("level").getAsString()).isEqualTo("INFO");
    assertThat(json.get("loggerName").getAsString()).isEqualTo("calls");
    assertThat(json.get("formattedMessage").getAsString()).isEqualTo("call finished");
    Map<String, String> fields = new HashMap<>();
    for (JsonElement pair : json.getAsJsonArray("kvpList")) {
      pair.getAsJsonObject().entrySet().forEach(e -> fields.put(e.getKey(), e.getValue().getAsString()));
    }
    assertThat(fields).containsEntry("method", "user.v1.UserService/GetUser").containsEntry("status", "OK")
        .containsEntry("description", "quote \" and\nnewline");
    assertThat(json.has("context")).as("no per-line context block").isFalse();
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
