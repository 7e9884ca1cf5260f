package dev.userservice.login;

import static java.util.Objects.requireNonNull;

import dev.userservice.db.CallBoundStatement;
import dev.userservice.db.SqlErrors;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * Counts login attempts per email in the database's {@code login_attempts} table, which every
 * replica shares. An attempt is reserved before its password is checked, in one conditional
 * update, so attempts in flight count as failures until they succeed: at most
 * {@code maxFailures} passwords are checked for one email within {@code window}, however many
 * logins race and on however many replicas. Success sets the count to zero; it keeps the row, so
 * that a login racing a success finds the row it inserted and is not taken for a locked-out one.
 * Nothing is kept in memory; rows past their window are deleted at most once per cleanup
 * interval.
 */
public final class LoginThrottle {
  private static final String INSERT = "insert into login_attempts (email, attempts, window_end) values (?, 0, ?)"
      + " on conflict do nothing";
  // one statement, so the row lock makes check and count one step: a racing attempt waits for
  // the row and sees the count this one left. A row no attempt has counted yet (attempts 0)
  // always starts a window: the attempt that inserted it may have read a later clock than the
  // one that counts first, and a window left at that insert time would lapse for it and drop
  // the count
  private static final String RESERVE = "update login_attempts set"
      + " attempts = case when window_end <= ? or attempts = 0 then 1 else attempts + 1 end,"
      + " window_end = case when window_end <= ? or attempts = 0 then ? else window_end end"
      + " where email = ? and (window_end <= ? or attempts < ?)";
  private static final String SELECT_WINDOW_END = "select window_end from login_attempts where email = ?";
  private static final String CLEAR = "update login_attempts set attempts = 0 where email = ?";
  private static final String DELETE_EXPIRED = "delete from login_attempts where window_end <= ?";
  /** A row can vanish between insert and update (a cleanup); then the attempt starts over. */
  private static final int RESERVE_TRIES = 3;

  private final DataSource dataSource;
  private final int maxFailures;
  private final Duration window;
  private final Duration cleanupInterval;
  private final Clock clock;
  private final AtomicReference<Instant> nextCleanup;

  /**
   * @param maxFailures attempts allowed for one email within {@code window}
   * @param window how long attempts count, from the first of them
   * @param cleanupInterval least time between two deletions of expired rows
   */
  public LoginThrottle(DataSource dataSource, int maxFailures, Duration window, Duration cleanupInterval,
      Clock clock) {
    if (maxFailures < 1) {
      throw new IllegalArgumentException("maxFailures: " + maxFailures + " (expected: >= 1)");
    }
    this.dataSource = requireNonNull(dataSource, "dataSource");
    this.maxFailures = maxFailures;
    this.window = requireNonNull(window, "window");
    this.cleanupInterval = requireNonNull(cleanupInterval, "cleanupInterval");
    this.clock = requireNonNull(clock, "clock");
    this.nextCleanup = new AtomicReference<>(clock.instant());
  }

  /**
   * Reserves one attempt for {@code email}; it counts as a failure until {@link #succeeded}.
   *
   * @throws TooManyAttemptsException when the email has no attempt left in its window
   */
  public void reserve(String email) {
    requireNonNull(email, "email");
    deleteExpiredWhenDue();
    try (Connection connection = dataSource.getConnection()) {
      for (int i = 0; i < RESERVE_TRIES; i++) {
        Instant now = now();
        insertIfAbsent(connection, email, now);
        if (tryReserve(connection, email, now)) {
          return;
        }
        Instant windowEnd = windowEnd(connection, email);
        if (windowEnd != null && now.isBefore(windowEnd)) {
          throw new TooManyAttemptsException(Duration.between(now, windowEnd));
        }
      }
      throw new TooManyAttemptsException(window);
    } catch (SQLException e) {
      throw SqlErrors.translate("reserve login attempt", e);
    }
  }

  /** Clears the attempts of {@code email} after a successful login. */
  public void succeeded(String email) {
    requireNonNull(email, "email");
    try (Connection connection = dataSource.getConnection();
        PreparedStatement clear = connection.prepareStatement(CLEAR)) {
      clear.setString(1, email);
      try (var bound = CallBoundStatement.bind(clear)) {
        clear.executeUpdate();
      }
    } catch (SQLException e) {
      throw SqlErrors.translate("clear login attempts", e);
    }
  }

  private static void insertIfAbsent(Connection connection, String email, Instant now) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      insert.setString(1, email);
      insert.setObject(2, timestamp(now)); // lapsed at once: the update starts its window
      try (var bound = CallBoundStatement.bind(insert)) {
        insert.executeUpdate();
      }
    }
  }

  private boolean tryReserve(Connection connection, String email, Instant now) throws SQLException {
    OffsetDateTime at = timestamp(now);
    try (PreparedStatement update = connection.prepareStatement(RESERVE)) {
      update.setObject(1, at);
      update.setObject(2, at);
      update.setObject(3, timestamp(now.plus(window)));
      update.setString(4, email);
      update.setObject(5, at);
      update.setInt(6, maxFailures);
      try (var bound = CallBoundStatement.bind(update)) {
        return update.executeUpdate() == 1;
      }
    }
  }

  private static Instant windowEnd(Connection connection, String email) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement(SELECT_WINDOW_END)) {
      select.setString(1, email);
      try (var bound = CallBoundStatement.bind(select);
          ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getObject(1, OffsetDateTime.class).toInstant() : null;
      }
    }
  }

  /** Deletes the rows past their window, by one of the attempts of each cleanup interval. */
  private void deleteExpiredWhenDue() {
    Instant now = now();
    Instant due = nextCleanup.get();
    if (now.isBefore(due) || !nextCleanup.compareAndSet(due, now.plus(cleanupInterval))) {
      return;
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement delete = connection.prepareStatement(DELETE_EXPIRED)) {
      delete.setObject(1, timestamp(now));
      try (var bound = CallBoundStatement.bind(delete)) {
        delete.executeUpdate();
      }
    } catch (SQLException e) {
      throw SqlErrors.translate("delete expired login attempts", e);
    }
  }

  /** In milliseconds, which both databases store exactly: a rounded value would move the window. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private static OffsetDateTime timestamp(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
