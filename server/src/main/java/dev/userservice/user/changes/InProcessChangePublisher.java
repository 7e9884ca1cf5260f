package dev.userservice.user.changes;

import static java.util.Objects.requireNonNull;

import dev.userservice.user.User;
import java.sql.Connection;

/** The embedded database's feed: changes go straight to this process's hub after commit. */
public final class InProcessChangePublisher implements ChangePublisher {
  private final ChangeHub hub;

  public InProcessChangePublisher(ChangeHub hub) {
    this.hub = requireNonNull(hub, "hub");
  }

  @Override
  public void inTransaction(Connection connection, User changed) {
    // nothing to do before the commit: an uncommitted change must not be seen
  }

  @Override
  public void afterCommit(User changed) {
    hub.dispatch(changed);
  }
}
