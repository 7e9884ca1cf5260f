package dev.userservice.user.changes;

import static java.util.Objects.requireNonNull;

import dev.userservice.user.FeedObserver;
import dev.userservice.user.User;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's subscriptions to user changes: which streams follow which users. A change
 * dispatched here reaches every {@link FeedObserver}, then every subscriber of that user.
 * Subscribers and observers must not block: they queue or apply the change and return.
 */
public final class ChangeHub {
  private static final Logger log = LoggerFactory.getLogger(ChangeHub.class);

  private final Map<UUID, Set<Consumer<User>>> subscribers = new ConcurrentHashMap<>();
  private final List<FeedObserver> observers = new CopyOnWriteArrayList<>();
  private final AtomicLong open = new AtomicLong();

  /** Hands every change, whoever follows its user, and every gap of the feed to {@code observer}. */
  public void observe(FeedObserver observer) {
    observers.add(requireNonNull(observer, "observer"));
  }

  /**
   * Tells the observers that the feed (re)connected: changes committed while it was not
   * listening were not delivered.
   */
  public void feedResumed() {
    for (FeedObserver observer : observers) {
      try {
        observer.changesMayHaveBeenMissed();
      } catch (RuntimeException e) {
        log.warn("a feed observer failed", e);
      }
    }
  }

  /** Follows changes of one user until the returned subscription is closed. */
  public Subscription subscribe(UUID userId, Consumer<User> subscriber) {
    requireNonNull(userId, "userId");
    requireNonNull(subscriber, "subscriber");
    subscribers.computeIfAbsent(userId, id -> new CopyOnWriteArraySet<>()).add(subscriber);
    open.incrementAndGet();
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        open.decrementAndGet();
        subscribers.computeIfPresent(userId, (id, set) -> {
          set.remove(subscriber);
          return set.isEmpty() ? null : set;
        });
      }
    };
  }

  /** Subscriptions open now, over all users. */
  public long openSubscriptions() {
    return open.get();
  }

  /** Hands a committed change to the user's subscribers. */
  public void dispatch(User changed) {
    dispatchToObservers(changed);
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

  /** Hands a committed change to the observers only (they ignore one they have seen). */
  public void dispatchToObservers(User changed) {
    for (FeedObserver observer : observers) {
      try {
        observer.changed(changed);
      } catch (RuntimeException e) {
        log.warn("a feed observer failed on user {}", changed.id(), e);
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
