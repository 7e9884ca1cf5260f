package dev.userservice.db;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.pool.HikariPool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool to the service's database, with its schema migrated. Opening fails when
 * the database cannot be reached or migrated, so a service never starts half-ready.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final int VALIDATION_SECONDS = 1;

  private final HikariDataSource dataSource;
  private final boolean postgres;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Database(HikariDataSource dataSource, boolean postgres) {
    this.dataSource = dataSource;
    this.postgres = postgres;
  }

  /**
   * Opens the pool and applies pending migrations.
   *
   * @throws DatabaseUnavailableException when the database cannot be reached or migrated
   */
  public static Database open(DatabaseSettings settings) {
    requireNonNull(settings, "settings");
    return open(poolConfig(settings), settings);
  }

  /**
   * Like {@link #open(DatabaseSettings)}, with the pool publishing its gauges (active, idle,
   * pending and total connections) and timings through this tracker.
   */
  public static Database open(DatabaseSettings settings, MetricsTrackerFactory metrics) {
    requireNonNull(settings, "settings");
    requireNonNull(metrics, "metrics");
    HikariConfig config = poolConfig(settings);
    config.setMetricsTrackerFactory(metrics);
    return open(config, settings);
  }

  /**
   * Opens a pool to a database whose schema a service keeps, without migrating it: for a command
   * run beside that service, which may be of another version.
   *
   * @throws DatabaseUnavailableException when the database cannot be reached
   */
  public static Database openWithoutMigrating(DatabaseSettings settings) {
    requireNonNull(settings, "settings");
    try {
      return new Database(new HikariDataSource(poolConfig(settings)), settings.isPostgres());
    } catch (HikariPool.PoolInitializationException e) {
      throw new DatabaseUnavailableException("cannot connect to the database", e);
    }
  }

  private static Database open(HikariConfig poolConfig, DatabaseSettings settings) {
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(poolConfig);
    } catch (HikariPool.PoolInitializationException e) {
      throw new DatabaseUnavailableException("cannot open the connection pool to " + settings.maskedUrl() + ": "
          + ConnectFailures.reason(e), e);
    }
    try {
      migrate(settings);
    } catch (FlywayException e) {
      dataSource.close();
      throw new DatabaseUnavailableException("cannot migrate " + settings.maskedUrl() + ": " + ConnectFailures.reason(e),
          e);
    }
    return new Database(dataSource, settings.isPostgres());
  }

  private static HikariConfig poolConfig(DatabaseSettings settings) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("user-db");
    config.setJdbcUrl(settings.jdbcUrl());
    settings.user().ifPresent(config::setUsername);
    settings.password().ifPresent(config::setPassword);
    settings.schema().ifPresent(config::setSchema);
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(settings.poolSize());
    config.setConnectionTimeout(settings.connectionTimeout().toMillis());
    config.setValidationTimeout(Math.min(1000, settings.connectionTimeout().toMillis()));
    config.setInitializationFailTimeout(settings.connectionTimeout().toMillis());
    if (settings.isPostgres()) {
      config.addDataSourceProperty("ApplicationName", "user-service");
      config.addDataSourceProperty("tcpKeepAlive", "true");
      long connectSeconds = Math.max(1, settings.connectionTimeout().toSeconds());
      config.addDataSourceProperty("connectTimeout", Long.toString(connectSeconds));
      // exception messages then hold no bound value: a failed batch names no statement and its
      // parameters ("Batch entry 0 <unknown>"), a server error keeps its message and drops the
      // detail, hint and context (where a duplicate key or a COPY line quotes the row)
      config.addDataSourceProperty("logServerErrorDetail", "false");
      // a connection left on a server that now only reads (demoted primary) is dropped
      config.setExceptionOverride(new ReadOnlyServerEviction());
    }
    return config;
  }

  private static void migrate(DatabaseSettings settings) {
    // connections of its own: Flyway may hold two at once, more than a small pool can spare
    var flyway = Flyway.configure()
        .dataSource(settings.jdbcUrl(), settings.user().orElse(null), settings.password().orElse(null))
        .locations("classpath:db/migration");
    settings.schema().ifPresent(schema -> flyway.schemas(schema).createSchemas(true));
    var result = flyway.load().migrate();
    if (result.migrationsExecuted > 0) {
      log.info("database migrated to version {} ({} migrations applied)", result.targetSchemaVersion,
          result.migrationsExecuted);
    }
  }

  /** The pool; every connection taken from it must be closed. */
  public DataSource dataSource() {
    return dataSource;
  }

  /** True for PostgreSQL, false for the embedded H2. */
  public boolean isPostgres() {
    return postgres;
  }

  /**
   * Whether a connection can be taken from the pool and answers a validation query now; for
   * PostgreSQL, also whether its server takes writes (is the primary). A connection whose
   * server only reads is dropped from the pool, so the next one is opened on the primary.
   */
  public boolean isReachable() {
    if (closed.get()) {
      return false;
    }
    try (Connection connection = dataSource.getConnection()) {
      if (!connection.isValid(VALIDATION_SECONDS)) {
        return false;
      }
      if (postgres && readOnly(connection)) {
        log.warn("database connection is on a server that only reads (not the primary): dropping it");
        dataSource.evictConnection(connection);
        return false;
      }
      return true;
    } catch (SQLException | RuntimeException e) {
      log.debug("database check failed", e);
      return false;
    }
  }

  private static boolean readOnly(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(VALIDATION_SECONDS);
      try (ResultSet rs = statement.executeQuery("show transaction_read_only")) {
        return rs.next() && "on".equals(rs.getString(1));
      }
    }
  }

  /** Closes the pool once; later calls do nothing. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    dataSource.close();
  }
}
