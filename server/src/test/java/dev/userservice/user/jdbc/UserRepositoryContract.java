package dev.userservice.user.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.userservice.db.Database;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.user.AccountStatus;
import dev.userservice.user.EmailTakenException;
import dev.userservice.user.NewUser;
import dev.userservice.user.RequestIdReusedException;
import dev.userservice.user.StaleEtagException;
import dev.userservice.user.User;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserIds;
import dev.userservice.user.UserNotFoundException;
import dev.userservice.user.UserRepository;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link UserRepository} database must do; one subclass per database. */
abstract class UserRepositoryContract {
  protected Database database;
  protected JdbcUserRepository repository;

  /** A fresh, empty database for one test. */
  protected abstract DatabaseSettings newDatabase() throws Exception;

  @BeforeEach
  void openDatabase() throws Exception {
    database = Database.open(newDatabase());
    repository = new JdbcUserRepository(database.dataSource(), Clock.systemUTC());
  }

  @AfterEach
  void closeDatabase() {
    database.close();
  }

  private static NewUser newUser(String email) {
    return new NewUser(email, "Name of " + email, Optional.empty(), Optional.empty());
  }

  @Test
  void create_thenFindById_returnsTheSameUser() {
    UUID id = UserIds.next();
    User created = repository.create(id, newUser("ada@example.com"));

    assertThat(created.status()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(created.version()).isEqualTo(1);
    assertThat(repository.findById(id)).contains(created);
  }

  @Test
  void findById_unknownId_empty() {
    assertThat(repository.findById(UserIds.next())).isEmpty();
  }

  @Test
  void createAllSkippingTaken_takenEmailsAndRequestIds_skippedTheRestStoredInOneGo() {
    repository.create(UserIds.next(), newUser("taken@example.com"));
    NewUser withRequestId = new NewUser("first@example.com", "First", Optional.empty(), Optional.of("request-1"));
    NewUser sameRequestId = new NewUser("second@example.com", "Second", Optional.empty(), Optional.of("request-1"));
    List<UUID> ids = List.of(UserIds.next(), UserIds.next(), UserIds.next(), UserIds.next(), UserIds.next());
    List<NewUser> users = List.of(newUser("new@example.com"), newUser("taken@example.com"), withRequestId,
        sameRequestId, newUser("new@example.com"));

    List<Optional<User>> stored = repository.createAllSkippingTaken(ids, users);

    assertThat(stored).extracting(Optional::isPresent).containsExactly(true, false, true, false, false);
    assertThat(stored.get(0)).get().extracting(User::id, User::email, User::status, User::version)
        .containsExactly(ids.get(0), "new@example.com", AccountStatus.ACTIVE, 1L);
    assertThat(repository.findById(ids.get(0))).isEqualTo(stored.get(0));
    assertThat(repository.findById(ids.get(2))).isEqualTo(stored.get(2));
    assertThat(repository.findByIds(Set.of(ids.get(1), ids.get(3), ids.get(4)))).isEmpty();
  }

  @Test
  void findByIds_someUnknown_returnsTheStoredOnes() {
    User ada = repository.create(UserIds.next(), newUser("ada@example.com"));
    User grace = repository.create(UserIds.next(), newUser("grace@example.com"));
    repository.create(UserIds.next(), newUser("edsger@example.com"));

    assertThat(repository.findByIds(Set.of(ada.id(), UserIds.next(), grace.id()))).containsExactlyInAnyOrder(ada, grace);
    assertThat(repository.findByIds(Set.of(UserIds.next()))).isEmpty();
    assertThat(repository.findByIds(Set.of())).isEmpty();
  }

  @Test
  void findByIds_oneId_returnsThatUserOnly() {
    User ada = repository.create(UserIds.next(), newUser("ada@example.com"));
    repository.create(UserIds.next(), newUser("grace@example.com"));

    assertThat(repository.findByIds(Set.of(ada.id()))).containsExactly(ada);
  }

  @Test
  void create_takenEmail_emailTaken() {
    repository.create(UserIds.next(), newUser("taken@example.com"));

    assertThatThrownBy(() -> repository.create(UserIds.next(), newUser("taken@example.com")))
        .isInstanceOf(EmailTakenException.class);
  }

  @Test
  void create_repeatedRequestId_returnsFirstUserAndStoresOne() {
    NewUser first = new NewUser("once@example.com", "Once", Optional.empty(), Optional.of("req-1"));
    User created = repository.create(UserIds.next(), first);

    User again = repository.create(UserIds.next(),
        new NewUser("once@example.com", "Once", Optional.of("$argon2id$another-salt"), Optional.of("req-1")));

    assertThat(again).isEqualTo(created);
    assertThat(repository.listAfter(Optional.empty(), 10)).containsExactly(created);
  }

  @Test
  void create_requestIdOfAnotherRequest_refusedAndStoresNothing() {
    User created = repository.create(UserIds.next(),
        new NewUser("once@example.com", "Once", Optional.empty(), Optional.of("req-1")));

    assertThatThrownBy(() -> repository.create(UserIds.next(),
        new NewUser("other@example.com", "Once", Optional.empty(), Optional.of("req-1"))))
        .isInstanceOf(RequestIdReusedException.class)
        .hasMessageContaining("request_id").hasMessageNotContaining("once@example.com");
    assertThatThrownBy(() -> repository.create(UserIds.next(),
        new NewUser("once@example.com", "Other", Optional.empty(), Optional.of("req-1"))))
        .isInstanceOf(RequestIdReusedException.class);
    assertThat(repository.listAfter(Optional.empty(), 10)).containsExactly(created);
  }

  @Test
  void create_sameRequestAfterTheUserChanged_returnsTheUserAsItIsNow() {
    NewUser request = new NewUser("once@example.com", "Once", Optional.empty(), Optional.of("req-1"));
    User created = repository.create(UserIds.next(), request);
    User renamed = repository.update(created.id(), new UserChanges(Optional.of("moved@example.com"),
        Optional.of("Renamed"), Optional.empty(), Optional.empty()));

    User again = repository.create(UserIds.next(), request);

    assertThat(again).isEqualTo(renamed);
  }

  @Test
  void createAllSkippingTaken_concurrentListsOfTheSameEmailsInOppositeOrder_eachStoredOnceNoConflict()
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 3; round++) {
        List<NewUser> ascending = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          ascending.add(newUser("r" + round + "-" + String.format("%03d", i) + "@example.com"));
        }
        List<NewUser> descending = new ArrayList<>(ascending);
        Collections.reverse(descending);
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<List<Optional<User>>>> results = new ArrayList<>();
        for (List<NewUser> users : List.of(ascending, descending)) {
          results.add(pool.submit(() -> {
            List<UUID> ids = users.stream().map(u -> UserIds.next()).toList();
            start.await();
            return repository.createAllSkippingTaken(ids, users);
          }));
        }

