package dev.userservice.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Plain JDBC access, as postgres over 127.0.0.1, to one of the failover tests' own servers. */
public record LocalPostgresClient(int port) {
  /** The JDBC URL of {@code database} on this server alone. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?connectTimeout=2&socketTimeout=10";
  }

  /** A new connection to {@code database}. */
  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), "postgres", "");
  }

  /** Runs a statement on {@code database}. */
  public void execute(String database, String sql) throws SQLException {
    try (Connection c = connect(database); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The first column of the first row the query returns, as text; null when there is no row. */
  public String queryText(String database, String sql) throws SQLException {
    try (Connection c = connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  /**
   * Whether the server takes writes now: out of recovery, not read-only (what pgjdbc checks for
   * {@code targetServerType=primary}), and not holding commits for a synchronous standby (as a
   * standby just promoted by pg_auto_failover does until the monitor confirms it).
   */
  public boolean takesWrites() {
    try {
      return "f".equals(queryText("postgres", "select pg_is_in_recovery()"))
          && "off".equals(queryText("postgres", "show transaction_read_only"))
          && queryText("postgres", "show synchronous_standby_names").isEmpty();
    } catch (SQLException e) {
      return false;
    }
  }
}
