package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.userservice.identity.AccountState;
import dev.userservice.identity.AccountStates;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * The status and roles of the accounts that call, kept in memory so that an authenticated call
 * costs no query. An account is read from the database on its first call; after that every
 * change the feed delivers (from any replica) replaces it at once, and when the feed may have
 * missed changes (its listener reconnected) everything is read again. As a safety net for changes
 * made beside the service (an operator's SQL), an entry is re-read in the background once it is
 * {@link #REFRESH_AFTER} old and a call uses it, dropped when {@link #EXPIRE_AFTER} old, and
 * dropped when its account logs in.
 * Subjects that are not user ids are not looked up; unknown user ids are kept as unknown.
 */
public final class AccountStateCache implements AccountStates, FeedObserver {
  /** Accounts kept; each entry is a few hundred bytes. */
  static final int CAPACITY = 50_000;
  static final Duration REFRESH_AFTER = Duration.ofMinutes(1);
  static final Duration EXPIRE_AFTER = Duration.ofMinutes(10);

  /** One account as last read, {@code version} -1 when no user has the id. */
  private record Known(Optional<AccountState> state, long version) {
    static final Known UNKNOWN = new Known(Optional.empty(), -1);

    static Known of(User user) {
      return new Known(Optional.of(new AccountState(user.status() == AccountStatus.ACTIVE, user.roles())),
          user.version());
    }
  }

  private final UserRepository users;
  private final LoadingCache<UUID, Known> cache;

  /** A cache reading from {@code users}, refreshing on the database {@code workers}. */
  public AccountStateCache(UserRepository users, DatabaseWorkers workers) {
    this(users, Ticker.systemTicker(), workers.threads());
  }

  AccountStateCache(UserRepository users, Ticker ticker, Executor refreshes) {
    this.users = requireNonNull(users, "users");
    this.cache = Caffeine.newBuilder()
        .maximumSize(CAPACITY)
        .refreshAfterWrite(REFRESH_AFTER)
        .expireAfterWrite(EXPIRE_AFTER)
        .ticker(requireNonNull(ticker, "ticker"))
        .executor(requireNonNull(refreshes, "refreshes"))
        .build(this::load);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A miss reads one row by primary key on the calling thread.
   */
  @Override
  public Optional<AccountState> current(String subject) {
    Optional<UUID> id = UserIds.parse(subject);
    if (id.isEmpty()) {
      return Optional.empty();
    }
    return cache.get(id.get()).state();
  }

  private Known load(UUID id) {
    return users.findById(id).map(Known::of).orElse(Known.UNKNOWN);
  }

  /**
   * Replaces a cached account by its changed state. An account not cached stays out: its first
   * call reads it. {@code compute} waits for a read of the same account in flight, so a read
   * that began before the change cannot put back the older state; a late, older change (two
   * commits dispatched out of order in one process) is ignored by its version.
   */
  @Override
  public void changed(User user) {
    cache.asMap().compute(user.id(), (id, old) -> {
      if (old == null) {
        return null;
      }
      return user.version() >= old.version() ? Known.of(user) : old;
    });
  }

  /**
   * Drops what is kept of one account, so that its next call reads it: Login does so, as it has
   * just read the account's row, so that a change made beside the service (by an admin command on
   * the embedded database, which no change feed announces) holds from that Login on.
   */
  public void forget(UUID id) {
    cache.invalidate(requireNonNull(id, "id"));
  }

  @Override
  public void changesMayHaveBeenMissed() {
    cache.invalidateAll();
  }

  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
