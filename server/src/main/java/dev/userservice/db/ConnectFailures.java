package dev.userservice.db;

import java.sql.SQLException;
import java.util.Map;

/**
 * Why a connection could not be opened, in words for the operator who reads the one line a
 * refused start logs. Only the SQL state is used: a driver's message may name hosts and users,
 * but never a value a caller sent, and the state is enough to know what to fix.
 */
final class ConnectFailures {
  private static final int MAX_CAUSES = 8;
  private static final Map<String, String> REASONS = Map.of(
      "53300", "the server has no connection slot left (max_connections reached)",
      "28P01", "the server refused the user name or password",
      "28000", "the server refused the user (pg_hba.conf or role)",
      "3D000", "the database does not exist",
      "57P03", "the server is starting up, shutting down or in recovery",
      "08001", "no server could be reached, or none of the hosts is the primary",
      "08004", "the server refused the connection",
      "25006", "the server only reads (it is not the primary)");

  private ConnectFailures() {}

  /** The reason for the first SQL exception in {@code t}'s causes, or the root cause's type. */
  static String reason(Throwable t) {
    Throwable root = t;
    Throwable cause = t;
    for (int depth = 0; cause != null && depth < MAX_CAUSES; depth++, cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        return REASONS.getOrDefault(state, "the server answered SQL state " + state) + " [SQL state " + state + "]";
      }
      root = cause;
    }
    return root.getClass().getSimpleName();
  }
}
