package dev.userservice.user.changes;

import dev.userservice.user.User;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Announces a committed change of a user to every replica's {@link ChangeHub}. The repository
 * calls {@link #inTransaction} before its commit and {@link #afterCommit} after it; each
 * implementation uses the one that fits its transport.
 */
public interface ChangePublisher {
  /** Publishes nothing: for a repository whose changes nobody follows. */
  ChangePublisher NONE = new ChangePublisher() {
    @Override
    public void inTransaction(Connection connection, User changed) {}

    @Override
    public void afterCommit(User changed) {}
  };

  /** Called inside the writing transaction, so a transactional channel sends at commit. */
  void inTransaction(Connection connection, User changed) throws SQLException;

  /** Called once the write has committed. */
  void afterCommit(User changed);
}
