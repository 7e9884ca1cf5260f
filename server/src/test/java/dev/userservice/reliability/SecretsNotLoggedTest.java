package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.config.Config;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.server.UserServiceApp;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Batched CreateUser calls with passwords while PostgreSQL ends the service's connections
 * (pg_terminate_backend): the pool and the service log the failures, and nothing a caller sent
 * (email, name) nor the stored password hash appears in those lines. Rounds go on (up to a
 * limit) until a kill has ended a multi-row batch, whose driver message would quote the rows, and
 * until some create has committed, whose stored hash is then looked for in the log too.
 */
class SecretsNotLoggedTest {
  private static final int CALLERS = 24;
  private static final int ROUNDS = 4;
  /** Where a kill lands is up to timing: more rounds until one has ended a multi-row batch and one committed. */
  private static final int MAX_ROUNDS = 20;

  private final ListAppender<ILoggingEvent> events = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private Level rootLevel;
  private final ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
  private String database;
  private UserServiceApp app;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    database = TestDatabases.createDatabase("secrets_");
    DatabaseSettings settings = TestDatabases.databaseSettings(database);
    String name = InProcessServerBuilder.generateName();
    // several hashing threads, so that hashed creates reach the database together and are batched
    app = UserServiceApp.start(settings, InProcessServerBuilder.forName(name),
        Config.load(new String[] {"--metrics-port=0", "--drain-delay-ms=0", "--hash-threads=8"},
            Map.of("JWT_SECRET", TestTokens.SECRET)));
    channel = InProcessChannelBuilder.forName(name).build();
    events.start();
    // every line the service writes in production (INFO and above), not only the tests' WARN
    rootLevel = root.getLevel();
    root.setLevel(Level.INFO);
    root.addAppender(events);
  }

  @AfterEach
  void stop() throws Exception {
    root.detachAppender(events);
    root.setLevel(rootLevel);
    callers.shutdownNow();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    app.close();
    TestDatabases.dropDatabase(database);
  }

  @Test
  void createUserBatches_backendsTerminated_noEmailNameOrHashInTheLog() throws Exception {
    List<String> secrets = new ArrayList<>();
    Map<Status.Code, Integer> outcomes = new EnumMap<>(Status.Code.class);
    for (int round = 0; round < MAX_ROUNDS && !(round >= ROUNDS && batchFailureSeen(outcomes) && outcomes.containsKey(Status.Code.OK)); round++) {
      List<CompletableFuture<Status.Code>> calls = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        String email = "secret-" + round + "-" + i + "-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        String name = "Hidden Name " + UUID.randomUUID().toString().substring(0, 8);
        secrets.add(email);
        secrets.add(name);
        calls.add(CompletableFuture.supplyAsync(() -> create(email, name), callers));
      }
      // kills land while the round's batches run, at whatever moment each one has reached
      CompletableFuture<Void> all = CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new));
      while (!all.isDone()) {
        terminateServiceBackends();
        Thread.sleep(5);
      }
      for (CompletableFuture<Status.Code> call : calls) {
        outcomes.merge(call.get(30, TimeUnit.SECONDS), 1, Integer::sum);
      }
    }
    List<String> hashes = storedHashes();
    assertThat(hashes).as("password hashes stored").isNotEmpty();
    secrets.addAll(hashes);

    String log = formatted(events);

    assertThat(outcomes.keySet()).as("outcomes %s", outcomes).contains(Status.Code.OK)
        .isSubsetOf(Status.Code.OK, Status.Code.UNAVAILABLE);
    assertThat(outcomes).as("some calls met a killed connection").containsKey(Status.Code.UNAVAILABLE);
    assertThat(log).as("the failures were logged").contains("57P01").contains("Batch entry");
    for (String secret : secrets) {
      assertThat(log).doesNotContain(secret);
    }
    assertThat(log).doesNotContain("$argon2id$");
  }

  private boolean batchFailureSeen(Map<Status.Code, Integer> outcomes) {
    return outcomes.containsKey(Status.Code.UNAVAILABLE) && formatted(events).contains("Batch entry");
  }

  private Status.Code create(String email, String name) {
    try {
      UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
          .createUser(CreateUserRequest.newBuilder().setEmail(email).setName(name)
              .setPassword("correct horse battery " + email).build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /** Every event so far as text with its key-value pairs and full stack traces, causes included. */
  private static String formatted(ListAppender<ILoggingEvent> appender) {
    List<ILoggingEvent> list;
    // the appender adds under its own lock (a batch may still be logging its failure)
    synchronized (appender) {
      list = List.copyOf(appender.list);
    }
    PatternLayout layout = new PatternLayout();
    layout.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    layout.setPattern("%level %logger - %msg %kvp%n%ex{full}");
    layout.start();
    StringBuilder out = new StringBuilder();
    for (ILoggingEvent event : list) {
      out.append(layout.doLayout(event));
    }
    return out.toString();
  }

  private List<String> storedHashes() throws Exception {
    List<String> hashes = new ArrayList<>();
    String url = TestDatabases.databaseUrl(database);
    try (Connection c = DriverManager.getConnection(url, TestDatabases.postgresUser(), "");
        PreparedStatement s = c.prepareStatement("select password_hash from users");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        // the salt and digest part is what would identify the hash in a log line
        String hash = rs.getString(1);
        hashes.add(hash.substring(hash.lastIndexOf('$', hash.lastIndexOf('$') - 1) + 1));
      }
    }
    return hashes;
  }

  private void terminateServiceBackends() throws Exception {
    TestDatabases.terminateBackends(database);
  }
}
