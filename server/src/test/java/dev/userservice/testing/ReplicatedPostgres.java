package dev.userservice.testing;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * A PostgreSQL primary and its synchronous standby of a test's own, made with initdb and
 * pg_basebackup on ports of 5440-5459 in a temporary folder, as replication is set up on
 * machines: a commit returns only once the standby has written it
 * ({@code synchronous_commit = on}, {@code synchronous_standby_names} naming the standby).
 * {@link #close()} stops both and removes the folder (see {@link PostgresServers}).
 */
public final class ReplicatedPostgres implements AutoCloseable {
  /** Name the standby reports to the primary (its cluster_name, used as application_name). */
  static final String STANDBY = "standby1";

  private final PostgresServers servers = new PostgresServers();
  private final String database;
  private LocalPostgres primary;
  private LocalPostgres standby;

  private ReplicatedPostgres(String database) {
    this.database = database;
  }

  /** Starts a primary holding an empty {@code database} and a synchronous standby of it. */
  public static ReplicatedPostgres start(String database) {
    ReplicatedPostgres cluster = new ReplicatedPostgres(database);
    try {
      cluster.create();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void create() {
    primary = servers.start("primary", List.of("wal_level = replica", "max_wal_senders = 5",
        "synchronous_commit = on", "wal_sender_timeout = 5s", "shared_buffers = 32MB"));
    try {
      primary.client().execute("postgres", "create database " + database);
      standby = servers.startStandby(primary, STANDBY);
      // set on the primary only, after the copy: a promoted standby must not wait for a standby of its own
      primary.client().execute("postgres", "alter system set synchronous_standby_names = '" + STANDBY + "'");
      primary.client().execute("postgres", "select pg_reload_conf()");
    } catch (SQLException e) {
      throw new AssertionError("cannot set up replication", e);
    }
    PostgresCommands.await(Duration.ofSeconds(30), "standby streaming synchronously", () -> {
      try {
        return "sync".equals(primary.client().queryText("postgres",
            "select sync_state from pg_stat_replication where application_name = '" + STANDBY + "'"));
      } catch (SQLException e) {
        return false;
      }
    });
  }

  public LocalPostgres primary() {
    return primary;
  }

  public LocalPostgres standby() {
    return standby;
  }

  public String database() {
    return database;
  }

  /** A libpq-style URL naming both servers, primary first: the service's DATABASE_URL. */
  public String postgresUrl() {
    return "postgres://postgres@127.0.0.1:" + primary.port() + ",127.0.0.1:" + standby.port() + "/" + database;
  }

  @Override
  public void close() {
    servers.close();
  }
}
