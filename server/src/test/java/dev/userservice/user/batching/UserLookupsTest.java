package dev.userservice.user.batching;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.user.AccountStatus;
import dev.userservice.user.CallLoops;
import dev.userservice.user.Credentials;
import dev.userservice.user.DatabaseWorkers;
import dev.userservice.user.NewUser;
import dev.userservice.user.User;
import dev.userservice.user.UserChanges;
import dev.userservice.user.UserRepository;
import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UserLookupsTest {
  private final DatabaseWorkers workers =
      new DatabaseWorkers(Executors.newCachedThreadPool(), Executors.newSingleThreadScheduledExecutor());
  private final BlockingRepository repository = new BlockingRepository();
  private final Map<UUID, Object> answers = new ConcurrentHashMap<>();
  private final CountDownLatch released = new CountDownLatch(1);

  @AfterEach
  void stop() {
    released.countDown();
    workers.threads().shutdownNow();
    workers.deadlines().shutdownNow();
  }

  private static User user(UUID id) {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    return new User(id, id + "@example.com", "User", AccountStatus.ACTIVE, now, now, 1);
  }

  private CallAnswer<Optional<User>> recording(UUID id) {
    return new CallAnswer<>() {
      @Override
      public void succeeded(Optional<User> user) {
        answers.put(id, user);
      }

      @Override
      public void failed(RuntimeException e) {
        answers.put(id, e);
      }
    };
  }

  private void awaitAnswers(int count) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (answers.size() < count && System.nanoTime() < end) {
      Thread.sleep(5);
    }
    assertThat(answers).hasSize(count);
  }

  @Test
  void find_whileAQueryRuns_laterLookupsShareTheNextQuery() throws Exception {
    UserLookups lookups = new UserLookups(repository, workers, 1);
    UUID first = UUID.randomUUID();
    repository.stored.add(first);
    lookups.find(first, recording(first));
    repository.started.await(5, TimeUnit.SECONDS);

    List<UUID> waiting = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      UUID id = UUID.randomUUID();
      waiting.add(id);
      if (i % 2 == 0) {
        repository.stored.add(id);
      }
      lookups.find(id, recording(id));
    }
    released.countDown();
    awaitAnswers(6);

    assertThat(repository.queries).containsExactly(Set.of(first), Set.copyOf(waiting));
    assertThat(answers.get(first)).isEqualTo(Optional.of(user(first)));
    for (int i = 0; i < waiting.size(); i++) {
      UUID id = waiting.get(i);
      assertThat(answers.get(id)).isEqualTo(i % 2 == 0 ? Optional.of(user(id)) : Optional.empty());
    }
  }

  @Test
  void find_nextQueryRunsWhileTheCallsOfTheLastAreAnswered() throws Exception {
    released.countDown();
    UserLookups lookups = new UserLookups(repository, workers, 1);
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    repository.stored.add(second);
    CountDownLatch answering = new CountDownLatch(1);
    CountDownLatch firstMayFinish = new CountDownLatch(1);
    lookups.find(first, new CallAnswer<>() {
      @Override
      public void succeeded(Optional<User> user) {
        answering.countDown();
        try {
          firstMayFinish.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        answers.put(first, user);
      }

      @Override
      public void failed(RuntimeException e) {
        answers.put(first, e);
      }
    });
    assertThat(answering.await(5, TimeUnit.SECONDS)).isTrue();

    // the only query place was given up before the first call was answered
    lookups.find(second, recording(second));
    awaitAnswers(1);
    assertThat(answers).containsOnlyKeys(second);
    assertThat(answers.get(second)).isEqualTo(Optional.of(user(second)));

    firstMayFinish.countDown();
    awaitAnswers(2);
    assertThat(answers.get(first)).isEqualTo(Optional.empty());
    assertThat(repository.queries).containsExactly(Set.of(first), Set.of(second));
  }

  @Test
  void find_callsReadOnANetworkThread_areAnsweredThere_andTheWorkerTakesTheNextBatchItself() throws Exception {
    AtomicInteger tasks = new AtomicInteger();
    ExecutorService counted = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.MINUTES, new SynchronousQueue<>()) {
      @Override
      protected void beforeExecute(Thread thread, Runnable task) {
        tasks.incrementAndGet();
      }
    };
    ExecutorService loop = Executors.newSingleThreadExecutor(task -> new Thread(task, "network-thread"));
    CallLoops loops = () -> Thread.currentThread().getName().equals("network-thread")
        ? Optional.of(loop) : Optional.empty();
    UserLookups lookups = new UserLookups(repository, new DatabaseWorkers(counted, workers.deadlines(), loops), 1);
    Map<UUID, String> answeredOn = new ConcurrentHashMap<>();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(UUID.randomUUID());
    }
    try {
      loop.submit(() -> lookups.find(ids.get(0), answeredOn(ids.get(0), answeredOn))).get(5, TimeUnit.SECONDS);
      assertThat(repository.started.await(5, TimeUnit.SECONDS)).isTrue();
      for (UUID id : ids.subList(1, ids.size())) {
        loop.submit(() -> lookups.find(id, answeredOn(id, answeredOn))).get(5, TimeUnit.SECONDS);
      }
      released.countDown();
      awaitAnswers(ids.size());

      assertThat(repository.queries).containsExactly(Set.of(ids.get(0)), Set.copyOf(ids.subList(1, ids.size())));
      assertThat(answeredOn).hasSize(ids.size());
      assertThat(answeredOn.values()).containsOnly("network-thread");
      // one worker did both batches: none was woken for the second
      assertThat(tasks).hasValue(1);
    } finally {
      loop.shutdownNow();
      counted.shutdownNow();
    }
  }

  @Test
  void find_callsFromOtherThreads_withNoneWaiting_areAnsweredByTheWorkerThatQueried() throws Exception {
    released.countDown();
    AtomicInteger tasks = new AtomicInteger();
    ExecutorService counted = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 1, TimeUnit.MINUTES, new SynchronousQueue<>(),
        task -> new Thread(task, "worker-" + tasks.get())) {
      @Override
      protected void beforeExecute(Thread thread, Runnable task) {
        tasks.incrementAndGet();
      }
    };
    UserLookups lookups = new UserLookups(repository, new DatabaseWorkers(counted, workers.deadlines()), 1);
    Map<UUID, String> answeredOn = new ConcurrentHashMap<>();
    UUID id = UUID.randomUUID();
    repository.stored.add(id);
    try {
      lookups.find(id, answeredOn(id, answeredOn));
      awaitAnswers(1);

      assertThat(answers.get(id)).isEqualTo(Optional.of(user(id)));
      assertThat(repository.queriedOn).containsExactly(answeredOn.get(id));
      // no worker was woken only to answer
      assertThat(tasks).hasValue(1);
    } finally {
      counted.shutdownNow();
    }
  }

  @Test
  void find_everyAnswerAwaitedOnANetworkThread_arrivesThere_answeredOrCancelled() throws Exception {
    ExecutorService loop = Executors.newSingleThreadExecutor(task -> new Thread(task, "network-thread"));
    CountingLoops loops = new CountingLoops(loop);
    UserLookups lookups = new UserLookups(repository, new DatabaseWorkers(workers.threads(), workers.deadlines(), loops), 1);
    UUID first = UUID.randomUUID();
    UUID cancelled = UUID.randomUUID();
    UUID open = UUID.randomUUID();
    Context.CancellableContext call = Context.current().withCancellation();
    try {
      loop.submit(() -> lookups.find(first, recording(first))).get(5, TimeUnit.SECONDS);
      assertThat(repository.started.await(5, TimeUnit.SECONDS)).isTrue();
      loop.submit(() -> call.run(() -> lookups.find(cancelled, recording(cancelled)))).get(5, TimeUnit.SECONDS);
      call.cancel(null);
      loop.submit(() -> lookups.find(open, recording(open))).get(5, TimeUnit.SECONDS);
      // a lookup from another thread awaits nothing on a network thread
      UUID elsewhere = UUID.randomUUID();
      lookups.find(elsewhere, recording(elsewhere));
      assertThat(loops.awaited).containsExactly(Map.entry("network-thread", 3));
      released.countDown();
      awaitAnswers(3);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (loops.arrived.get() < 3 && System.nanoTime() < end) {
        Thread.sleep(5);
      }

      assertThat(answers).doesNotContainKey(cancelled);
      assertThat(loops.arrived).hasValue(3);
      assertThat(loops.awaited).containsExactly(Map.entry("network-thread", 0));
    } finally {
      loop.shutdownNow();
    }
  }

  @Test
  void find_callsFromOtherThreads_whileItemsWait_areAnsweredByAnotherWorker_andMixedWithNetworkCallsArriveWhereTheyBelong()
      throws Exception {
    ExecutorService loop = Executors.newSingleThreadExecutor(task -> new Thread(task, "network-thread"));
    CountingLoops loops = new CountingLoops(loop);
    UserLookups lookups = new UserLookups(repository, new DatabaseWorkers(workers.threads(), workers.deadlines(), loops), 1);
    Map<UUID, String> answeredOn = new ConcurrentHashMap<>();
    UUID first = UUID.randomUUID();
    UUID fromLoop = UUID.randomUUID();
    UUID fromOther = UUID.randomUUID();
    try {
      lookups.find(first, answeredOn(first, answeredOn));
      assertThat(repository.started.await(5, TimeUnit.SECONDS)).isTrue();
      loop.submit(() -> lookups.find(fromLoop, answeredOn(fromLoop, answeredOn))).get(5, TimeUnit.SECONDS);
      lookups.find(fromOther, answeredOn(fromOther, answeredOn));
      released.countDown();
      awaitAnswers(3);
      loop.submit(() -> { }).get(5, TimeUnit.SECONDS);

      assertThat(repository.queries).containsExactly(Set.of(first), Set.of(fromLoop, fromOther));
      // items waited after the first batch: its call was answered on another worker
      assertThat(answeredOn.get(first)).isNotEqualTo(repository.queriedOn.get(0)).isNotEqualTo("network-thread");
      // the last batch: the network thread's call there, the other by the worker that queried
      assertThat(answeredOn.get(fromLoop)).isEqualTo("network-thread");
      assertThat(answeredOn.get(fromOther)).isEqualTo(repository.queriedOn.get(1));
      assertThat(loops.arrived).hasValue(1);
      assertThat(loops.awaited).containsExactly(Map.entry("network-thread", 0));
    } finally {
      loop.shutdownNow();
    }
  }

  @Test
  void find_queryFailsForCallsOfANetworkThread_theirAnswersStillArriveThere() throws Exception {
    repository.failure = new DatabaseUnavailableException("find users", new java.sql.SQLException("gone"));
    released.countDown();
    ExecutorService loop = Executors.newSingleThreadExecutor(task -> new Thread(task, "network-thread"));
    CountingLoops loops = new CountingLoops(loop);
    UserLookups lookups = new UserLookups(repository, new DatabaseWorkers(workers.threads(), workers.deadlines(), loops), 1);
    UUID a = UUID.randomUUID();
    try {
      loop.submit(() -> lookups.find(a, recording(a))).get(5, TimeUnit.SECONDS);
      awaitAnswers(1);
      loop.submit(() -> { }).get(5, TimeUnit.SECONDS);

      assertThat(answers.get(a)).isSameAs(repository.failure);
      assertThat(loops.arrived).hasValue(1);
      assertThat(loops.awaited).containsExactly(Map.entry("network-thread", 0));
    } finally {
      loop.shutdownNow();
    }
  }

  /** One network thread, named so, whose awaited answers are counted by the thread that awaits or receives them. */
  private static final class CountingLoops implements CallLoops {
    final Map<String, Integer> awaited = new ConcurrentHashMap<>();
    final AtomicInteger arrived = new AtomicInteger();
    private final Executor loop;

    CountingLoops(Executor loop) {
      this.loop = loop;
    }

    @Override
    public Optional<Executor> current() {
      return Thread.currentThread().getName().equals("network-thread") ? Optional.of(loop) : Optional.empty();
    }

    @Override
    public void answerAwaited() {
      awaited.merge(Thread.currentThread().getName(), 1, Integer::sum);
    }

    @Override
    public void answersArrived(int count) {
      awaited.merge(Thread.currentThread().getName(), -count, Integer::sum);
      arrived.addAndGet(count);
    }
  }

  private CallAnswer<Optional<User>> answeredOn(UUID id, Map<UUID, String> threads) {
    CallAnswer<Optional<User>> recording = recording(id);
    return new CallAnswer<>() {
      @Override
      public void succeeded(Optional<User> user) {
        threads.put(id, Thread.currentThread().getName());
        recording.succeeded(user);
      }

      @Override
      public void failed(RuntimeException e) {
        threads.put(id, Thread.currentThread().getName());
        recording.failed(e);
      }
    };
  }

  @Test
  void find_anAnswerThrows_theOtherCallsOfItsBatchAreStillAnswered() throws Exception {
    UserLookups lookups = new UserLookups(repository, workers, 1);
    UUID first = UUID.randomUUID();
    lookups.find(first, recording(first));
    repository.started.await(5, TimeUnit.SECONDS);

    UUID broken = UUID.randomUUID();
    UUID after = UUID.randomUUID();
    repository.stored.add(after);
    lookups.find(broken, new CallAnswer<>() {
      @Override
      public void succeeded(Optional<User> user) {
        answers.put(broken, user);
        throw new IllegalStateException("a bug in answering this call");
      }

      @Override
      public void failed(RuntimeException e) {
        answers.put(broken, e);
      }
    });
    lookups.find(after, recording(after));
    released.countDown();
    awaitAnswers(3);

    assertThat(repository.queries).containsExactly(Set.of(first), Set.of(broken, after));
    assertThat(answers.get(broken)).isEqualTo(Optional.empty()); // answered once, not failed afterwards
    assertThat(answers.get(after)).isEqualTo(Optional.of(user(after)));
  }

  @Test
  void find_queryFails_everyLookupOfTheBatchFails() throws Exception {
    repository.failure = new DatabaseUnavailableException("find users", new java.sql.SQLException("gone"));
    released.countDown();
    UserLookups lookups = new UserLookups(repository, workers, 2);
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    lookups.find(a, recording(a));
    lookups.find(b, recording(b));
    awaitAnswers(2);

    assertThat(answers.values()).containsOnly(repository.failure);
  }

  @Test
  void find_callCancelledBeforeItsQuery_isLeftOut() throws Exception {
    UserLookups lookups = new UserLookups(repository, workers, 1);
    UUID first = UUID.randomUUID();
    lookups.find(first, recording(first));
    repository.started.await(5, TimeUnit.SECONDS);

    UUID cancelled = UUID.randomUUID();
    Context.CancellableContext call = Context.current().withCancellation();
    call.run(() -> lookups.find(cancelled, recording(cancelled)));
    call.cancel(null);
    UUID open = UUID.randomUUID();
    lookups.find(open, recording(open));
    released.countDown();
    awaitAnswers(2);

    assertThat(repository.queries).containsExactly(Set.of(first), Set.of(open));
    assertThat(answers).doesNotContainKey(cancelled);
  }

  @Test
  void find_queryIsBoundedByTheLatestDeadlineOfItsCalls() throws Exception {
    UserLookups lookups = new UserLookups(repository, workers, 1);
    UUID first = UUID.randomUUID();
    lookups.find(first, recording(first));
    repository.started.await(5, TimeUnit.SECONDS);

    var scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      UUID soon = UUID.randomUUID();
      UUID later = UUID.randomUUID();
      Context.current().withDeadline(Deadline.after(20, TimeUnit.SECONDS), scheduler)
          .run(() -> lookups.find(soon, recording(soon)));
      Context.current().withDeadline(Deadline.after(60, TimeUnit.SECONDS), scheduler)
          .run(() -> lookups.find(later, recording(later)));
      released.countDown();
      awaitAnswers(3);
    } finally {
      scheduler.shutdownNow();
    }

    assertThat(repository.deadlines.get(0)).isNull(); // the first call had no deadline
    assertThat(repository.deadlines.get(1).timeRemaining(TimeUnit.SECONDS)).isBetween(50L, 60L);
  }

  @Test
  void find_alone_runsWithItsCallsDeadlineAndNoTimerOfItsOwn() throws Exception {
    AtomicInteger timers = new AtomicInteger();
    ScheduledThreadPoolExecutor counting = new ScheduledThreadPoolExecutor(1) {
      @Override
      public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        timers.incrementAndGet();
        return super.schedule(command, delay, unit);
      }
    };
    DatabaseWorkers countingWorkers = new DatabaseWorkers(workers.threads(), counting);
    var scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      released.countDown();
      UserLookups lookups = new UserLookups(repository, countingWorkers, 1);
      UUID id = UUID.randomUUID();
      repository.stored.add(id);
      Context.CancellableContext call = Context.current().withDeadline(Deadline.after(30, TimeUnit.SECONDS), scheduler);
      call.run(() -> lookups.find(id, recording(id)));
      awaitAnswers(1);

      assertThat(answers.get(id)).isEqualTo(Optional.of(user(id)));
      assertThat(repository.deadlines).containsExactly(call.getDeadline());
      assertThat(timers).hasValue(0);
      call.cancel(null);
    } finally {
      scheduler.shutdownNow();
      counting.shutdownNow();
    }
  }

  /** Holds its first query until the test releases it; records every query's ids and deadline. */
  private final class BlockingRepository implements UserRepository {
    final Set<UUID> stored = ConcurrentHashMap.newKeySet();
    final List<Set<UUID>> queries = new CopyOnWriteArrayList<>();
    final List<Deadline> deadlines = new CopyOnWriteArrayList<>();
    final List<String> queriedOn = new CopyOnWriteArrayList<>();
    final CountDownLatch started = new CountDownLatch(1);
    volatile RuntimeException failure;

    @Override
    public List<User> findByIds(Set<UUID> ids) {
      queries.add(Set.copyOf(ids));
      deadlines.add(Context.current().getDeadline());
      queriedOn.add(Thread.currentThread().getName());
      started.countDown();
      try {
        released.await(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failure != null) {
        throw failure;
      }
      return ids.stream().filter(stored::contains).map(UserLookupsTest::user).toList();
    }

    @Override
    public Optional<User> findById(UUID id) {
      throw new AssertionError("lookups go through findByIds");
    }

    @Override
    public Optional<Credentials> findCredentials(String email) {
      throw new AssertionError();
    }

    @Override
    public User create(UUID id, NewUser user) {
      throw new AssertionError();
    }

    @Override
    public List<User> listAfter(Optional<UUID> afterId, int limit) {
      throw new AssertionError();
    }

    @Override
    public User update(UUID id, UserChanges changes) {
      throw new AssertionError();
    }

    @Override
    public BulkInsert openBulkInsert() {
      throw new AssertionError();
    }
  }
}
