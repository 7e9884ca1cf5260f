package dev.userservice.login;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.userservice.db.Database;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.testing.ManualClock;
import dev.userservice.testing.TestDatabases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The database-backed login throttle, on both databases. */
class LoginThrottleTest {
  private static final Duration WINDOW = Duration.ofMinutes(15);
  private static final Duration CLEANUP = Duration.ofMinutes(1);

  // nanoseconds, as the system clock has them, which neither database stores
  private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00.123456789Z"));
  private final List<Database> databases = new ArrayList<>();
  private DatabaseSettings settings;

  static Stream<String> databases() {
    return Stream.of("h2", "postgres");
  }

  private LoginThrottle throttle(String kind) {
    settings = kind.equals("h2") ? TestDatabases.h2() : TestDatabases.postgres();
    Database database = Database.open(settings);
    databases.add(database);
    return new LoginThrottle(database.dataSource(), 3, WINDOW, CLEANUP, clock);
  }

  @AfterEach
  void close() throws SQLException {
    databases.forEach(Database::close);
    if (settings != null && settings.schema().isPresent()) {
      TestDatabases.dropSchema(settings.schema().get());
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void reserve_belowTheLimit_allowed(String kind) {
    LoginThrottle throttle = throttle(kind);
    throttle.reserve("a");
    throttle.reserve("a");

    assertThatCode(() -> throttle.reserve("a")).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void reserve_atTheLimit_refusedUntilTheWindowEnds(String kind) {
    LoginThrottle throttle = throttle(kind);
    for (int i = 0; i < 3; i++) {
      throttle.reserve("a");
    }
    clock.advance(Duration.ofMinutes(5));

    assertThatThrownBy(() -> throttle.reserve("a")).isInstanceOf(TooManyAttemptsException.class)
        .hasMessageContaining("try again in 600 s");
    assertThatCode(() -> throttle.reserve("b")).doesNotThrowAnyException();
    clock.advance(Duration.ofMinutes(10));
    assertThatCode(() -> throttle.reserve("a")).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void succeeded_clearsTheCount(String kind) {
    LoginThrottle throttle = throttle(kind);
    throttle.reserve("a");
    throttle.reserve("a");
    throttle.succeeded("a");
    throttle.reserve("a");
    throttle.reserve("a");

    assertThatCode(() -> throttle.reserve("a")).doesNotThrowAnyException();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void reserve_concurrentAttempts_atMostTheLimitGranted(String kind) throws Exception {
    LoginThrottle throttle = throttle(kind);
    int attempts = 40;
    CyclicBarrier start = new CyclicBarrier(attempts);
    ExecutorService threads = Executors.newFixedThreadPool(attempts);
    try {
      List<Future<Boolean>> granted = new ArrayList<>();
      for (int i = 0; i < attempts; i++) {
        Callable<Boolean> attempt = () -> {
          start.await();
          try {
            throttle.reserve("raced@example.com");
            return true;
          } catch (TooManyAttemptsException e) {
            return false;
          }
        };
        granted.add(threads.submit(attempt));
      }
      int count = 0;
      for (Future<Boolean> g : granted) {
        count += g.get() ? 1 : 0;
      }

      assertThat(count).isEqualTo(3);
    } finally {
      threads.shutdownNow();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void reserve_concurrentSuccessfulLogins_neverRefused(String kind) throws Exception {
    LoginThrottle throttle = throttle(kind);
    // as many as the limit: attempts in flight count, so more would be refused by design
    int threadCount = 3;
    int loginsEach = 300;
    CyclicBarrier start = new CyclicBarrier(threadCount);
    ExecutorService threads = Executors.newFixedThreadPool(threadCount);
    try {
      List<Future<Integer>> refusals = new ArrayList<>();
      for (int t = 0; t < threadCount; t++) {
        refusals.add(threads.submit(() -> {
          start.await();
          int refused = 0;
          for (int i = 0; i < loginsEach; i++) {
            try {
              // every password right: each success clears the count while others are reserving
              throttle.reserve("busy@example.com");
              throttle.succeeded("busy@example.com");
            } catch (TooManyAttemptsException e) {
              refused++;
            }
          }
          return refused;
        }));
      }
      int refused = 0;
      for (Future<Integer> r : refusals) {
        refused += r.get();
      }

      assertThat(refused).as("correct logins refused").isZero();
    } finally {
      threads.shutdownNow();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void reserve_twoThrottlesOnOneDatabase_shareTheCount(String kind) {
    LoginThrottle first = throttle(kind);
    Database second = Database.open(settings);
    databases.add(second);
    LoginThrottle other = new LoginThrottle(second.dataSource(), 3, WINDOW, CLEANUP, clock);
    first.reserve("a");
    other.reserve("a");
    first.reserve("a");

    assertThatThrownBy(() -> other.reserve("a")).isInstanceOf(TooManyAttemptsException.class);
  }

  /**
   * Two racing attempts whose clocks differ: the one that read the later clock inserted the row
   * (lapsed at its own time), the other counts first. The later one must see that count.
   */
  @ParameterizedTest
  @MethodSource("databases")
  void reserve_rowInsertedByAnAttemptWithALaterClock_countsEveryAttempt(String kind) throws SQLException {
    LoginThrottle throttle = throttle(kind);
    Instant later = clock.instant().plusMillis(5);
    try (Connection c = databases.get(0).dataSource().getConnection();
        var insert = c.prepareStatement("insert into login_attempts (email, attempts, window_end) values (?, 0, ?)")) {
      insert.setString(1, "raced");
      insert.setObject(2, java.time.OffsetDateTime.ofInstant(later.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
          java.time.ZoneOffset.UTC));
      insert.executeUpdate();
    }
    throttle.reserve("raced");
    throttle.reserve("raced");
    clock.advance(Duration.ofMillis(5));
    throttle.reserve("raced");

    assertThatThrownBy(() -> throttle.reserve("raced")).isInstanceOf(TooManyAttemptsException.class);
  }

  @ParameterizedTest
  @MethodSource("databases")
  void reserve_afterTheCleanupInterval_deletesLapsedRows(String kind) throws SQLException {
    LoginThrottle throttle = throttle(kind);
    for (int i = 0; i < 50; i++) {
      throttle.reserve("guess" + i + "@example.com");
    }
    clock.advance(WINDOW.plus(CLEANUP));

    throttle.reserve("later@example.com");

    assertThat(rows()).isEqualTo(1);
  }

  private int rows() throws SQLException {
    try (Connection c = databases.get(0).dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select count(*) from login_attempts")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
