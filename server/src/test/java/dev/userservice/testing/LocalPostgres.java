package dev.userservice.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

/**
 * One PostgreSQL server of a test, in a data folder under the test's root, on a port of
 * 5440-5459, reached over 127.0.0.1 with trust authentication as user {@code postgres}.
 */
public final class LocalPostgres {
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  private final Path root;
  private final String name;
  private final int port;

  private LocalPostgres(Path root, String name, int port) {
    this.root = root;
    this.name = name;
    this.port = port;
  }

  /** A new server made by initdb (not started); {@code settings} are added to its postgresql.conf. */
  static LocalPostgres init(Path root, String name, List<String> settings) {
    LocalPostgres server = new LocalPostgres(root, name, PostgresCommands.takePort());
    PostgresCommands.run(root, PostgresCommands.noEnv(), COMMAND_TIMEOUT, List.of(bin("initdb"), "-D",
        server.dataDir().toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"));
    server.appendSettings(settings);
    return server;
  }

  /** A standby of the running {@code primary} made by pg_basebackup -R (not started). */
  static LocalPostgres standbyOf(LocalPostgres primary, String name) {
    LocalPostgres server = new LocalPostgres(primary.root, name, PostgresCommands.takePort());
    PostgresCommands.run(primary.root, PostgresCommands.noEnv(), COMMAND_TIMEOUT, List.of(bin("pg_basebackup"),
        "-h", "127.0.0.1", "-p", Integer.toString(primary.port), "-U", "postgres", "-D", server.dataDir().toString(),
        "-R", "-X", "stream", "-c", "fast"));
    // the copied configuration names the primary's port; the last setting of a name wins
    server.appendSettings(List.of());
    return server;
  }

  private static String bin(String program) {
    return PostgresCommands.BIN.resolve(program).toString();
  }

  private void appendSettings(List<String> settings) {
    StringBuilder conf = new StringBuilder("\n");
    conf.append("port = ").append(port).append('\n');
    conf.append("listen_addresses = '127.0.0.1'\n");
    conf.append("unix_socket_directories = '").append(root).append("'\n");
    conf.append("cluster_name = '").append(name).append("'\n");
    for (String setting : settings) {
      conf.append(setting).append('\n');
    }
    try {
      Files.writeString(dataDir().resolve("postgresql.conf"), conf, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path dataDir() {
    return root.resolve(name);
  }

  public int port() {
    return port;
  }

  public String name() {
    return name;
  }

  /** Starts the server and waits until it accepts connections. */
  public void start() {
    PostgresCommands.run(root, PostgresCommands.noEnv(), COMMAND_TIMEOUT, List.of(bin("pg_ctl"), "-D",
        dataDir().toString(), "-l", root.resolve(name + ".log").toString(), "-w", "-t", "60", "start"));
  }

  /** Promotes this standby and waits until it is a primary. */
  public void promote() {
    PostgresCommands.run(root, PostgresCommands.noEnv(), COMMAND_TIMEOUT, List.of(bin("pg_ctl"), "-D",
        dataDir().toString(), "-w", "-t", "60", "promote"));
  }

  /**
   * Kills the postmaster and every backend with SIGKILL, as a crash of its machine would, and
   * returns the moment (System.nanoTime) of the kill.
   */
  public long kill() {
    return PostgresCommands.killTree(PostgresCommands.postmasterPid(dataDir()));
  }

  /** Stops the server without a checkpoint if it runs; nothing when it does not. */
  void stopNow() {
    if (Files.exists(dataDir().resolve("postmaster.pid"))) {
      try {
        PostgresCommands.run(root, PostgresCommands.noEnv(), COMMAND_TIMEOUT, List.of(bin("pg_ctl"), "-D",
            dataDir().toString(), "-m", "immediate", "-w", "stop"));
      } catch (AssertionError e) {
        // already gone (killed): its pid file stays behind
      }
    }
    PostgresCommands.releasePort(port);
  }

  /** Plain JDBC access to this server. */
  public LocalPostgresClient client() {
    return new LocalPostgresClient(port);
  }
}
