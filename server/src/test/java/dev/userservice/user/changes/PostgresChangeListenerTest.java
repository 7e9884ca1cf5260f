package dev.userservice.user.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.db.Database;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.testing.TestDatabases;
import dev.userservice.user.EmailTakenException;
import dev.userservice.user.FeedObserver;
import dev.userservice.user.NewUser;
import dev.userservice.user.User;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserIds;
import dev.userservice.user.jdbc.JdbcUserRepository;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The replica's LISTEN connection: notifications in, and recovery after losing it. */
class PostgresChangeListenerTest {
  private DatabaseSettings settings;
  private Database database;
  private ChangeHub hub;
  private PostgresChangeListener listener;
  private JdbcUserRepository notifying;
  private JdbcUserRepository silent;

  @BeforeEach
  void start() {
    settings = TestDatabases.postgres();
    database = Database.open(settings);
    hub = new ChangeHub();
    notifying = new JdbcUserRepository(database.dataSource(), Clock.systemUTC(), new PostgresChangePublisher());
    silent = new JdbcUserRepository(database.dataSource(), Clock.systemUTC());
    listener = new PostgresChangeListener(settings, hub, notifying).start();
  }

  @AfterEach
  void stop() throws Exception {
    listener.close();
    database.close();
    TestDatabases.dropSchema(settings.schema().orElseThrow());
  }

  private static UserChanges rename(String name) {
    return new UserChanges(Optional.empty(), Optional.of(name), Optional.empty(), Optional.empty());
  }

  private User createFollowed(List<User> seen) {
    User user = notifying.create(UserIds.next(), new NewUser(UUID.randomUUID() + "@example.com", "Listener",
        Optional.empty(), Optional.empty()));
    hub.subscribe(user.id(), seen::add);
    return user;
  }

  @Test
  void committedUpdate_reachesTheHubOnce() {
    List<User> seen = new CopyOnWriteArrayList<>();
    User user = createFollowed(seen);
    await().atMost(Duration.ofSeconds(5)).until(listener::isListening);

    User renamed = notifying.update(user.id(), rename("Notified"));

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(renamed));
    assertThat(seen).containsExactly(renamed);
  }

  @Test
  void rolledBackUpdate_announcesNothing() throws Exception {
    List<User> seen = new CopyOnWriteArrayList<>();
    User user = createFollowed(seen);
    await().atMost(Duration.ofSeconds(5)).until(listener::isListening);
    User other = notifying.create(UserIds.next(), new NewUser("taken-" + UUID.randomUUID() + "@example.com", "Other",
        Optional.empty(), Optional.empty()));

    // fails on the unique email after pg_notify ran in the same transaction
    try {
      notifying.update(user.id(), new UserChanges(Optional.of(other.email()), Optional.empty(), Optional.empty(),
          Optional.empty()));
    } catch (EmailTakenException expected) {
      // the transaction rolled back
    }
    User renamed = notifying.update(user.id(), rename("After the failure"));

    await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains(renamed));
    assertThat(seen).containsExactly(renamed);
  }

  /**
   * A change nobody announced (as if its notification were lost while the listener was away)
   * reaches the hub when the listener reconnects and re-reads its subscribed users.
   */
  @Test
  void connectionKilled_reconnectsAndRereadsSubscribedUsers() throws Exception {
    List<User> seen = new CopyOnWriteArrayList<>();
    User user = createFollowed(seen);
    await().atMost(Duration.ofSeconds(5)).until(listener::isListening);
    User missed = silent.update(user.id(), rename("Missed while away"));
    Thread.sleep(300);
    assertThat(seen).isEmpty();

    terminateListenerConnections();

    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(missed));
    User later = notifying.update(user.id(), rename("Later"));
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.contains(later));
  }

  @Test
  void committedUpdate_reachesObserversAlsoForUsersNobodyFollows() {
    List<User> observed = new CopyOnWriteArrayList<>();
    hub.observe(new RecordingObserver(observed, new AtomicInteger()));
    await().atMost(Duration.ofSeconds(5)).until(listener::isListening);
    User user = notifying.create(UserIds.next(), new NewUser(UUID.randomUUID() + "@example.com", "Unfollowed",
        Optional.empty(), Optional.empty()));

    User renamed = notifying.update(user.id(), rename("Observed"));

    await().atMost(Duration.ofSeconds(5)).until(() -> observed.contains(renamed));
  }

  /** Each time the listener (re)connects, what it may have missed is announced to the observers. */
  @Test
  void connectionKilled_observersToldChangesMayHaveBeenMissed() throws Exception {
    AtomicInteger gaps = new AtomicInteger();
    ChangeHub observedHub = new ChangeHub();
    observedHub.observe(new RecordingObserver(new CopyOnWriteArrayList<>(), gaps));
    try (PostgresChangeListener observed = new PostgresChangeListener(settings, observedHub, notifying).start()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> gaps.get() >= 1);
      int before = gaps.get();

      terminateListenerConnections();

      await().atMost(Duration.ofSeconds(10)).until(() -> gaps.get() > before);
    }
  }

  private record RecordingObserver(List<User> changes, AtomicInteger gaps) implements FeedObserver {
    @Override
    public void changed(User user) {
      changes.add(user);
    }

    @Override
    public void changesMayHaveBeenMissed() {
      gaps.incrementAndGet();
    }
  }

  private static void terminateListenerConnections() throws Exception {
    count("select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = '"
        + PostgresChangeListener.APPLICATION_NAME + "'");
  }

  private static int count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(TestDatabases.postgresUrl(), TestDatabases.postgresUser(), "");
        PreparedStatement s = c.prepareStatement(sql);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
