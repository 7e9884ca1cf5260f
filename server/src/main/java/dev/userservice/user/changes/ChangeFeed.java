package dev.userservice.user.changes;

import static java.util.Objects.requireNonNull;

import dev.userservice.db.DatabaseSettings;
import dev.userservice.user.UserRepository;
import java.util.function.Function;

/**
 * How committed user changes reach this replica's hub: on PostgreSQL through NOTIFY and one
 * listening connection, so that every replica sees every change; on the embedded database, which
 * serves one replica, in process. The one place that chooses between them.
 */
public final class ChangeFeed implements AutoCloseable {
  private final ChangeHub hub;
  private final ChangePublisher publisher;
  private final Function<UserRepository, AutoCloseable> listening;
  private AutoCloseable listener = () -> { };

  private ChangeFeed(ChangeHub hub, ChangePublisher publisher, Function<UserRepository, AutoCloseable> listening) {
    this.hub = hub;
    this.publisher = publisher;
    this.listening = listening;
  }

  /** The feed for the database {@code settings} name, its hub new and empty. */
  public static ChangeFeed forDatabase(DatabaseSettings settings) {
    requireNonNull(settings, "settings");
    ChangeHub hub = new ChangeHub();
    if (settings.isPostgres()) {
      return new ChangeFeed(hub, new PostgresChangePublisher(hub),
          users -> new PostgresChangeListener(settings, hub, users).start());
    }
    return new ChangeFeed(hub, new InProcessChangePublisher(hub), users -> () -> { });
  }

  /** Where changes are dispatched to the calls that follow them and to the feed's observers. */
  public ChangeHub hub() {
    return hub;
  }

  /** What the repository tells of each change it commits. */
  public ChangePublisher publisher() {
    return publisher;
  }

  /**
   * Starts listening for the changes other replicas commit (nothing to do in process);
   * {@code users} re-reads the followed users once listening again after a lost connection.
   */
  public ChangeFeed start(UserRepository users) {
    requireNonNull(users, "users");
    listener = listening.apply(users);
    return this;
  }

  /** Stops listening. */
  @Override
  public void close() throws Exception {
    listener.close();
  }
}
