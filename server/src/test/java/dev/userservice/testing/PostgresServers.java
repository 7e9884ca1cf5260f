package dev.userservice.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL servers of a test's own in one temporary folder, on ports of 5440-5459.
 * {@link #close()} stops them all and removes the folder; a JVM that exits first does it too.
 */
public final class PostgresServers implements AutoCloseable {
  private final Path root = PostgresCommands.newRoot("pg-test-");
  private final List<LocalPostgres> servers = new ArrayList<>();
  private final ExitCleanup cleanup = new ExitCleanup("postgres-cleanup", this::removeAll);

  /** A new server made by initdb and started; {@code settings} are added to its postgresql.conf. */
  public synchronized LocalPostgres start(String name, List<String> settings) {
    LocalPostgres server = LocalPostgres.init(root, name, settings);
    servers.add(server);
    server.start();
    return server;
  }

  /** A standby of the running {@code primary}, made by pg_basebackup -R and started. */
  public synchronized LocalPostgres startStandby(LocalPostgres primary, String name) {
    LocalPostgres server = LocalPostgres.standbyOf(primary, name);
    servers.add(server);
    server.start();
    return server;
  }

  @Override
  public void close() {
    cleanup.close();
  }

  private synchronized void removeAll() {
    for (LocalPostgres server : servers) {
      server.stopNow();
    }
    servers.clear();
    PostgresCommands.removeRoot(root);
  }
}
