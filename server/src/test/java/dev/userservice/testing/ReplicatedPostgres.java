package dev.userservice.testing;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A PostgreSQL primary and its synchronous standby of a test's own, made with initdb and
 * pg_basebackup on ports of 5440-5459 in a temporary folder, as replication is set up on
 * machines: a commit returns only once the standby has written it
 * ({@code synchronous_commit = on}, {@code synchronous_standby_names} naming the standby).
 * {@link #close()} stops both and removes the folder; a JVM that exits first does it too.
 */
public final class ReplicatedPostgres implements AutoCloseable {
  /** Name the standby reports to the primary (its cluster_name, used as application_name). */
  static final String STANDBY = "standby1";

  private final Path root;
  private final String database;
  private final List<LocalPostgres> servers = new ArrayList<>();
  private final Thread cleanup;
  private LocalPostgres primary;
  private LocalPostgres standby;

  private ReplicatedPostgres(Path root, String database) {
    this.root = root;
    this.database = database;
    this.cleanup = new Thread(this::removeAll, "postgres-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
  }

  /** Starts a primary holding an empty {@code database} and a synchronous standby of it. */
  public static ReplicatedPostgres start(String database) {
    ReplicatedPostgres cluster = new ReplicatedPostgres(PostgresCommands.newRoot("pg-replicated-"), database);
    try {
      cluster.create();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  private void create() {
    primary = LocalPostgres.init(root, "primary", List.of("wal_level = replica", "max_wal_senders = 5",
        "synchronous_commit = on", "wal_sender_timeout = 5s", "shared_buffers = 32MB"));
    servers.add(primary);
    primary.start();
    try {
      primary.client().execute("postgres", "create database " + database);
      standby = LocalPostgres.standbyOf(primary, STANDBY);
      servers.add(standby);
      standby.start();
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
    removeAll();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException e) {
      // the JVM is exiting: the hook runs removeAll itself
    }
  }

  private synchronized void removeAll() {
    for (LocalPostgres server : servers) {
      server.stopNow();
    }
    servers.clear();
    PostgresCommands.removeRoot(root);
  }
}
