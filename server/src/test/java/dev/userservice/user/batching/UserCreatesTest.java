package dev.userservice.user.batching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.Database;
import dev.userservice.db.TransactionConflictException;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.testing.TestDatabases;
import dev.userservice.user.Credentials;
import dev.userservice.user.DatabaseWorkers;
import dev.userservice.user.EmailTakenException;
import dev.userservice.user.NewUser;
import dev.userservice.user.User;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserIds;
import dev.userservice.user.UserRepository;
import dev.userservice.user.jdbc.JdbcUserRepository;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserCreatesTest {
  private final DatabaseWorkers workers =
      new DatabaseWorkers(Executors.newCachedThreadPool(), Executors.newSingleThreadScheduledExecutor());
  private final CountDownLatch released = new CountDownLatch(1);
  private final CountDownLatch firstStarted = new CountDownLatch(1);
  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private final Map<UUID, Object> answers = new ConcurrentHashMap<>();
  private final AtomicInteger conflicts = new AtomicInteger();
  private Database database;
  private JdbcUserRepository stored;
  private UserCreates creates;

  @BeforeEach
  void start() {
    database = Database.open(TestDatabases.h2());
    stored = new JdbcUserRepository(database.dataSource(), Clock.systemUTC());
    creates = new UserCreates(new HoldingRepository(stored), new PasswordHasher(1), workers, 1);
  }

  @AfterEach
  void stop() {
    released.countDown();
    workers.threads().shutdownNow();
    workers.deadlines().shutdownNow();
    database.close();
  }

  private static NewUser user(String email, Optional<String> requestId) {
    return new NewUser(email, "Name", Optional.empty(), requestId);
  }

  private UUID create(NewUser user) {
    UUID id = UserIds.next();
    creates.create(id, user, "", new CallAnswer<>() {
      @Override
      public void succeeded(User created) {
        answers.put(id, created);
      }

      @Override
      public void failed(RuntimeException e) {
        answers.put(id, e);
      }
    });
    return id;
  }

  private void awaitAnswers(int count) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (answers.size() < count && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(answers).hasSize(count);
  }

  @Test
  void create_whileAnInsertRuns_laterCreatesShareOneTransactionAndAnswerLikeSingleCreates() throws Exception {
    UUID first = create(user("first@example.com", Optional.empty()));
    firstStarted.await(5, TimeUnit.SECONDS);

    UUID ada = create(user("ada@example.com", Optional.empty()));
    UUID adaAgain = create(user("ada@example.com", Optional.empty()));
    UUID retried = create(user("grace@example.com", Optional.of("request-7")));
    UUID retriedAgain = create(user("grace@example.com", Optional.of("request-7")));
    UUID taken = create(user("first@example.com", Optional.empty()));
    released.countDown();
    awaitAnswers(6);

    assertThat(batchSizes).containsExactly(1, 5);
    assertThat(answers.get(first)).isInstanceOf(User.class);
    assertThat(answers.get(ada)).isEqualTo(stored.findById(ada).orElseThrow());
    assertThat(answers.get(adaAgain)).isInstanceOf(EmailTakenException.class);
    assertThat(answers.get(taken)).isInstanceOf(EmailTakenException.class);
    // the repeated request id answers with the user the first one stored, and stores nothing else
    User grace = (User) answers.get(retried);
    assertThat(answers.get(retriedAgain)).isEqualTo(grace);
    assertThat(stored.findById(retriedAgain)).isEmpty();
    assertThat(stored.listAfter(Optional.empty(), 100)).extracting(User::email)
        .containsExactlyInAnyOrder("first@example.com", "ada@example.com", "grace@example.com");
  }

  @Test
  void create_transactionFails_everyCallOfTheBatchFailsAndNothingIsStored() throws Exception {
    UUID first = create(user("first@example.com", Optional.empty()));
    firstStarted.await(5, TimeUnit.SECONDS);
    List<UUID> batch = new ArrayList<>();
    batch.add(create(user("a@example.com", Optional.empty())));
    batch.add(create(user("b@example.com", Optional.empty())));
    database.close(); // every later statement fails
    released.countDown();
    awaitAnswers(3);

    assertThat(answers.get(first)).isInstanceOf(RuntimeException.class);
    assertThat(batch).allSatisfy(id -> assertThat(answers.get(id)).isInstanceOf(RuntimeException.class));
  }

  @Test
  void create_batchLosesToConcurrentTransactionTwice_retriedAndEveryCallSucceeds() throws Exception {
    UUID first = create(user("first@example.com", Optional.empty()));
    firstStarted.await(5, TimeUnit.SECONDS);
    UUID a = create(user("a@example.com", Optional.empty()));
    UUID b = create(user("b@example.com", Optional.empty()));
    conflicts.set(UserCreates.MAX_ATTEMPTS - 1);
    released.countDown();
    awaitAnswers(3);

    assertThat(answers.get(first)).isInstanceOf(User.class);
    assertThat(answers.get(a)).isEqualTo(stored.findById(a).orElseThrow());
    assertThat(answers.get(b)).isEqualTo(stored.findById(b).orElseThrow());
    assertThat(conflicts.get()).isZero();
  }

  @Test
  void create_batchKeepsLosingToConcurrentTransactions_everyCallGetsTheConflictAndNothingIsStored()
      throws Exception {
    create(user("first@example.com", Optional.empty()));
    firstStarted.await(5, TimeUnit.SECONDS);
    UUID a = create(user("a@example.com", Optional.empty()));
    UUID b = create(user("b@example.com", Optional.empty()));
    conflicts.set(UserCreates.MAX_ATTEMPTS);
    released.countDown();
    awaitAnswers(3);

    assertThat(answers.get(a)).isInstanceOf(TransactionConflictException.class);
    assertThat(answers.get(b)).isInstanceOf(TransactionConflictException.class);
    assertThat(stored.findById(a)).isEmpty();
    assertThat(stored.findById(b)).isEmpty();
  }

  /**
   * Holds the first insert until the test releases it and records the size of each batch; a
   * batch fails as a deadlock victim while {@code conflicts} is positive.
   */
  private final class HoldingRepository implements UserRepository {
    private final UserRepository delegate;

    HoldingRepository(UserRepository delegate) {
      this.delegate = delegate;
    }

    private void holdFirst(int size) {
      batchSizes.add(size);
      if (firstStarted.getCount() == 1) {
        firstStarted.countDown();
        try {
          released.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public User create(UUID id, NewUser user) {
      if (batchSizes.isEmpty()) {
        holdFirst(1);
      }
      return delegate.create(id, user);
    }

    @Override
    public List<Optional<User>> createAllSkippingTaken(List<UUID> ids, List<NewUser> users) {
      holdFirst(users.size());
      if (conflicts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new TransactionConflictException("create users: lost to a concurrent transaction",
            new SQLException("deadlock detected", "40P01"));
      }
      return delegate.createAllSkippingTaken(ids, users);
    }

    @Override
    public Optional<User> findById(UUID id) {
      return delegate.findById(id);
    }

    @Override
    public List<User> findByIds(Set<UUID> ids) {
      return delegate.findByIds(ids);
    }

    @Override
    public Optional<Credentials> findCredentials(String email) {
      return delegate.findCredentials(email);
    }

    @Override
    public List<User> listAfter(Optional<UUID> afterId, int limit) {
      return delegate.listAfter(afterId, limit);
    }

    @Override
    public User update(UUID id, UserChanges changes) {
      return delegate.update(id, changes);
    }

    @Override
    public BulkInsert openBulkInsert() {
      return delegate.openBulkInsert();
    }
  }
}
