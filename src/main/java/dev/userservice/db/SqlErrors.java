package dev.userservice.db;

import io.grpc.Context;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

/** Turns a {@link SQLException} into the unchecked exception the rest of the service understands. */
public final class SqlErrors {
  private static final String UNIQUE_VIOLATION = "23505";

  private SqlErrors() {}

  /** True when the exception reports a unique-index violation (both PostgreSQL and H2 use 23505). */
  public static boolean isUniqueViolation(SQLException e) {
    return UNIQUE_VIOLATION.equals(e.getSQLState());
  }

  /**
   * Classifies a failure: connection trouble becomes {@link DatabaseUnavailableException}, a
   * statement stopped for a cancelled or expired call becomes {@link QueryCancelledException},
   * anything else {@link DatabaseException}.
   */
  public static RuntimeException translate(String operation, SQLException e) {
    if (Context.current().isCancelled()) {
      // whatever the statement reported, the call it served is over
      return new QueryCancelledException(operation + ": call ended", e);
    }
    if (isConnectionProblem(e)) {
      return new DatabaseUnavailableException(operation + ": database unavailable", e);
    }
    return new DatabaseException(operation + " failed", e);
  }

  private static boolean isConnectionProblem(SQLException e) {
    if (e instanceof SQLTransientConnectionException) {
      return true; // Hikari: no connection within the connection timeout
    }
    String state = e.getSQLState();
    if (state == null) {
      return false;
    }
    // 08: connection exception; 57P01..57P03: admin shutdown, crash shutdown, cannot connect now;
    // 53300: too many connections
    return state.startsWith("08") || state.startsWith("57P") || state.equals("53300");
  }
}