        long stored = 0;
        for (Future<List<Optional<User>>> result : results) {
          stored += result.get().stream().filter(Optional::isPresent).count();
        }
        assertThat(stored).as("round %d", round).isEqualTo(200);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void create_concurrentSameEmail_exactlyOneWins() throws Exception {
    int racers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      List<Callable<Boolean>> attempts = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        attempts.add(() -> {
          try {
            repository.create(UserIds.next(), newUser("race@example.com"));
            return true;
          } catch (EmailTakenException e) {
            return false;
          }
        });
      }
      int winners = 0;
      for (Future<Boolean> result : pool.invokeAll(attempts)) {
        winners += result.get() ? 1 : 0;
      }
      assertThat(winners).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void create_concurrentSameRequestId_oneUserForAll() throws Exception {
    int racers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      List<Callable<User>> attempts = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        attempts.add(() -> repository.create(UserIds.next(),
            new NewUser("retry@example.com", "Retry", Optional.empty(), Optional.of("same-request"))));
      }
      List<UUID> ids = new ArrayList<>();
      for (Future<User> result : pool.invokeAll(attempts)) {
        ids.add(result.get().id());
      }
      assertThat(ids).containsOnly(ids.get(0));
      assertThat(repository.listAfter(Optional.empty(), 100)).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void create_storesSqlMetacharactersAndUnicodeLiterally() {
    String name = "Robert'); DROP TABLE users;-- \u00e9\u4e2d\ud83d\ude00 %_\\";
    UUID id = UserIds.next();
    repository.create(id, new NewUser("bobby@example.com", name, Optional.empty(), Optional.empty()));

    assertThat(repository.findById(id)).get().extracting(User::name).isEqualTo(name);
  }

