package dev.userservice.user.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.db.DatabaseUnavailableException;
import dev.userservice.user.AccountStatus;
import dev.userservice.user.User;
import dev.userservice.user.UserRepository;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/**
 * ListUsersCall reads every page on another thread, the page after the one it writes while it
 * writes (the read is handed to the executor before the first page's messages wait for the
 * transport), and does its own work only on the stream's writer.
 */
class ListUsersReadAheadTest {
  private final List<User> stored = users(5);
  /** The cursors the repository was asked to list after, in order. */
  private final List<Optional<UUID>> reads = new ArrayList<>();
  private final Queue<Runnable> handedOff = new ArrayDeque<>();
  private int handOffs;
  /** Whether a read handed off runs at once (the call thread then never waits on it) or waits in {@link #handedOff}. */
  private boolean runAtOnce;
  private final Executor recording = task -> {
    handOffs++;
    if (runAtOnce) {
      task.run();
    } else {
      handedOff.add(task);
    }
  };
  private final FakeObserver out = new FakeObserver();
  /** Runs the stream's work: at once, unless a test says otherwise. */
  private Executor writer = Runnable::run;
  /** The call's context as each read saw it, by {@link #CALL}. */
  private final List<String> readContexts = new ArrayList<>();
  private RuntimeException failSecondRead;
  private final Semaphore permits = new Semaphore(1);
  /** Stall checks scheduled on the timer, run only when a test says so. */
  private final Queue<Runnable> stallChecks = new ArrayDeque<>();
  private final PageReadAhead readAhead = new PageReadAhead(recording, permits,
      (task, delay) -> stallChecks.add(task), Duration.ofSeconds(1));

  private static final Context.Key<String> CALL = Context.key("call");

  @Test
  void everyPageIsReadOnTheExecutor_theSecondWhileTheFirstWaitsForTheTransport() {
    out.readyFor = 1; // the transport takes one message, then is not ready

    startWithPageSize(2);
    assertThat(out.sent).isEmpty(); // nothing before the first page has arrived
    assertThat(handedOff).hasSize(1);
    handedOff.remove().run();

    assertThat(out.sent).extracting(dev.userservice.api.user.v1.User::getId).containsExactly(id(0));
    assertThat(reads).containsExactly(Optional.empty()); // only the first page
    assertThat(handedOff).hasSize(1); // the second, handed to the executor before waiting

    handedOff.remove().run();
    assertThat(reads).containsExactly(Optional.empty(), Optional.of(stored.get(1).id()));

    runAtOnce = true;
    out.readyFor = Integer.MAX_VALUE;
    out.onReady.run(); // the rest of page 1, page 2 (read ahead), page 3 (read ahead while page 2 was written)

    assertThat(out.sent).extracting(dev.userservice.api.user.v1.User::getId)
        .containsExactly(id(0), id(1), id(2), id(3), id(4));
    assertThat(out.completed).isTrue();
    assertThat(reads).containsExactly(Optional.empty(), Optional.of(stored.get(1).id()), Optional.of(stored.get(3).id()));
    assertThat(handOffs).isEqualTo(3); // page 3 held fewer than page_size: nothing read after it
    assertThat(permits.availablePermits()).isEqualTo(1); // given back once nothing more is read ahead
  }

  @Test
  void noPermitLeft_readsEachPageWhenItNeedsIt() throws Exception {
    permits.acquire(); // another stream reads ahead
    runAtOnce = true;
    out.readyFor = 1;

    startWithPageSize(2);
    assertThat(reads).containsExactly(Optional.empty()); // page 2 not read while page 1 waits

    out.readyFor = Integer.MAX_VALUE;
    out.onReady.run();

    assertThat(out.sent).hasSize(5);
    assertThat(out.completed).isTrue();
    assertThat(reads).containsExactly(Optional.empty(), Optional.of(stored.get(1).id()), Optional.of(stored.get(3).id()));
  }

