package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's subscriptions to user changes: which streams follow which users. A change
 * dispatched here reaches every subscriber of that user. Subscribers must not block: they queue
 * the change and return.
 */
public final class ChangeHub {
  private static final Logger log = LoggerFactory.getLogger(ChangeHub.class);

  private final Map<UUID, Set<Consumer<User>>> subscribers = new ConcurrentHashMap<>();

  /** Follows changes of one user until the returned subscription is closed. */
  public Subscription subscribe(UUID userId, Consumer<User> subscriber) {
    requireNonNull(userId, "userId");
    requireNonNull(subscriber, "subscriber");
    subscribers.computeIfAbsent(userId, id -> new CopyOnWriteArraySet<>()).add(subscriber);
    return () -> subscribers.computeIfPresent(userId, (id, set) -> {
      set.remove(subscriber);
      return set.isEmpty() ? null : set;
    });
  }

  /** Hands a committed change to the user's subscribers. */
  public void dispatch(User changed) {
    Set<Consumer<User>> set = subscribers.get(changed.id());
    if (set == null) {
      return;
    }
    for (Consumer<User> subscriber : set) {
      try {
        subscriber.accept(changed);
      } catch (RuntimeException e) {
        log.warn("a subscriber of user {} failed", changed.id(), e);
      }
    }
  }

  /** The users some stream of this replica follows. */
  public List<UUID> subscribedUsers() {
    return List.copyOf(subscribers.keySet());
  }

  /** One stream's interest in one user. */
  @FunctionalInterface
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
