package dev.userservice.testing;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A pg_auto_failover formation of a test's own: a monitor and two Postgres nodes, each run by
 * its {@code pg_autoctl} keeper as the postgres user, on ports of 5440-5459 in a temporary
 * folder, trust authentication and no TLS (local only). The monitor's health checks are
 * shortened (see {@link #MONITOR_SETTINGS}) so that a failover takes seconds, not the default
 * half minute. {@link #close()} stops every process and removes the folder.
 */
public final class AutoFailoverFormation implements AutoCloseable {
  private static final String PG_AUTOCTL = System.getProperty("test.pg_autoctl", "/usr/bin/pg_autoctl");
  private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(120);
  /**
   * The monitor's failure detection, from defaults of 5 s checks, 2 retries 2 s apart, 20 s
   * before a node counts as unhealthy and 30 s before a silent primary counts as demoted.
   */
  static final List<String> MONITOR_SETTINGS = List.of(
      "pgautofailover.health_check_period = 1000",
      "pgautofailover.health_check_timeout = 1000",
      "pgautofailover.health_check_max_retries = 1",
      "pgautofailover.health_check_retry_delay = 500",
      "pgautofailover.node_considered_unhealthy_timeout = 2000",
      "pgautofailover.primary_demote_timeout = 2000");

  private final Path root;
  private final Map<String, String> env;
  private final List<Process> keepers = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final ExitCleanup cleanup;
  private final String database;
  private int monitorPort;
  private Node first;
  private Node second;

  /** One data node: its keeper process and its Postgres port. */
  public record Node(String name, Process keeper, int port, Path dataDir) {}

  private AutoFailoverFormation(Path root, String database) {
    this.root = root;
    this.database = database;
    // pg_autoctl keeps its configuration and state files under these: inside the test's folder
    this.env = Map.of("XDG_CONFIG_HOME", root.resolve("config").toString(),
        "XDG_DATA_HOME", root.resolve("data").toString(), "XDG_RUNTIME_DIR", root.resolve("run").toString(),
        "PG_CONFIG", PostgresCommands.BIN.resolve("pg_config").toString());
    this.cleanup = new ExitCleanup("pg-autoctl-cleanup", this::removeAll);
  }

  /** Starts the monitor, a primary node holding {@code database} and a secondary node. */
  public static AutoFailoverFormation start(String database) {
    AutoFailoverFormation formation = new AutoFailoverFormation(PostgresCommands.newRoot("pg-autofailover-"),
        database);
    try {
      formation.create();
      return formation;
    } catch (RuntimeException | Error e) {
      formation.close();
      throw e;
    }
  }

  private void create() {
    monitorPort = port();
    Path monitorData = root.resolve("monitor");
    PostgresCommands.run(root, env, CREATE_TIMEOUT, List.of(PG_AUTOCTL, "create", "monitor", "--pgdata",
        monitorData.toString(), "--pgport", Integer.toString(monitorPort), "--hostname", "127.0.0.1",
        "--auth", "trust", "--no-ssl", "--pgctl", PostgresCommands.BIN.resolve("pg_ctl").toString()));
    keepers.add(PostgresCommands.spawn(root, env, root.resolve("monitor.log"),
        List.of(PG_AUTOCTL, "run", "--pgdata", monitorData.toString())));
    PostgresCommands.await(CREATE_TIMEOUT, "monitor up", () -> monitorAnswers("select 1") != null);
    for (String setting : MONITOR_SETTINGS) {
      String[] nameValue = setting.split(" = ");
      monitorAnswers("alter system set " + nameValue[0] + " = " + nameValue[1]);
    }
    monitorAnswers("select pg_reload_conf()");
    first = node("node1");
    PostgresCommands.await(CREATE_TIMEOUT, "node1 single", () -> "single".equals(reportedState(first)));
    second = node("node2");
    // node2 copies node1 with pg_basebackup, which waits for a checkpoint spread over minutes:
    // a requested checkpoint makes it finish now
    long[] nextCheckpoint = {0};
    PostgresCommands.await(CREATE_TIMEOUT, "node1 primary and node2 secondary", () -> {
      if (System.nanoTime() - nextCheckpoint[0] > 0) {
        checkpoint(first);
        nextCheckpoint[0] = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      }
      return "primary".equals(reportedState(first)) && "secondary".equals(reportedState(second));
    });
  }

  private void checkpoint(Node node) {
    try {
      client(node).execute("postgres", "checkpoint");
    } catch (SQLException e) {
      // not up yet: the next round asks again
    }
  }

  private int port() {
    int port = PostgresCommands.takePort();
    ports.add(port);
    return port;
  }

  private Node node(String name) {
    int port = port();
    Path dataDir = root.resolve(name);
    String monitor = "postgres://autoctl_node@127.0.0.1:" + monitorPort + "/pg_auto_failover?sslmode=disable";
    Process keeper = PostgresCommands.spawn(root, env, root.resolve(name + ".log"), List.of(PG_AUTOCTL, "create",
        "postgres", "--pgdata", dataDir.toString(), "--pgport", Integer.toString(port), "--hostname", "127.0.0.1",
        "--name", name, "--dbname", database, "--auth", "trust", "--no-ssl", "--monitor", monitor,
        "--pgctl", PostgresCommands.BIN.resolve("pg_ctl").toString(), "--run"));
    keepers.add(keeper);
    return new Node(name, keeper, port, dataDir);
  }

  /** The state the node last reported to the monitor (single, primary, secondary, wait_primary...). */
  public String reportedState(Node node) {
    return monitorAnswers("select reportedstate from pgautofailover.node where nodename = '" + node.name() + "'");
  }

  private String monitorAnswers(String sql) {
    LocalPostgresClient monitor = new LocalPostgresClient(monitorPort);
    try {
      return monitor.queryText("pg_auto_failover", sql);
    } catch (SQLException e) {
      return null;
    }
  }

  public Node first() {
    return first;
  }

  public Node second() {
    return second;
  }

  /** A plain client of the node's Postgres. */
  public LocalPostgresClient client(Node node) {
    return new LocalPostgresClient(node.port());
  }

  /** Waits until the node's Postgres takes writes (promoted, and the monitor confirmed it). */
  public void awaitTakesWrites(Node node, Duration timeout) {
    PostgresCommands.await(timeout, node.name() + " takes writes", () -> client(node).takesWrites());
  }

  /** A libpq-style URL naming both nodes: the service's DATABASE_URL. */
  public String postgresUrl() {
    return "postgres://postgres@127.0.0.1:" + first.port() + ",127.0.0.1:" + second.port() + "/" + database;
  }

  /**
   * Kills the node's keeper and its Postgres with SIGKILL, as a crash of its machine would, and
   * returns the moment (System.nanoTime) of the kill.
   */
  public long kill(Node node) {
    return PostgresCommands.killTree(node.keeper().pid());
  }

  @Override
  public void close() {
    cleanup.close();
  }

  private synchronized void removeAll() {
    // the keepers and everything they started; the monitor's Postgres, started by its keeper, too
    // the nodes first, then the monitor they report to
    for (int i = keepers.size() - 1; i >= 0; i--) {
      PostgresCommands.stopTree(keepers.get(i).pid(), Duration.ofSeconds(20));
    }
    keepers.clear();
    for (int port : ports) {
      PostgresCommands.releasePort(port);
    }
    ports.clear();
    PostgresCommands.removeRoot(root);
  }
}
