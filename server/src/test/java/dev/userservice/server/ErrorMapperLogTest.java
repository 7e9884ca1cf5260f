package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.userservice.db.DatabaseException;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.db.DatabaseUnavailableException;
import io.grpc.Status;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** What {@link ErrorMapper} writes to the log for a failure: the driver's messages, which quote values, never. */
class ErrorMapperLogTest {
  private static final String SECRET = "secret-" + UUID.randomUUID() + "@example.com";

  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ErrorMapper.class);

  @BeforeEach
  void attach() {
    events.start();
    logger.addAppender(events);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(events);
  }

  @Test
  void toStatusException_h2ErrorQuotingAValue_internalAndLoggedWithoutTheValue() throws SQLException {
    SQLException h2 = h2ValueTooLong();
    assertThat(h2.getMessage()).as("H2 quotes the value").contains(SECRET);

    Status status = ErrorMapper.toStatusException(new DatabaseException("create user failed", h2)).getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
    String log = formatted();
    assertThat(log).contains("create user failed").contains("org.h2.jdbc.JdbcSQLDataException")
        .contains("SQL state 22001").doesNotContain(SECRET);
    assertThat(log).as("the stack trace is kept").contains("at org.h2.");
  }

  @Test
  void toStatusException_unavailableWithDriverMessage_loggedWithoutTheMessage() {
    SQLException cause = new SQLException("connection lost while sending " + SECRET, "08006");

    Status status = ErrorMapper.toStatusException(new DatabaseUnavailableException("find user: database unavailable",
        cause)).getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(formatted()).contains("SQL state 08006").doesNotContain(SECRET);
  }

  @Test
  void toStatusException_bugOfTheService_messageAndCausesKept() {
    IllegalStateException bug = new IllegalStateException("state went wrong", new IllegalArgumentException("because"));

    ErrorMapper.toStatusException(bug);

    assertThat(formatted()).contains("java.lang.IllegalStateException: state went wrong")
        .contains("java.lang.IllegalArgumentException: because");
  }

  private static SQLException h2ValueTooLong() throws SQLException {
    String url = DatabaseSettings.inMemoryUrl("errors" + UUID.randomUUID().toString().replace("-", ""));
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute("create table t (email varchar(8))");
      s.execute("insert into t values ('" + SECRET + "')");
      throw new AssertionError("expected H2 to refuse the value");
    } catch (SQLException e) {
      return e;
    }
  }

  private String formatted() {
    PatternLayout layout = new PatternLayout();
    layout.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    layout.setPattern("%msg%n%ex{full}");
    layout.start();
    StringBuilder out = new StringBuilder();
    events.list.forEach(event -> out.append(layout.doLayout(event)));
    return out.toString();
  }
}
