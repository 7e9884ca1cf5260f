package dev.userservice.user;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * PostgreSQL's feed: {@code pg_notify} inside the writing transaction. PostgreSQL delivers the
 * notification only if the transaction commits, and in commit order, to every replica that
 * listens on {@link #CHANNEL}.
 */
public final class PostgresChangePublisher implements ChangePublisher {
  /** The notification channel every replica listens on. */
  public static final String CHANNEL = "user_changes";

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
    // PostgreSQL delivers the notification at commit
  }
}