  @Test
  void theStreamsWork_runsOnItsWriter_inTheCallsContext_neverOnTheReadingThreadOrGrpcs() {
    Queue<Runnable> onWriter = new ArrayDeque<>();
    writer = onWriter::add;
    out.readyFor = 1;

    Context.current().withValue(CALL, "the call").run(() -> startWithPageSize(2));
    assertThat(handedOff).isEmpty(); // not even the first read before the writer runs
    onWriter.remove().run();
    handedOff.remove().run(); // the first page arrives on the reading thread
    assertThat(out.sent).isEmpty(); // and is not written there
    onWriter.remove().run();
    assertThat(out.sent).hasSize(1);

    out.readyFor = Integer.MAX_VALUE;
    out.onReady.run();
    assertThat(out.sent).hasSize(1); // gRPC's callback only hands the drain to the writer
    while (!out.completed) {
      assertThat(onWriter.size() + handedOff.size()).isPositive();
      (onWriter.isEmpty() ? handedOff : onWriter).remove().run();
    }

    assertThat(out.sent).extracting(dev.userservice.api.user.v1.User::getId)
        .containsExactly(id(0), id(1), id(2), id(3), id(4));
    assertThat(readContexts).containsExactly("the call", "the call", "the call"); // each query bound to the call
  }

  @Test
  void failedReadAhead_endsTheStreamWithItsOwnException() {
    failSecondRead = new DatabaseUnavailableException("list users", new java.sql.SQLException("down"));
    runAtOnce = true;
    out.readyFor = Integer.MAX_VALUE;

    startWithPageSize(2);

    assertThat(out.sent).hasSize(2);
    assertThat(out.error).isSameAs(failSecondRead);
    assertThat(out.completed).isFalse();
    assertThat(permits.availablePermits()).isEqualTo(1);
  }

  @Test
  void streamThatWritesNothingForTheStallLimit_dropsItsPageAheadAndReadsItAgainLater() {
    runAtOnce = true;
    out.readyFor = 1;

    startWithPageSize(2);
    assertThat(permits.availablePermits()).isZero(); // page 2 read ahead while the transport is not ready
    assertThat(stallChecks).hasSize(1);

    stallChecks.remove().run(); // a message was written after the page ahead was taken: kept
    assertThat(permits.availablePermits()).isZero();
    stallChecks.remove().run(); // a stall limit later, nothing more written
    assertThat(permits.availablePermits()).isEqualTo(1);
    assertThat(stallChecks).isEmpty(); // nothing held, nothing more to check

    out.readyFor = Integer.MAX_VALUE;
    out.onReady.run();

    assertThat(out.sent).extracting(dev.userservice.api.user.v1.User::getId)
        .containsExactly(id(0), id(1), id(2), id(3), id(4));
    assertThat(out.completed).isTrue();
    // page 2 was read twice: ahead, dropped, then again when the stream needed it
    assertThat(reads).containsExactly(Optional.empty(), Optional.of(stored.get(1).id()), Optional.of(stored.get(1).id()),
        Optional.of(stored.get(3).id()));
    assertThat(permits.availablePermits()).isEqualTo(1);
  }

  @Test
  void streamThatWritesBetweenChecks_keepsItsPageAhead() {
    runAtOnce = true;
    out.readyFor = 1;
    startWithPageSize(3);

    stallChecks.remove().run(); // the first message, written after the page ahead was taken
    out.readyFor = 2; // one more message taken before the second check
    out.onReady.run();
    stallChecks.remove().run();

    assertThat(permits.availablePermits()).isZero();
    assertThat(stallChecks).hasSize(1); // checked again later, as the page is still held
    stallChecks.remove().run(); // and dropped once a whole stall limit passes without a message
    assertThat(permits.availablePermits()).isEqualTo(1);
  }

  @Test
  void streamStillWritingInOneLongDrain_keepsItsPageAhead() {
    runAtOnce = true;
    out.readyFor = Integer.MAX_VALUE; // a client that keeps up: one drain writes the whole stream
    List<Integer> permitsFreeAtCheck = new ArrayList<>();
    out.onEachMessage = () -> {
      if (out.sent.size() == 2 && !stallChecks.isEmpty()) { // a stall limit passes while the first page is written
        stallChecks.remove().run();
        permitsFreeAtCheck.add(permits.availablePermits());
      }
    };

    startWithPageSize(2);

    assertThat(permitsFreeAtCheck).containsExactly(0); // the page read ahead was kept
    assertThat(out.sent).hasSize(5);
    assertThat(reads).containsExactly(Optional.empty(), Optional.of(stored.get(1).id()), Optional.of(stored.get(3).id()));
  }

  @Test
  void cancelledStream_givesItsPermitBack() {
    runAtOnce = true;
    out.readyFor = 1;
    startWithPageSize(2);
    assertThat(permits.availablePermits()).isZero();

    out.onCancel.run();

    assertThat(permits.availablePermits()).isEqualTo(1);
    stallChecks.remove().run(); // the check left behind finds nothing to drop
    assertThat(permits.availablePermits()).isEqualTo(1);
    assertThat(stallChecks).isEmpty();
  }

