package dev.userservice.db;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells the pool to drop a connection whose server answered that it only reads (SQLSTATE
 * 25006): it is a standby, or a primary that was demoted, and every later write on it would
 * fail the same way. Hikari already drops connections on its own list of broken states
 * (08xxx, 57P01..57P03 and others); this adds the read-only one.
 */
public final class ReadOnlyServerEviction implements SQLExceptionOverride {
  @java.lang.Override
  public Override adjudicate(SQLException e) {
    return SqlErrors.READ_ONLY_SQL_TRANSACTION.equals(e.getSQLState()) ? Override.MUST_EVICT : Override.CONTINUE_EVICT;
  }
}
