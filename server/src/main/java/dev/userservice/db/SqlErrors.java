package dev.userservice.db;

import io.grpc.Context;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Set;

/** Turns a {@link SQLException} into the unchecked exception the rest of the service understands. */
public final class SqlErrors {
  private static final String UNIQUE_VIOLATION = "23505";
  private static final String DEADLOCK_DETECTED = "40P01";
  /** A write on a server that only reads: a standby, or a primary that was demoted. */
  static final String READ_ONLY_SQL_TRANSACTION = "25006";
  /**
   * Serialization failure (both), deadlock detected and lock not available (PostgreSQL),
   * concurrent update (H2).
   */
  private static final Set<String> CONFLICT_STATES = Set.of("40001", DEADLOCK_DETECTED, "55P03", "90131");
  /** H2's lock timeout, reported with the generic timeout state HYT00. */
  private static final int H2_LOCK_TIMEOUT = 50200;
  private static final int MAX_CAUSES = 8;

  private SqlErrors() {}

  /** True when the exception reports a unique-index violation (both PostgreSQL and H2 use 23505). */
  public static boolean isUniqueViolation(SQLException e) {
    return UNIQUE_VIOLATION.equals(e.getSQLState());
  }

  /** True when the exception itself reports a deadlock that PostgreSQL broke by failing this statement. */
  public static boolean isDeadlock(SQLException e) {
    return DEADLOCK_DETECTED.equals(e.getSQLState());
  }

  /**
   * True when the transaction lost to a concurrent one (deadlock, serialization failure, lock
   * timeout), also when a batch reports it through its cause.
   */
  public static boolean isConflict(SQLException e) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < MAX_CAUSES; depth++, t = t.getCause()) {
      if (t instanceof SQLException sql && (CONFLICT_STATES.contains(sql.getSQLState())
          || ("HYT00".equals(sql.getSQLState()) && sql.getErrorCode() == H2_LOCK_TIMEOUT))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Classifies a failure: connection trouble becomes {@link DatabaseUnavailableException}, a
   * statement stopped for a cancelled or expired call becomes {@link QueryCancelledException}, a
   * transaction that lost to a concurrent one {@link TransactionConflictException}, anything else
   * {@link DatabaseException}.
   */
  public static RuntimeException translate(String operation, SQLException e) {
    if (Context.current().isCancelled()) {
      // whatever the statement reported, the call it served is over
      return new QueryCancelledException(operation + ": call ended", e);
    }
    if (isConnectionProblem(e)) {
      return new DatabaseUnavailableException(operation + ": database unavailable", e);
    }
    if (isConflict(e)) {
      return new TransactionConflictException(operation + ": lost to a concurrent transaction (deadlock or lock"
          + " timeout) and was rolled back", e);
    }
    return new DatabaseException(operation + " failed", e);
  }

  /**
   * True when the failure is the connection's, not the statement's: the server is gone, going
   * away or refusing connections, or it is no longer the primary (a demoted or read-only server
   * answers 25006). Looks through the causes and next exceptions, where a batch reports it.
   */
  static boolean isConnectionProblem(SQLException e) {
    if (e instanceof SQLTransientConnectionException) {
      return true; // Hikari: no connection within the connection timeout
    }
    Throwable t = e;
    for (int depth = 0; t != null && depth < MAX_CAUSES; depth++) {
      if (t instanceof SQLException sql && isConnectionState(sql.getSQLState())) {
        return true;
      }
      t = t instanceof SQLException sql && sql.getNextException() != null ? sql.getNextException() : t.getCause();
    }
    return false;
  }

  /**
   * 08: connection exception; 57P01..57P03: admin shutdown, crash shutdown, cannot connect now;
   * 53300: too many connections; 25006: read-only transaction, from a server that is not (or
   * no longer) the primary.
   */
  static boolean isConnectionState(String state) {
    return state != null && (state.startsWith("08") || state.startsWith("57P") || state.equals("53300")
        || state.equals(READ_ONLY_SQL_TRANSACTION));
  }
}
