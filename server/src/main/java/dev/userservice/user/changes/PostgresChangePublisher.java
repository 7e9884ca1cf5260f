package dev.userservice.user.changes;

import static java.util.Objects.requireNonNull;

import dev.userservice.user.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Optional;

/**
 * PostgreSQL's feed: {@code pg_notify} inside the writing transaction. PostgreSQL delivers the
 * notification only if the transaction commits, and in commit order, to every replica that
 * listens on {@link #CHANNEL}. The writing replica's own feed observers also get the change as
 * soon as it commits, so a call answered after a write on this replica already sees it.
 */
public final class PostgresChangePublisher implements ChangePublisher {
  /** The notification channel every replica listens on. */
  public static final String CHANNEL = "user_changes";

  private final Optional<ChangeHub> localHub;

  /** A publisher that only notifies. */
  public PostgresChangePublisher() {
    this.localHub = Optional.empty();
  }

  /** A publisher that also hands each committed change to {@code localHub}'s observers. */
  public PostgresChangePublisher(ChangeHub localHub) {
    this.localHub = Optional.of(requireNonNull(localHub, "localHub"));
  }

  @Override
  public void inTransaction(Connection connection, User changed) throws SQLException {
    try (PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
      notify.setString(1, CHANNEL);
      notify.setString(2, UserChangeCodec.encode(changed));
      notify.execute();
    }
  }

  @Override
  public void afterCommit(User changed) {
    // PostgreSQL delivers the notification to the subscribers, here too; observers ignore a repeat
    localHub.ifPresent(hub -> hub.dispatchToObservers(changed));
  }
}