  @Test
  void listAfter_pagesInIdOrderWithoutGapsOrDuplicates() {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      UUID id = UserIds.next();
      ids.add(id);
      repository.create(id, newUser("user" + i + "@example.com"));
    }

    List<UUID> seen = new ArrayList<>();
    Optional<UUID> cursor = Optional.empty();
    while (true) {
      List<User> page = repository.listAfter(cursor, 7);
      if (page.isEmpty()) {
        break;
      }
      page.forEach(u -> seen.add(u.id()));
      cursor = Optional.of(page.get(page.size() - 1).id());
    }
    assertThat(seen).containsExactlyElementsOf(ids);
  }

  @Test
  void listAfter_ordersIdsAsUnsignedBytes() {
    // ids whose first bit differs: a signed comparison would put the second first
    UUID low = UUID.fromString("7fffffff-ffff-7fff-bfff-ffffffffffff");
    UUID high = UUID.fromString("80000000-0000-7000-8000-000000000000");
    repository.create(high, newUser("high@example.com"));
    repository.create(low, newUser("low@example.com"));

    assertThat(repository.listAfter(Optional.empty(), 10)).extracting(User::id).containsExactly(low, high);
    assertThat(repository.listAfter(Optional.of(low), 10)).extracting(User::id).containsExactly(high);
  }

  @Test
  void update_changesOnlyGivenFieldsAndBumpsVersion() {
    UUID id = UserIds.next();
    User created = repository.create(id, newUser("old@example.com"));

    User updated = repository.update(id, new UserChanges(Optional.empty(), Optional.of("New Name"),
        Optional.of(AccountStatus.INACTIVE), Optional.of(created.etag())));

    assertThat(updated.name()).isEqualTo("New Name");
    assertThat(updated.email()).isEqualTo("old@example.com");
    assertThat(updated.status()).isEqualTo(AccountStatus.INACTIVE);
    assertThat(updated.version()).isEqualTo(2);
    assertThat(updated.etag()).isNotEqualTo(created.etag());
    assertThat(updated.updatedAt()).isAfterOrEqualTo(created.updatedAt());
    assertThat(repository.findById(id)).contains(updated);
  }

  @Test
  void update_staleEtag_staleAndUnchanged() {
    UUID id = UserIds.next();
    User created = repository.create(id, newUser("etag@example.com"));
    repository.update(id, new UserChanges(Optional.empty(), Optional.of("Second"), Optional.empty(), Optional.empty()));

    assertThatThrownBy(() -> repository.update(id, new UserChanges(Optional.empty(), Optional.of("Third"),
        Optional.empty(), Optional.of(created.etag()))))
        .isInstanceOf(StaleEtagException.class);
    assertThat(repository.findById(id)).get().extracting(User::name).isEqualTo("Second");
  }

  @Test
  void update_unknownUser_notFound() {
    assertThatThrownBy(() -> repository.update(UserIds.next(),
        new UserChanges(Optional.empty(), Optional.of("X"), Optional.empty(), Optional.empty())))
        .isInstanceOf(UserNotFoundException.class);
  }

  @Test
  void update_toTakenEmail_emailTakenAndUnchanged() {
    repository.create(UserIds.next(), newUser("first@example.com"));
    UUID second = UserIds.next();
    repository.create(second, newUser("second@example.com"));

    assertThatThrownBy(() -> repository.update(second, new UserChanges(Optional.of("first@example.com"),
        Optional.empty(), Optional.empty(), Optional.empty())))
        .isInstanceOf(EmailTakenException.class);
    assertThat(repository.findById(second)).get().extracting(User::email).isEqualTo("second@example.com");
  }

  @Test
  void bulkInsert_skipsTakenAndRepeatedEmails() {
    repository.create(UserIds.next(), newUser("exists@example.com"));
    List<UUID> ids = List.of(UserIds.next(), UserIds.next(), UserIds.next(), UserIds.next());
    List<NewUser> users = List.of(newUser("a@example.com"), newUser("exists@example.com"), newUser("b@example.com"),
        newUser("a@example.com"));

    boolean[] stored;
    try (UserRepository.BulkInsert bulk = repository.openBulkInsert()) {
      stored = bulk.insert(ids, users);
      bulk.commit();
    }

    assertThat(stored).containsExactly(true, false, true, false);
    assertThat(repository.listAfter(Optional.empty(), 10)).hasSize(3);
  }

  @Test
  void bulkInsert_aBatchMeetingATakenEmailOrRequestId_keepsTheBatchesBefore_andStoresItsOthers() {
    repository.create(UserIds.next(), new NewUser("exists@example.com", "Exists", Optional.empty(), Optional.of("r-1")));
    List<UUID> first = List.of(UserIds.next(), UserIds.next());
    List<UUID> second = List.of(UserIds.next(), UserIds.next(), UserIds.next());

    boolean[] storedFirst;
    boolean[] storedSecond;
    try (UserRepository.BulkInsert bulk = repository.openBulkInsert()) {
      storedFirst = bulk.insert(first, List.of(newUser("a@example.com"), newUser("b@example.com")));
      storedSecond = bulk.insert(second, List.of(newUser("a@example.com"), newUser("c@example.com"),
          new NewUser("d@example.com", "D", Optional.empty(), Optional.of("r-1"))));
      bulk.commit();
    }

    assertThat(storedFirst).containsExactly(true, true);
    assertThat(storedSecond).containsExactly(false, true, false);
    assertThat(repository.listAfter(Optional.empty(), 10)).extracting(User::email)
        .containsExactlyInAnyOrder("exists@example.com", "a@example.com", "b@example.com", "c@example.com");
    User a = repository.findById(first.get(0)).orElseThrow();
    assertThat(a.email()).isEqualTo("a@example.com");
    assertThat(a.status()).isEqualTo(AccountStatus.ACTIVE);
    assertThat(a.version()).isEqualTo(1L);
    assertThat(a.createdAt()).isEqualTo(a.updatedAt());
    assertThat(repository.findById(second.get(1))).get().extracting(User::email).isEqualTo("c@example.com");
  }

  @Test
  void bulkInsert_storesQuotesCommasBackslashesAndUnicodeLiterally() {
    String name = "\"Quoted\", comma, back\\slash \\N NULL '' \u00e9\u4e2d\ud83d\ude00";
    UUID id = UserIds.next();
    try (UserRepository.BulkInsert bulk = repository.openBulkInsert()) {
      bulk.insert(List.of(id), List.of(new NewUser("o'hara,\"x\"@example.com", name, Optional.of("$argon2id$v=19$h"),
          Optional.empty())));
      bulk.commit();
    }

    User stored = repository.findById(id).orElseThrow();
    assertThat(stored.name()).isEqualTo(name);
    assertThat(stored.email()).isEqualTo("o'hara,\"x\"@example.com");
    assertThat(repository.findCredentials(stored.email()).orElseThrow().passwordHash()).contains("$argon2id$v=19$h");
  }

  @Test
  void bulkInsert_closedWithoutCommit_leavesNothing() {
    try (UserRepository.BulkInsert bulk = repository.openBulkInsert()) {
      bulk.insert(List.of(UserIds.next()), List.of(newUser("gone@example.com")));
    }
    assertThat(repository.listAfter(Optional.empty(), 10)).isEmpty();
  }

  @Test
  void create_storesPasswordHashButUserNeverCarriesIt() throws SQLException {
    UUID id = UserIds.next();
    User created = repository.create(id, new NewUser("hash@example.com", "Hash", Optional.of("$argon2id$v=19$x"),
        Optional.empty()));

    assertThat(created.toString()).doesNotContain("argon2id");
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("select password_hash from users where id = ?")) {
      s.setObject(1, id);
      try (ResultSet rs = s.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("$argon2id$v=19$x");
      }
    }
  }
}
