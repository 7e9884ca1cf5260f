package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.Database;
import dev.userservice.identity.AccountState;
import dev.userservice.testing.CountingUserRepository;
import dev.userservice.testing.TestDatabases;
import dev.userservice.user.jdbc.JdbcUserRepository;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The account states calls check: read once, then kept current by the feed, not by queries. */
class AccountStateCacheTest {
  private final AtomicLong nanos = new AtomicLong();
  private Database database;
  private JdbcUserRepository silent;
  private CountingUserRepository counting;
  private AccountStateCache cache;
  private User ada;

  @BeforeEach
  void start() {
    database = Database.open(TestDatabases.h2());
    // writes through this repository announce nothing: only what the test hands the cache reaches it
    silent = new JdbcUserRepository(database.dataSource(), Clock.systemUTC());
    counting = new CountingUserRepository(silent);
    cache = new AccountStateCache(counting, nanos::get, Runnable::run);
    ada = silent.create(UserIds.next(), new NewUser("ada@example.com", "Ada", Optional.empty(), Optional.empty()));
  }

  @AfterEach
  void stop() {
    database.close();
  }

  private User update(UserChanges changes) {
    return silent.update(ada.id(), changes);
  }

  private static UserChanges status(AccountStatus status) {
    return new UserChanges(Optional.empty(), Optional.empty(), Optional.of(status), Optional.empty());
  }

  private static UserChanges roles(String... roles) {
    return new UserChanges(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(Set.of(roles)),
        Optional.empty());
  }

  private void advance(Duration duration) {
    nanos.addAndGet(duration.toNanos());
  }

  @Test
  void current_manyCalls_oneQuery() {
    for (int i = 0; i < 100; i++) {
      assertThat(cache.current(ada.id().toString())).contains(new AccountState(true, Set.of()));
    }

    assertThat(counting.calls()).isEqualTo(1);
  }

  @Test
  void forget_changeNoFeedAnnounced_nextCallReadsIt() {
    cache.current(ada.id().toString());
    update(roles("admin"));
    assertThat(cache.current(ada.id().toString())).contains(new AccountState(true, Set.of()));

    cache.forget(ada.id());

    assertThat(cache.current(ada.id().toString())).contains(new AccountState(true, Set.of("admin")));
    assertThat(counting.calls()).isEqualTo(2);
  }

  @Test
  void current_subjectNotAUserId_noQueryAndNoAccount() {
    assertThat(cache.current("admin-service")).isEmpty();
    assertThat(cache.current("")).isEmpty();

    assertThat(counting.calls()).isZero();
    assertThat(cache.size()).isZero();
  }

  @Test
  void current_unknownUserId_noAccountAndKeptAsUnknown() {
    String stranger = UUID.randomUUID().toString();

    assertThat(cache.current(stranger)).isEmpty();
    assertThat(cache.current(stranger)).isEmpty();
    assertThat(counting.calls()).isEqualTo(1);
  }

  @Test
  void current_upperCaseUserId_sameAccount() {
    update(status(AccountStatus.INACTIVE));

    assertThat(cache.current(ada.id().toString().toUpperCase())).contains(new AccountState(false, Set.of()));
  }

  @Test
  void changed_cachedAccount_replacedWithoutQuery() {
    cache.current(ada.id().toString());

    cache.changed(update(status(AccountStatus.INACTIVE)));
    assertThat(cache.current(ada.id().toString())).contains(new AccountState(false, Set.of()));
    cache.changed(update(roles("admin", "service")));
    assertThat(cache.current(ada.id().toString())).contains(new AccountState(false, Set.of("admin", "service")));

    assertThat(counting.calls()).isEqualTo(1);
  }

  @Test
  void changed_olderVersionAfterNewer_ignored() {
    cache.current(ada.id().toString());
    User granted = update(roles("admin"));
    User revoked = update(roles());

    cache.changed(revoked);
    cache.changed(granted);

    assertThat(cache.current(ada.id().toString())).contains(new AccountState(true, Set.of()));
  }

  @Test
  void changed_accountNotCached_staysOut() {
    cache.changed(update(status(AccountStatus.INACTIVE)));

    assertThat(cache.size()).isZero();
  }

  @Test
  void changesMayHaveBeenMissed_everyAccountReadAgain() {
    cache.current(ada.id().toString());
    update(status(AccountStatus.INACTIVE)); // announced to nobody

    cache.changesMayHaveBeenMissed();

    assertThat(cache.current(ada.id().toString())).contains(new AccountState(false, Set.of()));
    assertThat(counting.calls()).isEqualTo(2);
  }

  @Test
  void current_changeMadeBesideTheService_seenOnceTheEntryIsOldEnough() {
    cache.current(ada.id().toString());
    update(roles("admin")); // as an operator's SQL would: no notification

    advance(AccountStateCache.REFRESH_AFTER.minusSeconds(1));
    assertThat(cache.current(ada.id().toString())).contains(new AccountState(true, Set.of()));
    advance(Duration.ofSeconds(2));
    cache.current(ada.id().toString()); // starts the refresh (here on the calling thread)

    assertThat(cache.current(ada.id().toString())).contains(new AccountState(true, Set.of("admin")));
  }

  @Test
  void current_entryExpired_readAgain() {
    cache.current(ada.id().toString());

    advance(AccountStateCache.EXPIRE_AFTER.plusSeconds(1));
    cache.current(ada.id().toString());

    assertThat(counting.calls()).isEqualTo(2);
  }
}