  @Test
  void cancel_runsOnTheWriter_notOnGrpcsThread() {
    Queue<Runnable> onWriter = new ArrayDeque<>();
    writer = onWriter::add;
    runAtOnce = true;
    out.readyFor = 1;
    startWithPageSize(2);
    onWriter.remove().run(); // page 1 written, page 2 read ahead under the only permit
    assertThat(permits.availablePermits()).isZero();

    out.onCancel.run();
    assertThat(permits.availablePermits()).isZero(); // gRPC's callback only handed the cancel over
    onWriter.remove().run();

    assertThat(permits.availablePermits()).isEqualTo(1);
    assertThat(onWriter).isEmpty();
  }

  @Test
  void pageDroppedWhileStillBeingRead_keepsItsPermitUntilTheReadEnds() {
    out.readyFor = 1; // the read ahead waits in handedOff: still running when the stall check comes
    startWithPageSize(2);
    handedOff.remove().run(); // the first page
    stallChecks.remove().run();

    stallChecks.remove().run(); // nothing written for a stall limit: the page is dropped

    assertThat(permits.availablePermits()).isZero(); // its read still runs, its page will still be made
    assertThat(stallChecks).isEmpty();
    handedOff.remove().run();
    assertThat(permits.availablePermits()).isEqualTo(1);
  }

  @Test
  void streamCancelledWhileItsPageIsBeingRead_givesItsPermitBackWhenTheReadEnds() {
    out.readyFor = 1;
    startWithPageSize(2);
    handedOff.remove().run(); // the first page

    out.onCancel.run();

    assertThat(permits.availablePermits()).isZero();
    handedOff.remove().run();
    assertThat(permits.availablePermits()).isEqualTo(1);
  }

  @Test
  void start_badPageSize_refusedBeforeAnyRead() {
    assertThatThrownBy(() -> ListUsersCall.start(repository(), readAhead,
        ListUsersRequest.newBuilder().setPageSize(1001).build(), out, writer))
        .hasMessageContaining("page_size");
    assertThat(reads).isEmpty();
    assertThat(handOffs).isZero();
  }

  /** Starts a stream of the stored users over {@link #out}, {@code pageSize} per read. */
  private void startWithPageSize(int pageSize) {
    ListUsersCall.start(repository(), readAhead, ListUsersRequest.newBuilder().setPageSize(pageSize).build(), out,
        writer);
  }

  private String id(int index) {
    return stored.get(index).id().toString();
  }

  private UserRepository repository() {
    return (UserRepository) Proxy.newProxyInstance(UserRepository.class.getClassLoader(),
        new Class<?>[] {UserRepository.class}, (proxy, method, args) -> {
          if (!method.getName().equals("listAfter")) {
            throw new UnsupportedOperationException(method.getName());
          }
          @SuppressWarnings("unchecked")
          Optional<UUID> after = (Optional<UUID>) args[0];
          int limit = (Integer) args[1];
          reads.add(after);
          readContexts.add(CALL.get());
          if (reads.size() == 2 && failSecondRead != null) {
            throw failSecondRead;
          }
          return stored.stream().filter(u -> after.isEmpty() || u.id().compareTo(after.get()) > 0).limit(limit)
              .toList();
        });
  }

  private static List<User> users(int count) {
    List<User> users = new ArrayList<>();
    Instant now = Instant.parse("2026-11-26T12:00:00Z");
    for (int i = 0; i < count; i++) {
      users.add(new User(new UUID(1, i), "u" + i + "@example.com", "User " + i, AccountStatus.ACTIVE, now, now, 1,
          Set.of()));
    }
    return users;
  }

  /** Takes {@code readyFor} messages, then reports the transport not ready until told otherwise. */
  private static final class FakeObserver extends ServerCallStreamObserver<dev.userservice.api.user.v1.User> {
    final List<dev.userservice.api.user.v1.User> sent = new ArrayList<>();
    int readyFor;
    Runnable onReady;
    Runnable onCancel;
    /** Runs after each message taken, inside the server's drain. */
    Runnable onEachMessage = () -> {};
    boolean completed;
    Throwable error;

    @Override
    public boolean isReady() {
      return sent.size() < readyFor;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {
      onReady = onReadyHandler;
    }

    @Override
    public void onNext(dev.userservice.api.user.v1.User value) {
      sent.add(value);
      onEachMessage.run();
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      completed = true;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {
      onCancel = onCancelHandler;
    }

    @Override
    public void setCompression(String compression) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}
  }
}
