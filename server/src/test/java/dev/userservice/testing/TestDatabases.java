package dev.userservice.testing;

import dev.userservice.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Databases for tests: a fresh in-memory H2, or a fresh schema in the real PostgreSQL named by
 * the {@code test.postgres.url} and {@code test.postgres.user} system properties (set by the
 * build; 127.0.0.1:5432/test by default). A PostgreSQL test fails, never skips, when the
 * server is down.
 */
public final class TestDatabases {
  private TestDatabases() {}

  public static String postgresUrl() {
    return System.getProperty("test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
  }

  public static String postgresUser() {
    return System.getProperty("test.postgres.user", "postgres");
  }

  /** Settings for a new, empty in-memory H2 database. */
  public static DatabaseSettings h2() {
    return new DatabaseSettings(DatabaseSettings.inMemoryUrl("t" + UUID.randomUUID().toString().replace("-", "")),
        Optional.empty(), Optional.empty(), Optional.empty(), 4, Duration.ofSeconds(2));
  }

  /** Settings for a new schema in PostgreSQL; Flyway creates it. Drop it with {@link #dropSchema}. */
  public static DatabaseSettings postgres() {
    String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    return new DatabaseSettings(postgresUrl(), Optional.of(postgresUser()), Optional.empty(), Optional.of(schema), 4,
        Duration.ofSeconds(2));
  }

  /** Creates a new schema in PostgreSQL and returns its name. */
  public static String createPostgresSchema() throws SQLException {
    String schema = postgres().schema().orElseThrow();
    execute("create schema " + schema);
    return schema;
  }

  /** Creates a new, empty PostgreSQL database whose name starts with {@code prefix} and returns its name. */
  public static String createDatabase(String prefix) throws SQLException {
    String database = prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute("create database " + database);
    return database;
  }

  /** The JDBC URL of {@code database} on the test server. */
  public static String databaseUrl(String database) {
    return postgresUrl().replaceAll("/[^/]*$", "/" + database);
  }

  /** Settings for the whole of {@code database}: a pool of 4 that waits at most a second. */
  public static DatabaseSettings databaseSettings(String database) {
    return new DatabaseSettings(databaseUrl(database), Optional.of(postgresUser()), Optional.empty(), Optional.empty(),
        4, Duration.ofSeconds(1));
  }

  /** Drops {@code database}, ending the connections still open to it. */
  public static void dropDatabase(String database) throws SQLException {
    execute("drop database if exists " + database + " with (force)");
  }

  /** Ends every other connection to {@code database} (pg_terminate_backend) and returns how many. */
  public static int terminateBackends(String database) throws SQLException {
    try (Connection c = DriverManager.getConnection(postgresUrl(), postgresUser(), "");
        PreparedStatement s = c.prepareStatement("select count(pg_terminate_backend(pid)) from pg_stat_activity"
            + " where datname = ? and pid <> pg_backend_pid()")) {
      s.setString(1, database);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  public static void dropSchema(String schema) throws SQLException {
    execute("drop schema if exists " + schema + " cascade");
  }

  public static void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(postgresUrl(), postgresUser(), "");
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
