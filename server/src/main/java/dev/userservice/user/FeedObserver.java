package dev.userservice.user;

/** Sees every committed change of every user, not only of followed ones. */
public interface FeedObserver {
  /** A committed change of a user. */
  void changed(User user);

  /** Changes may have been committed without reaching this replica. */
  void changesMayHaveBeenMissed();
}
