package dev.userservice.user.changes;

import static java.util.Objects.requireNonNull;

import dev.userservice.db.DatabaseSettings;
import dev.userservice.user.User;
import dev.userservice.user.UserRepository;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one connection per replica that LISTENs for user changes and hands them to the hub. When
 * the connection is lost it reconnects with growing pauses, and once listening again tells the
 * hub's observers that changes may have been missed and re-reads every subscribed user, so a
 * change announced while it was away still reaches its streams. With a URL naming several
 * hosts it connects to the primary only, and leaves a server that turned read-only (a demoted
 * primary) to find the new one.
 */
public final class PostgresChangeListener implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PostgresChangeListener.class);
  /** How the listening connection shows in {@code pg_stat_activity}. */
  public static final String APPLICATION_NAME = "user-service-listener";
  private static final int POLL_MILLIS = 500;
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
  /** How often the listening connection checks that its server is still the primary. */
  private static final Duration PRIMARY_CHECK = Duration.ofSeconds(2);
  private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(10);

  private final DatabaseSettings settings;
  private final ChangeHub hub;
  private final UserRepository users;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Connection connection;
  private volatile boolean listening;

  public PostgresChangeListener(DatabaseSettings settings, ChangeHub hub, UserRepository users) {
    this.settings = requireNonNull(settings, "settings");
    this.hub = requireNonNull(hub, "hub");
    this.users = requireNonNull(users, "users");
    this.thread = new Thread(this::run, "change-listener");
    thread.setDaemon(true);
  }

  /** Starts listening in the background. */
  public PostgresChangeListener start() {
    thread.start();
    return this;
  }

  private void run() {
    Duration backoff = MIN_BACKOFF;
    boolean firstConnection = true;
    while (!closed.get()) {
      try (Connection c = connect()) {
        connection = c;
        try (Statement listen = c.createStatement()) {
          listen.execute("LISTEN " + PostgresChangePublisher.CHANNEL);
        }
        listening = true;
        // also on the first connection: what was read before LISTEN took effect may be stale
        hub.feedResumed();
        if (!firstConnection) {
          log.info("change listener reconnected: re-reading subscribed users");
          resync();
        }
        firstConnection = false;
        backoff = MIN_BACKOFF;
        poll(c);
      } catch (SQLException | RuntimeException e) {
        listening = false;
        if (closed.get()) {
          return;
        }
        firstConnection = false;
        log.warn("change listener lost its connection ({}); reconnecting in {} ms", e.getMessage(), backoff.toMillis());
        sleep(backoff);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
    }
  }

  /** Whether the listening connection is up and subscribed to the channel now. */
  public boolean isListening() {
    return listening;
  }

  private Connection connect() throws SQLException {
    Properties properties = new Properties();
    settings.user().ifPresent(u -> properties.setProperty("user", u));
    settings.password().ifPresent(p -> properties.setProperty("password", p));
    properties.setProperty("ApplicationName", APPLICATION_NAME);
    properties.setProperty("tcpKeepAlive", "true");
    // a server that vanished without closing the connection fails the next primary check in time
    properties.setProperty("socketTimeout", Long.toString(SOCKET_TIMEOUT.toSeconds()));
    properties.setProperty("logServerErrorDetail", "false"); // its errors are logged; as for the pool
    properties.setProperty("connectTimeout", Long.toString(Math.max(1, settings.connectionTimeout().toSeconds())));
    Connection c = DriverManager.getConnection(settings.jdbcUrl(), properties);
    c.setAutoCommit(true);
    return c;
  }

  private void poll(Connection c) throws SQLException {
    PGConnection listening = c.unwrap(PGConnection.class);
    long nextPrimaryCheck = System.nanoTime() + PRIMARY_CHECK.toNanos();
    while (!closed.get()) {
      if (System.nanoTime() - nextPrimaryCheck > 0) {
        // a primary demoted without a restart keeps this connection, but no change is written there now
        requirePrimary(c);
        nextPrimaryCheck = System.nanoTime() + PRIMARY_CHECK.toNanos();
      }
      // blocks up to the timeout; throws when the connection breaks
      PGNotification[] notifications = listening.getNotifications(POLL_MILLIS);
      if (notifications == null) {
        continue;
      }
      for (PGNotification notification : notifications) {
        dispatch(notification.getParameter());
      }
    }
  }

  private static void requirePrimary(Connection c) throws SQLException {
    try (Statement statement = c.createStatement();
        ResultSet rs = statement.executeQuery("show transaction_read_only")) {
      if (rs.next() && "on".equals(rs.getString(1))) {
        throw new SQLException("the server only reads now (no longer the primary)", "25006");
      }
    }
  }

  private void dispatch(String payload) {
    try {
      hub.dispatch(UserChangeCodec.decode(payload));
    } catch (IllegalArgumentException e) {
      log.warn("ignoring a notification that is not a user change");
    }
  }

  private void resync() {
    for (UUID id : hub.subscribedUsers()) {
      Optional<User> current = users.findById(id);
      current.ifPresent(hub::dispatch);
    }
  }

  private void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed.set(true);
    }
  }

  /** Stops listening and closes the connection, once. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    thread.interrupt();
    Connection c = connection;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
