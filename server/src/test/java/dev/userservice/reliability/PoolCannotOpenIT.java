package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.testing.LocalPostgres;
import dev.userservice.testing.PostgresServers;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestTokens;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged service refuses to start, with one line that says what to fix and exit code 1,
 * when its connection pool cannot be opened: PostgreSQL has no connection slot left, or it
 * refuses the user.
 */
class PoolCannotOpenIT {
  private static final int MAX_CONNECTIONS = 3;
  private static PostgresServers servers;
  private static LocalPostgres server;

  @BeforeAll
  static void startServer() {
    servers = new PostgresServers();
    server = servers.start("small", List.of("max_connections = " + MAX_CONNECTIONS,
        "superuser_reserved_connections = 0", "shared_buffers = 16MB"));
  }

  @AfterAll
  static void removeServer() {
    servers.close();
  }

  @Test
  void noConnectionSlotLeft_refusesToStartNamingMaxConnections() throws Exception {
    List<Connection> held = new ArrayList<>();
    try {
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        held.add(server.client().connect("postgres"));
      }
      String line = refusedStartLine(Map.of("DATABASE_URL", "postgres://postgres@127.0.0.1:" + server.port()
          + "/postgres"));
      assertThat(line).contains("cannot open the connection pool to jdbc:postgresql://127.0.0.1:" + server.port())
          .contains("max_connections reached").contains("53300");
    } finally {
      for (Connection c : held) {
        c.close();
      }
    }
  }

  @Test
  void unknownUser_refusesToStartNamingTheUser() throws Exception {
    String line = refusedStartLine(Map.of("DATABASE_URL", "postgres://127.0.0.1:" + server.port() + "/postgres",
        "DATABASE_USER", "nobody", "DATABASE_PASSWORD", "wrong-secret"));
    assertThat(line).contains("refused the user").contains("28000").doesNotContain("wrong-secret");
  }

  /** Starts the jar, expects exit 1 and one "cannot start" line with no stack trace, and returns that line. */
  private static String refusedStartLine(Map<String, String> database) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(database);
    env.put("JWT_SECRET", TestTokens.SECRET);
    env.put("DB_CONNECTION_TIMEOUT_MS", "1000");
    try (ServiceProcess service = ServiceProcess.launch(env)) {
      assertThat(service.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
      String output = service.output();
      List<String> lines = output.lines().filter(l -> l.contains("cannot start")).toList();
      assertThat(lines).as(output).hasSize(1);
      assertThat(output).as("no stack trace").doesNotContain("\tat ").doesNotContain("Caused by");
      return lines.get(0);
    }
  }
}
